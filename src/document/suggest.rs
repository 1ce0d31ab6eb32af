//! "did you mean `lane`?" after an unknown-field error. A misspelt field is
//! refused (SPEC §1: a typo must never silently drop a constraint), and the
//! allowed name closest to it is most often the fix. Information only: the
//! error stays an error.

/// The message with the closest allowed field name appended, when one is close.
///
/// Reads the two shapes the parsers write: serde's "unknown field `x`, expected
/// one of `a`, `b`" and the gate's "unknown field `x` … (expected a, b)".
pub(crate) fn with_suggestion(message: String) -> String {
    let Some(best) = suggestion(&message) else { return message };
    format!("{message}: did you mean `{best}`?")
}

fn suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let list = match rest.split_once("expected one of ") {
        Some((_, list)) => list,
        None => rest.split_once("(expected ")?.1.trim_end_matches(')'),
    };
    let wanted = field.to_ascii_lowercase();
    list.split(", ")
        .map(|c| c.trim().trim_matches('`'))
        .filter(|c| !c.is_empty() && *c != field)
        .map(|c| (distance(&wanted, &c.to_ascii_lowercase()), c))
        // Close: a third of the name may differ (one letter in a short name).
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance (insertions, deletions, substitutions), by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev.get(j).map_or(usize::MAX, |d| d + usize::from(ca != *cb));
            let delete = prev.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = cur.last().map_or(usize::MAX, |d| d + 1);
            cur.push(substitute.min(delete).min(insert));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_field_gets_the_closest_allowed_name() {
        let m = with_suggestion("unknown field `lan`, expected one of `schema`, `lane`, `chainId`".into());
        assert!(m.ends_with("did you mean `lane`?"), "{m}");
        let m = with_suggestion("unknown field `chainid` in a Safe transaction (expected safe, chainId, to)".into());
        assert!(m.ends_with("did you mean `chainId`?"), "{m}");
    }

    #[test]
    fn a_field_unlike_any_allowed_name_gets_no_suggestion() {
        let m = "unknown field `reviewer`, expected one of `schema`, `lane`".to_string();
        assert_eq!(with_suggestion(m.clone()), m);
    }
}
