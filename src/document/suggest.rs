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

/// Edit distance by characters: insertions, deletions, substitutions, and
/// two neighbours swapped (`lnae` → `lane`, `titel` → `title`: one edit, the
/// commonest typo), the optimal string alignment distance.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let at = |row: &Vec<usize>, j: usize| row.get(j).copied().unwrap_or(usize::MAX);
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = at(&prev, j).saturating_add(usize::from(ca != cb));
            let delete = at(&prev, j + 1).saturating_add(1);
            let insert = cur.last().map_or(usize::MAX, |d| d.saturating_add(1));
            let mut best = substitute.min(delete).min(insert);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca) && ca != cb;
            if swapped {
                best = best.min(at(&before, j - 1).saturating_add(1));
            }
            cur.push(best);
        }
        before = std::mem::replace(&mut prev, cur);
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
    fn two_letters_swapped_count_as_one_edit() {
        let m = with_suggestion("unknown field `lnae`, expected one of `schema`, `lane`, `chainId`".into());
        assert!(m.ends_with("did you mean `lane`?"), "{m}");
        let m = with_suggestion("unknown field `titel`, expected one of `schema`, `title`, `lane`".into());
        assert!(m.ends_with("did you mean `title`?"), "{m}");
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("abc", "abc"), 0);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn a_field_unlike_any_allowed_name_gets_no_suggestion() {
        let m = "unknown field `reviewer`, expected one of `schema`, `lane`".to_string();
        assert_eq!(with_suggestion(m.clone()), m);
    }
}
