//! SPEC §4 `timing.window`.

use super::{Case, Check, Status};

/// Seconds as a person reads them: `172800 s (2 d)`.
pub(crate) fn duration(seconds: i128) -> String {
    let abs = seconds.unsigned_abs();
    let human = if abs >= 86_400 && abs % 86_400 == 0 {
        format!(" ({} d)", abs / 86_400)
    } else if abs >= 3_600 && abs % 3_600 == 0 {
        format!(" ({} h)", abs / 3_600)
    } else if abs >= 86_400 {
        format!(" ({:.1} d)", abs as f64 / 86_400.0)
    } else if abs >= 3_600 {
        format!(" ({:.1} h)", abs as f64 / 3_600.0)
    } else {
        String::new()
    };
    format!("{seconds} s{human}")
}

/// SPEC §4 `timing.window`: the timelock the lane demands, and the window is open now.
pub fn timing_window(case: &Case) -> Check {
    let id = "timing.window";
    let m = &case.manifest;
    let lane = case.policy.lane(m.lane);
    let (nb, na, now) = (m.timing.not_before, m.timing.not_after, case.now);
    if na < nb {
        return Check::new(id, Status::Fail, format!("the window is empty: notAfter {na} is before notBefore {nb}"));
    }
    let delay = nb.seconds_since(&m.proposed_at);
    if delay < i128::from(lane.min_delay_seconds) {
        return Check::new(
            id,
            Status::Fail,
            format!(
                "notBefore {nb} is {} after proposedAt {}; the {} lane needs at least {}",
                duration(delay),
                m.proposed_at,
                m.lane,
                duration(i128::from(lane.min_delay_seconds))
            ),
        );
    }
    if now > na {
        return Check::new(id, Status::Fail, format!("expired: now {now} is after notAfter {na} ({} late); re-approve a new window", duration(now.seconds_since(&na))));
    }
    if now < nb {
        return Check::new(id, Status::Pending, format!("not yet open: now {now}, opens at notBefore {nb} (in {})", duration(nb.seconds_since(&now))));
    }
    Check::new(
        id,
        Status::Pass,
        format!("now {now} is within {nb} – {na}; delay {} meets the {} minimum of {}", duration(delay), m.lane, duration(i128::from(lane.min_delay_seconds))),
    )
}
