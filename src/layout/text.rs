//! The string rules of upgrades-core 1.46.0 that the layout depends on,
//! written out by hand (no regex engine in the module): NatSpec tags as its
//! `execall` reads them, AST type identifiers decoded and normalized, type ids
//! parsed into head, arguments and tail.

/// JavaScript's `\s`.
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}' | '\u{feff}')
}

fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// JavaScript's `String.prototype.trim`.
pub fn js_trim(s: &str) -> &str {
    s.trim_matches(is_ws)
}

/// One match of upgrades-core's NatSpec regex: `@title:tag args`.
pub struct Tag<'a> {
    pub title: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub args: &'a str,
}

/// `execall(/^\s*(?:@(?<title>\w+)(?::(?<tag>[a-z][a-z-]*))? )?(?<args>(?:(?!^\s@\w+)[^])*)/m, doc)`
/// (sticky, stops at the first empty match). `any_indent` reads the lookahead
/// as `^\s*@\w+` (utils/annotations.js) instead of `^\s@\w+` (storage/extract.js).
pub fn natspec_tags(doc: &str, any_indent: bool) -> Vec<Tag<'_>> {
    let chars: Vec<(usize, char)> = doc.char_indices().collect();
    let n = chars.len();
    let ch = |i: usize| chars.get(i).map(|&(_, c)| c);
    let byte = |i: usize| chars.get(i).map_or(doc.len(), |&(b, _)| b);
    let line_start = |i: usize| i == 0 || ch(i.wrapping_sub(1)).is_some_and(is_line_terminator);
    let stop_at = |a: usize| {
        if !line_start(a) {
            return false;
        }
        let mut q = a;
        if any_indent {
            while ch(q).is_some_and(is_ws) {
                q += 1;
            }
        } else if ch(q).is_some_and(is_ws) {
            q += 1;
        } else {
            return false;
        }
        ch(q) == Some('@') && ch(q + 1).is_some_and(is_word)
    };
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= n && line_start(pos) {
        let start = pos;
        let mut p = pos;
        while ch(p).is_some_and(is_ws) {
            p += 1;
        }
        // The optional group `@title(:tag)? ` (it needs its trailing space).
        let mut title = None;
        let mut tag = None;
        if ch(p) == Some('@') {
            let t0 = p + 1;
            let mut t1 = t0;
            while ch(t1).is_some_and(is_word) {
                t1 += 1;
            }
            if t1 > t0 {
                let mut g1 = None;
                if ch(t1) == Some(':') && ch(t1 + 1).is_some_and(|c| c.is_ascii_lowercase()) {
                    let mut e = t1 + 2;
                    while ch(e).is_some_and(|c| c.is_ascii_lowercase() || c == '-') {
                        e += 1;
                    }
                    if ch(e) == Some(' ') {
                        g1 = Some((Some((t1 + 1, e)), e + 1));
                    }
                }
                if g1.is_none() && ch(t1) == Some(' ') {
                    g1 = Some((None, t1 + 1));
                }
                if let Some((tag_range, after)) = g1 {
                    title = doc.get(byte(t0)..byte(t1));
                    tag = tag_range.and_then(|(a, b)| doc.get(byte(a)..byte(b)));
                    p = after;
                }
            }
        }
        let mut a = p;
        while a < n && !stop_at(a) {
            a += 1;
        }
        if a == start {
            break;
        }
        out.push(Tag { title, tag, args: doc.get(byte(p)..byte(a)).unwrap_or("") });
        pos = a;
        if pos == n {
            // `^` at the end holds only after a line terminator; the match there is empty.
            break;
        }
    }
    out
}

/// `/^\s*(@custom:<tag>)(\s|$)/m.test(doc)`.
pub fn has_custom_tag(doc: &str, tag: &str) -> bool {
    let needle = format!("@custom:{tag}");
    let mut line_start = true;
    let chars: Vec<char> = doc.chars().collect();
    for i in 0..chars.len() {
        let at_start = line_start;
        line_start = chars.get(i).copied().is_some_and(is_line_terminator);
        if !at_start {
            continue;
        }
        let mut q = i;
        while chars.get(q).copied().is_some_and(is_ws) {
            q += 1;
        }
        let rest: String = chars.iter().skip(q).take(needle.chars().count() + 1).collect();
        if let Some(after) = rest.strip_prefix(needle.as_str()) {
            if after.is_empty() || after.chars().next().is_some_and(is_ws) {
                return true;
            }
        }
    }
    // An empty document, or one ending in a line terminator, has a last empty line.
    false
}

/// `decodeTypeIdentifier`: `$_` → `(`, `_$` → `)`, `_$_` → `,`, where the
/// library's lookahead allows it.
pub fn decode_type_identifier(id: &str) -> String {
    let b = id.as_bytes();
    let n = b.len();
    const ALTS: [(&[u8], char); 3] = [(b"$_", '('), (b"_$_", ','), (b"_$", ')')];
    // ok[k]: `(\$_|_\$_|_\$)*([^_$]|$)` matches at k.
    let mut ok = vec![false; n + 1];
    for k in (0..=n).rev() {
        let plain = b.get(k).is_none_or(|&c| c != b'_' && c != b'$');
        let token = ALTS.iter().any(|(alt, _)| b.get(k..).is_some_and(|s| s.starts_with(alt)) && ok.get(k + alt.len()).copied().unwrap_or(false));
        if let Some(slot) = ok.get_mut(k) {
            *slot = plain || token;
        }
    }
    let mut out = String::with_capacity(n);
    let mut i = 0;
    while i < n {
        let hit = ALTS.iter().find(|(alt, _)| b.get(i..).is_some_and(|s| s.starts_with(alt)) && ok.get(i + alt.len()).copied().unwrap_or(false));
        match hit {
            Some((alt, c)) => {
                out.push(*c);
                i += alt.len();
            }
            None => {
                // Copy one whole character.
                let len = id.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
                out.push_str(id.get(i..i + len).unwrap_or(""));
                i += len;
            }
        }
    }
    out
}

/// Replaces `from` by `to` where `from` is followed by a non-word character or the end (`from\b`).
fn replace_word_end(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(from) {
        let after = rest.get(at + from.len()..).unwrap_or("");
        out.push_str(rest.get(..at).unwrap_or(""));
        if after.chars().next().is_none_or(|c| !is_word(c)) {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `normalizeTypeIdentifier`.
pub fn normalize_type_identifier(id: &str) -> String {
    replace_word_end(&decode_type_identifier(id), "_storage_ptr", "_storage")
}

/// `normalizeMemoryPointer` (compare.js).
pub fn normalize_memory_pointer(head: &str) -> String {
    replace_word_end(head, "_memory_ptr", "_memory")
}

/// `stripContractSubstrings`: drops `contract `, `struct `, `enum ` at word starts.
pub fn strip_contract_substrings(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut prev_word = false;
    let mut i = 0;
    while let Some(c) = label.get(i..).and_then(|s| s.chars().next()) {
        if !prev_word {
            if let Some(w) = ["contract ", "struct ", "enum "].iter().find(|w| label.get(i..).is_some_and(|s| s.starts_with(*w))) {
                i += w.len();
                prev_word = false;
                continue;
            }
        }
        out.push(c);
        prev_word = is_word(c);
        i += c.len_utf8();
    }
    out
}

/// A parsed type id: `t_mapping(t_address,t_uint256)` → head `t_mapping`,
/// args, tail (`50_storage` of `t_array(t_uint256)50_storage`), rets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeId {
    pub id: String,
    pub head: String,
    pub args: Option<Vec<TypeId>>,
    pub tail: Option<String>,
    pub rets: Option<Vec<TypeId>>,
}

/// The deepest type id nesting read (a mapping of mappings… in real code stays under 10).
pub const TYPE_ID_DEPTH: usize = 64;

/// `parseTypeId`.
pub fn parse_type_id(id: &str) -> Result<TypeId, String> {
    parse_at(id, 0)
}

fn parse_at(id: &str, depth: usize) -> Result<TypeId, String> {
    if depth > TYPE_ID_DEPTH {
        return Err(format!("type id nested more than {TYPE_ID_DEPTH} levels: `{}`", short(id)));
    }
    let b = id.as_bytes();
    let malformed = || format!("Malformed type id {}", short(id));
    let mut index;
    let next = |from: usize, set: &[u8]| b.get(from..).and_then(|s| s.iter().position(|c| set.contains(c))).map(|p| p + from);
    let parse_list = |index: &mut usize| -> Result<Vec<TypeId>, String> {
        let mut args = Vec::new();
        let mut i = *index;
        while let Some(d) = next(*index, b"(),") {
            *index = d + 1;
            if b.get(d) == Some(&b'(') {
                let mut depth_p = 1;
                while depth_p > 0 {
                    let p = next(*index, b"()").ok_or_else(malformed)?;
                    *index = p + 1;
                    if b.get(p) == Some(&b'(') { depth_p += 1 } else { depth_p -= 1 }
                }
            } else {
                let sub = id.get(i..d).unwrap_or("");
                if !sub.is_empty() {
                    args.push(parse_at(sub, depth + 1)?);
                }
                i = d + 1;
                if b.get(d) == Some(&b')') {
                    break;
                }
            }
        }
        Ok(args)
    };
    let open = next(0, b"(");
    let head = id.get(..open.unwrap_or(id.len())).unwrap_or(id).to_string();
    let (mut args, mut tail, mut rets) = (None, None, None);
    if let Some(o) = open {
        index = o + 1;
        args = Some(parse_list(&mut index)?);
        let start_tail = index;
        match next(index, b"(") {
            None => tail = id.get(start_tail..).filter(|t| !t.is_empty()).map(str::to_string),
            Some(r) => {
                if id.get(start_tail..r) != Some("returns") {
                    return Err(malformed());
                }
                index = r + 1;
                rets = Some(parse_list(&mut index)?);
            }
        }
    }
    Ok(TypeId { id: id.to_string(), head, args, tail, rets })
}

/// A long identifier, cut for messages.
pub fn short(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(80).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_type_identifiers_as_the_library() {
        assert_eq!(normalize_type_identifier("t_mapping$_t_address_$_t_uint256_$"), "t_mapping(t_address,t_uint256)");
        assert_eq!(normalize_type_identifier("t_struct$_S_$12_storage_ptr"), "t_struct(S)12_storage");
        assert_eq!(
            normalize_type_identifier("t_mapping$_t_address_$_t_struct$_P_$5_storage_$"),
            "t_mapping(t_address,t_struct(P)5_storage)"
        );
        assert_eq!(normalize_type_identifier("t_array$_t_uint256_$50_storage"), "t_array(t_uint256)50_storage");
    }

    #[test]
    fn parses_type_ids() {
        let t = parse_type_id("t_mapping(t_address,t_struct(P)5_storage)").unwrap();
        assert_eq!(t.head, "t_mapping");
        let args = t.args.unwrap();
        assert_eq!(args[1].head, "t_struct");
        assert_eq!(args[1].tail.as_deref(), Some("5_storage"));
        let f = parse_type_id("t_function_internal_nonpayable(t_uint256)returns(t_bool)").unwrap();
        assert_eq!(f.rets.unwrap()[0].id, "t_bool");
        assert!(parse_type_id("t_function_internal(t_uint256)xx(t_bool)").is_err());
    }

    #[test]
    fn reads_natspec_as_the_library() {
        let t = natspec_tags("@custom:oz-renamed-from old", false);
        assert_eq!((t[0].title, t[0].tag, t[0].args), (Some("custom"), Some("oz-renamed-from"), "old"));
        let t = natspec_tags("@notice x\n @custom:oz-retyped-from uint128", false);
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].tag, Some("oz-retyped-from"));
        // Without the one space of indentation the second tag stays in the first's args.
        let t = natspec_tags("@notice x\n@custom:oz-retyped-from uint128", false);
        assert_eq!(t.len(), 1);
        assert!(has_custom_tag(" @custom:storage-location erc7201:a.b", "storage-location"));
        assert!(!has_custom_tag("@custom:storage-locations x", "storage-location"));
        assert_eq!(strip_contract_substrings("mapping(address => contract IERC20)"), "mapping(address => IERC20)");
    }
}
