//! Showing stored times (unix milliseconds, UTC) in Korea's time zone,
//! written the way each language writes them: `2026.12.02 15:37` in
//! Korean, `Dec 2, 2026, 3:37 PM KST` in English.

use crate::locale::Locale;

/// Korea Standard Time, UTC+9. Korea has kept it all year round, with no
/// summer time, since 1988, so a fixed offset is exact for every time the
/// shop stores.
const SEOUL_OFFSET_SECS: i64 = 9 * 3600;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A unix time in milliseconds as Seoul's wall clock shows it.
pub fn format_millis(millis: i64, locale: Locale) -> String {
    let secs = millis.div_euclid(1000) + SEOUL_OFFSET_SECS;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hour, minute) = (rem / 3600, (rem % 3600) / 60);
    match locale {
        Locale::ko => format!("{y:04}.{m:02}.{d:02} {hour:02}:{minute:02}"),
        Locale::en => {
            let (h12, half) = match hour {
                0 => (12, "AM"),
                1..=11 => (hour, "AM"),
                12 => (12, "PM"),
                _ => (hour - 12, "PM"),
            };
            let month = MONTHS[(m - 1) as usize];
            format!("{month} {d}, {y}, {h12}:{minute:02} {half} KST")
        }
    }
}

/// The unix time in milliseconds at which the day holding `millis` began
/// in Seoul (the shop's "today").
pub fn start_of_day_in_seoul(millis: i64) -> i64 {
    let local = millis + SEOUL_OFFSET_SECS * 1000;
    local - local.rem_euclid(86_400_000) - SEOUL_OFFSET_SECS * 1000
}

/// The unix time in milliseconds at which the day `raw` (`YYYY-MM-DD`)
/// began in Seoul; `None` for anything else or a day no calendar has.
pub fn parse_day_in_seoul(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    if !raw.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<i64> {
        let part = &raw[from..to];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, m, d) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let days = days_from_civil(y, m as u32, d as u32);
    // The 31st of a 30-day month lands on the next month's first: refused.
    if civil_from_days(days) != (y, m as u32, d as u32) {
        return None;
    }
    Some(days * 86_400_000 - SEOUL_OFFSET_SECS * 1000)
}

/// The unix time in milliseconds of a wall-clock time in Seoul written
/// `YYYY-MM-DDTHH:MM` (as a `datetime-local` input sends it; a space for
/// the `T` is taken too); `None` for anything else.
pub fn parse_time_in_seoul(raw: &str) -> Option<i64> {
    let (day, time) = raw.split_once(['T', ' '])?;
    let start = parse_day_in_seoul(day)?;
    let (hour, minute) = time.split_once(':')?;
    let two_digits = |part: &str| -> Option<i64> {
        (part.len() == 2 && part.bytes().all(|c| c.is_ascii_digit()))
            .then(|| part.parse().ok())
            .flatten()
    };
    let (hour, minute) = (two_digits(hour)?, two_digits(minute)?);
    (hour < 24 && minute < 60).then_some(start + (hour * 60 + minute) * 60_000)
}

/// A unix time in milliseconds as a `datetime-local` input's value in
/// Seoul: `2026-12-24T09:00` (seconds dropped).
pub fn input_value_in_seoul(millis: i64) -> String {
    let secs = millis.div_euclid(1000) + SEOUL_OFFSET_SECS;
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_seoul_times() {
        // 2026-12-02 06:37 UTC is 15:37 in Seoul.
        let t = 1_796_193_420_000;
        assert_eq!(format_millis(t, Locale::ko), "2026.12.02 15:37");
        assert_eq!(format_millis(t, Locale::en), "Dec 2, 2026, 3:37 PM KST");
    }

    #[test]
    fn form_times_are_seoul_times() {
        let t = 1_796_193_420_000;
        assert_eq!(input_value_in_seoul(t), "2026-12-02T15:37");
        assert_eq!(parse_time_in_seoul("2026-12-02T15:37"), Some(t));
        assert_eq!(parse_time_in_seoul("2026-12-02 15:37"), Some(t));
        for bad in [
            "2026-12-02",
            "2026-12-02T24:00",
            "2026-12-02T9:00",
            "2026-12-02T09:60",
            "x",
        ] {
            assert_eq!(parse_time_in_seoul(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_are_read_as_seoul_days() {
        // 2000-01-01 began in Seoul at 1999-12-31 15:00 UTC.
        assert_eq!(parse_day_in_seoul("2000-01-01"), Some(946_652_400_000));
        assert_eq!(
            parse_day_in_seoul("2000-02-29")
                .map(|t| format_millis(t, Locale::ko))
                .as_deref(),
            Some("2000.02.29 00:00")
        );
        for bad in [
            "2001-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "20261201",
            "",
            "2026-12-0a",
            "+026-12-01",
            "202é-1-01",
        ] {
            assert_eq!(parse_day_in_seoul(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_date_turns_at_midnight_in_seoul() {
        // 1999-12-31 15:00 UTC is already the new year in Seoul.
        let t = 946_652_400_000;
        assert_eq!(format_millis(t, Locale::ko), "2000.01.01 00:00");
        assert_eq!(format_millis(t, Locale::en), "Jan 1, 2000, 12:00 AM KST");
        assert_eq!(format_millis(0, Locale::ko), "1970.01.01 09:00");
        assert_eq!(
            format_millis(951_825_600_000, Locale::en),
            "Feb 29, 2000, 9:00 PM KST"
        );
        assert_eq!(
            format_millis(951_825_600_000 + 3 * 3_600_000, Locale::en),
            "Mar 1, 2000, 12:00 AM KST"
        );
    }

    #[test]
    fn today_begins_at_midnight_in_seoul() {
        // 2026-12-02 00:30 KST is 2026-12-01 15:30 UTC.
        let half_past_midnight = 1_796_139_000_000;
        let midnight = super::start_of_day_in_seoul(half_past_midnight);
        assert_eq!(half_past_midnight - midnight, 1_800_000);
        assert_eq!(
            format_millis(midnight, Locale::ko).split(' ').nth(1),
            Some("00:00")
        );
    }
}
