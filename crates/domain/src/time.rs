//! Calendar dates from milliseconds since the epoch (proleptic Gregorian, UTC), for people: the
//! window and the CSV exports show the same times.

use crate::error::Invalid;

/// `(year, month, day, hour, minute, second)` in UTC, by Howard Hinnant's days-to-civil.
pub fn civil(ms: i64) -> (i64, i64, i64, i64, i64, i64) {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `2026-11-24T21:53:51Z`.
pub fn iso_utc(ms: i64) -> String {
    let (y, m, d, h, mi, s) = civil(ms);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2026-11-24 21:53 UTC`, for the window.
pub fn minute_utc(ms: i64) -> String {
    let (y, m, d, h, mi, _) = civil(ms);
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02} UTC")
}

/// Milliseconds since the epoch of a UTC date (`2026-12-01`, the start of that day) or time
/// (`2026-12-01T10:30Z`, `2026-12-01T10:30:00Z`), by days-from-civil; what is wrong, for people.
pub fn parse_utc(text: &str) -> Result<i64, Invalid> {
    let bad = || Invalid(format!("`{text}` is not a UTC date (2026-12-01) or time (2026-12-01T10:30:00Z)"));
    let t = text.trim();
    let (date, time) = match t.split_once('T') {
        Some((d, rest)) => (d, Some(rest.strip_suffix('Z').ok_or_else(bad)?)),
        None => (t, None),
    };
    let num = |s: &str| s.parse::<i64>().ok().filter(|_| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    let parts: Vec<&str> = date.split('-').collect();
    let [y, m, d] = parts[..] else { return Err(bad()) };
    let (Some(y), Some(m), Some(d)) = (num(y), num(m), num(d)) else { return Err(bad()) };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in[(m - 1) as usize] {
        return Err(bad());
    }
    let (mut h, mut mi, mut sec) = (0, 0, 0);
    if let Some(time) = time {
        let parts: Vec<Option<i64>> = time.split(':').map(num).collect();
        match parts[..] {
            [Some(a), Some(b)] => (h, mi) = (a, b),
            [Some(a), Some(b), Some(c)] => (h, mi, sec) = (a, b, c),
            _ => return Err(bad()),
        }
        if h > 23 || mi > 59 || sec > 59 {
            return Err(bad());
        }
    }
    let (yy, mm) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(((days * 86_400) + h * 3600 + mi * 60 + sec) * 1000)
}

/// A duration for people, in the largest unit that keeps it readable: `850 ms`, `42 s`, `15 min`,
/// `6 h`, `12 days`; a negative one (Kafka's "no limit") is `forever`.
pub fn duration_words(ms: i64) -> String {
    match ms {
        ms if ms < 0 => "forever".into(),
        ms if ms < 1_000 => format!("{ms} ms"),
        ms if ms < 120_000 => format!("{} s", ms / 1000),
        ms if ms < 7_200_000 => format!("{} min", ms / 60_000),
        ms if ms < 172_800_000 => format!("{} h", ms / 3_600_000),
        ms => format!("{} days", ms / 86_400_000),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parsed_dates_are_the_inverse_of_the_shown_ones() {
        // Verifies parse_utc against iso_utc: dates and times round-trip (leap day included), and malformed or impossible ones are refused.
        for ms in [0, 951_782_400_000, 1_764_585_000_000, 1_800_000_000_000] {
            assert_eq!(super::parse_utc(&super::iso_utc(ms)), Ok(ms - ms % 1000));
        }
        assert_eq!(super::parse_utc("2000-02-29"), Ok(951_782_400_000));
        assert_eq!(super::parse_utc("1970-01-01T00:01Z"), Ok(60_000));
        for bad in ["", "2026-02-30", "2026-13-01", "2026-1-1x", "2026-12-01T25:00Z", "2026-12-01T10:00", "yesterday"] {
            assert!(super::parse_utc(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_around_the_epoch_and_leap_days() {
        assert_eq!(super::iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(super::minute_utc(-1), "1969-12-31 23:59 UTC");
    }
}
