//! Just enough YAML to read a GitHub Actions workflow: block mappings and
//! sequences, plain and quoted scalars, `|` literal blocks, comments.
//! Anything else (flow collections, anchors, folded blocks, multi-line plain
//! scalars) is refused with the line number, so a workflow edit that needs
//! more YAML fails this test loudly instead of being misread.

use serde_json::{Map, Value};

pub fn parse(text: &str) -> Result<Value, String> {
    let mut p = Parser { lines: text.lines().map(str::to_string).collect(), i: 0 };
    p.skip_blank();
    if p.i >= p.lines.len() {
        return Ok(Value::Null);
    }
    let indent = p.indent();
    let v = p.node(indent)?;
    p.skip_blank();
    match p.i < p.lines.len() {
        true => Err(p.error("unexpected indentation")),
        false => Ok(v),
    }
}

struct Parser {
    lines: Vec<String>,
    i: usize,
}

impl Parser {
    fn error(&self, m: &str) -> String {
        format!("line {}: {m}: {:?}", self.i + 1, self.lines.get(self.i).map(String::as_str).unwrap_or(""))
    }

    fn indent(&self) -> usize {
        let l = &self.lines[self.i];
        l.len() - l.trim_start_matches(' ').len()
    }

    fn content(&self) -> &str {
        self.lines[self.i].trim()
    }

    fn skip_blank(&mut self) {
        while self.i < self.lines.len() && (self.content().is_empty() || self.content().starts_with('#')) {
            self.i += 1;
        }
    }

    fn is_item(&self) -> bool {
        self.content() == "-" || self.content().starts_with("- ")
    }

    /// The block at `indent`: a sequence or a mapping.
    fn node(&mut self, indent: usize) -> Result<Value, String> {
        if self.lines[self.i].contains('\t') {
            return Err(self.error("tab in indentation"));
        }
        if self.is_item() {
            self.sequence(indent)
        } else {
            self.mapping(indent).map(Value::Object)
        }
    }

    fn sequence(&mut self, indent: usize) -> Result<Value, String> {
        let mut items = Vec::new();
        loop {
            self.skip_blank();
            if self.i >= self.lines.len() || self.indent() != indent || !self.is_item() {
                break;
            }
            let after = self.content()[1..].trim_start().to_string();
            if after.is_empty() {
                self.i += 1;
                self.skip_blank();
                let child = self.indent();
                if child <= indent {
                    items.push(Value::Null);
                    continue;
                }
                items.push(self.node(child)?);
            } else if key_of(&after).is_some() {
                // `- key: value` opens a mapping whose keys sit where `key` does.
                let column = self.lines[self.i].len() - after.len();
                self.lines[self.i] = format!("{}{after}", " ".repeat(column));
                items.push(Value::Object(self.mapping(column)?));
            } else {
                self.i += 1;
                items.push(self.scalar(&after)?);
            }
        }
        Ok(Value::Array(items))
    }

    fn mapping(&mut self, indent: usize) -> Result<Map<String, Value>, String> {
        let mut map = Map::new();
        loop {
            self.skip_blank();
            if self.i >= self.lines.len() || self.indent() < indent {
                break;
            }
            if self.indent() > indent {
                return Err(self.error("unexpected indentation"));
            }
            if self.is_item() {
                break;
            }
            let line = self.content().to_string();
            let (key, rest) = key_of(&line).ok_or_else(|| self.error("expected `key: value`"))?;
            if map.contains_key(&key) {
                return Err(self.error("repeated key"));
            }
            self.i += 1;
            let value = self.value(rest.trim(), indent)?;
            map.insert(key, value);
        }
        Ok(map)
    }

    /// What follows `key:` on its line (and the lines below it).
    fn value(&mut self, rest: &str, indent: usize) -> Result<Value, String> {
        let rest = strip_comment(rest);
        if rest == "|" || rest == "|-" {
            return Ok(Value::String(self.literal(indent, rest == "|-")));
        }
        if !rest.is_empty() {
            return self.scalar(rest);
        }
        self.skip_blank();
        if self.i >= self.lines.len() {
            return Ok(Value::Null);
        }
        let child = self.indent();
        if child > indent || (child == indent && self.is_item()) {
            self.node(child)
        } else {
            Ok(Value::Null)
        }
    }

    /// A `|` block: the lines indented deeper than the key, less the first line's indentation.
    fn literal(&mut self, indent: usize, strip: bool) -> String {
        let mut raw = Vec::new();
        while self.i < self.lines.len() {
            let line = &self.lines[self.i];
            if !line.trim().is_empty() && line.len() - line.trim_start_matches(' ').len() <= indent {
                break;
            }
            raw.push(line.clone());
            self.i += 1;
        }
        let at = raw.iter().find(|l| !l.trim().is_empty()).map_or(0, |l| l.len() - l.trim_start_matches(' ').len());
        let mut lines: Vec<String> = raw.iter().map(|l| l.get(at..).unwrap_or("").to_string()).collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        let mut s = lines.join("\n");
        if !strip && !s.is_empty() {
            s.push('\n');
        }
        s
    }

    fn scalar(&self, s: &str) -> Result<Value, String> {
        let s = strip_comment(s);
        if let Some(body) = s.strip_prefix('"') {
            let body = body.strip_suffix('"').ok_or_else(|| self.error("unterminated string"))?;
            return Ok(Value::String(body.replace("\\\"", "\"").replace("\\\\", "\\")));
        }
        if let Some(body) = s.strip_prefix('\'') {
            let body = body.strip_suffix('\'').ok_or_else(|| self.error("unterminated string"))?;
            return Ok(Value::String(body.replace("''", "'")));
        }
        if s.starts_with(['[', '{', '&', '*', '!', '>', '|']) {
            return Err(self.error("YAML this reader does not support"));
        }
        Ok(Value::String(s.to_string()))
    }
}

/// `key: rest` or `key:` (the key is plain, as in workflows).
fn key_of(line: &str) -> Option<(String, &str)> {
    if line.starts_with(['"', '\'', '[', '{']) {
        return None;
    }
    let (key, rest) = match line.find(": ") {
        Some(at) => (&line[..at], &line[at + 2..]),
        None => (line.strip_suffix(':')?, ""),
    };
    (!key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c))).then(|| (key.to_string(), rest))
}

/// Drops a ` # comment` after a plain value (not inside quotes).
fn strip_comment(s: &str) -> &str {
    if s.starts_with(['"', '\'']) {
        return s.trim();
    }
    match s.find(" #") {
        Some(at) => s[..at].trim(),
        None => s.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_shapes_a_workflow_uses() {
        let text = "a: 1 # note\nb:\n  c: \"x: y\"\n  d: ''\nsteps:\n  - uses: x@v4 # pin\n  - name: n\n    run: |\n      one\n\n        two\n    after: z\nlist:\n- p\n- q\n";
        let v = parse(text).unwrap();
        assert_eq!(
            v,
            json!({ "a": "1", "b": { "c": "x: y", "d": "" }, "steps": [ { "uses": "x@v4" }, { "name": "n", "run": "one\n\n  two\n", "after": "z" } ], "list": ["p", "q"] })
        );
    }

    #[test]
    fn refuses_what_it_does_not_read() {
        assert!(parse("a: [1, 2]\n").is_err());
        assert!(parse("a: >\n  folded\n").is_err());
        assert!(parse("a: 1\n  b: 2\n").is_err());
        assert!(parse("a: 1\na: 2\n").is_err());
    }
}
