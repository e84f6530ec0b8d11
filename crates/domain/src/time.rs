//! Calendar dates from milliseconds since the epoch (proleptic Gregorian, UTC), for people: the
//! window and the CSV exports show the same times.

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

#[cfg(test)]
mod tests {
    #[test]
    fn dates_around_the_epoch_and_leap_days() {
        assert_eq!(super::iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(super::minute_utc(-1), "1969-12-31 23:59 UTC");
    }
}
