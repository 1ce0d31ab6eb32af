//! The field path of a JSON parse error, found from the error's position.
//!
//! serde_json reports where in the text an error happened, not in which
//! field. Rather than track the path during every parse (serde_path_to_error
//! doubles the deserializer code in the wasm module and slows every parse),
//! the text is scanned again up to the error's position, and only when there
//! is an error. The path reads as serde_path_to_error's: `actions[0].to`
//! (tests/json_paths.rs compares the two on thousands of broken documents).

/// How serde_json placed the error's position.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// About the value just read (a bad value, an unknown or missing field).
    Data,
    /// Bad text: the position counts the byte serde peeked at and refused.
    Syntax,
    /// The text ended.
    Eof,
}

enum Segment {
    Key(String),
    Index(usize),
}

/// Where the value under a frame's current key or index stands.
#[derive(Clone, Copy, PartialEq)]
enum State {
    /// Named but not begun: a key before its `:`, an element before its first byte.
    Pending,
    Reading,
    Read,
}

/// One open array or object.
struct Frame {
    object: bool,
    expects_key: bool,
    index: usize,
    current: Option<Segment>,
    state: State,
}

/// The field path at `line` (1-based) and `column` (bytes from the line's
/// start) of `text`, as serde_json reports the position of an error of `kind`.
pub(crate) fn path_at(text: &str, line: usize, column: usize, kind: Kind) -> String {
    let bytes = text.as_bytes();
    let mut end = 0usize;
    for _ in 1..line {
        end = bytes.iter().skip(end).position(|&b| b == b'\n').map_or(bytes.len(), |i| end + i + 1);
    }
    let end = end.saturating_add(column).min(bytes.len());
    let (read, refused) = match kind {
        Kind::Syntax if end > 0 => (end - 1, bytes.get(end - 1).copied()),
        _ => (end, None),
    };
    let next = bytes.iter().skip(end).copied().find(|b| !b.is_ascii_whitespace());
    let mut stack = scan(bytes.get(..read).unwrap_or_default());
    if let Some(top) = stack.last_mut() {
        let on_path = match (kind, top.state) {
            (_, State::Reading) => true,
            // An element not begun is the subject when serde refused its first
            // byte (`{` or `[` where it wants a string, say) without reading it.
            (Kind::Data, State::Pending) if !top.object => matches!(next, Some(b'{' | b'[')),
            (Kind::Data, _) => true,
            (Kind::Syntax, State::Pending) => !top.object && refused != Some(b']'),
            _ => false,
        };
        if !on_path {
            top.current = None;
        }
    }
    // An empty key at the end would leave a dangling dot: name its object.
    render(&stack).trim_end_matches('.').to_string()
}

fn scan(bytes: &[u8]) -> Vec<Frame> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => {
                set_state(&mut stack, State::Reading);
                let object = b == b'{';
                let current = if object { None } else { Some(Segment::Index(0)) };
                stack.push(Frame { object, expects_key: object, index: 0, current, state: State::Pending });
            }
            b'}' | b']' => {
                stack.pop();
                set_state(&mut stack, State::Read);
            }
            b',' => {
                if let Some(f) = stack.last_mut() {
                    if f.object {
                        (f.current, f.expects_key) = (None, true);
                    } else {
                        f.index += 1;
                        (f.current, f.state) = (Some(Segment::Index(f.index)), State::Pending);
                    }
                }
            }
            b':' => set_state(&mut stack, State::Reading),
            b'"' => {
                let close = string_end(bytes, i + 1);
                match stack.last_mut() {
                    Some(f) if f.expects_key => {
                        // Only a key read whole is named.
                        f.current = close.map(|c| Segment::Key(unescape(bytes.get(i..c).unwrap_or_default())));
                        (f.expects_key, f.state) = (false, State::Pending);
                    }
                    _ => set_state(&mut stack, if close.is_some() { State::Read } else { State::Reading }),
                }
                i = close.unwrap_or(bytes.len());
                continue;
            }
            _ => {
                // A number, true, false or null: serde reads it to its end.
                let start = i;
                while bytes.get(i + 1).is_some_and(|&b| !is_delimiter(b)) {
                    i += 1;
                }
                let token = bytes.get(start..=i).unwrap_or_default();
                let whole = match b {
                    b't' => token == b"true",
                    b'f' => token == b"false",
                    b'n' => token == b"null",
                    _ => token.last().is_some_and(u8::is_ascii_digit),
                };
                set_state(&mut stack, if whole { State::Read } else { State::Reading });
            }
        }
        i += 1;
    }
    stack
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, b',' | b'}' | b']' | b':' | b'"' | b' ' | b'\t' | b'\n' | b'\r')
}

fn set_state(stack: &mut [Frame], state: State) {
    if let Some(f) = stack.last_mut() {
        f.state = state;
    }
}

/// The index just past the closing quote of the string whose body starts at
/// `from`, or `None` when the text ends inside the string.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The key as serde reads it, escapes resolved (`raw` is the quoted string).
fn unescape(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    serde_json::from_str::<String>(&text).unwrap_or_else(|_| text.trim_matches('"').to_string())
}

fn render(stack: &[Frame]) -> String {
    let mut path = String::new();
    for f in stack {
        match &f.current {
            Some(Segment::Key(k)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Some(Segment::Index(i)) => {
                path.push('[');
                path.push_str(&i.to_string());
                path.push(']');
            }
            None => {}
        }
    }
    path
}
