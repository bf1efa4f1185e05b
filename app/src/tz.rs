//! Time zones on the server: IANA zone validation and DST-correct formatting of event times.

use crate::domain::Invalid;
use jiff::{tz::TimeZone, Timestamp, Zoned};

/// Looks up an IANA time zone name such as `Europe/Berlin`.
pub fn parse_zone(name: &str) -> Result<TimeZone, Invalid> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err("Please choose a time zone.".into());
    }
    TimeZone::get(name).map_err(|_| Invalid(format!("\"{name}\" is not a time zone we know; use a name such as Europe/Berlin.")))
}

/// Every IANA zone name that people pick from, sorted, without legacy aliases.
pub fn zone_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .filter(|n| {
                n == "UTC"
                    || (n.contains('/')
                        && !n.starts_with("Etc/")
                        && !n.starts_with("SystemV/")
                        && !n.starts_with("US/")
                        && !n.starts_with("posix")
                        && !n.starts_with("right/")
                        && n.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
            })
            .collect();
        names.sort();
        names.dedup();
        names
    })
}

/// Converts a Unix time in seconds to that instant in `zone`.
pub fn zoned(unix_seconds: i64, zone: &TimeZone) -> Zoned {
    Timestamp::from_second(unix_seconds)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
}

/// "Tuesday, 1 December 2026, 15:00 – 16:30 (CET)" or, across days, both dates in full.
pub fn format_range(start: i64, end: i64, zone: &TimeZone) -> String {
    let s = zoned(start, zone);
    let e = zoned(end, zone);
    let day = |z: &Zoned| z.strftime("%A, %-d %B %Y").to_string();
    let time = |z: &Zoned| z.strftime("%H:%M").to_string();
    let abbrev = |z: &Zoned| z.strftime("%Z").to_string();
    if s.date() == e.date() {
        format!("{}, {} – {} ({})", day(&s), time(&s), time(&e), abbrev(&e))
    } else {
        format!(
            "{}, {} ({}) – {}, {} ({})",
            day(&s),
            time(&s),
            abbrev(&s),
            day(&e),
            time(&e),
            abbrev(&e)
        )
    }
}

/// The local wall-clock time of an instant as `2026-12-01T15:00:00`, for forms and Graph's
/// `dateTimeTimeZone`.
pub fn local_datetime(unix_seconds: i64, zone: &TimeZone) -> String {
    zoned(unix_seconds, zone).datetime().strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Interprets a wall-clock time (`2026-12-01T15:00` or with seconds) in `zone`. A time skipped by
/// a DST change moves forward, and an ambiguous one takes the earlier instant, as calendars do.
pub fn parse_local_datetime(text: &str, zone: &TimeZone) -> Result<i64, Invalid> {
    let dt: jiff::civil::DateTime = text
        .trim()
        .parse()
        .map_err(|_| Invalid::from("Please enter a date and time like 2026-12-01T15:00."))?;
    let zoned = zone.to_ambiguous_zoned(dt).compatible().map_err(|e| Invalid(e.to_string()))?;
    Ok(zoned.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_validated() {
        assert!(parse_zone("Europe/Berlin").is_ok());
        assert!(parse_zone("America/Argentina/Buenos_Aires").is_ok());
        assert!(parse_zone("Mars/Olympus").unwrap_err().0.contains("Mars/Olympus"));
        assert!(parse_zone("").is_err());
        assert!(zone_names().iter().any(|z| z == "Asia/Kolkata"));
        assert!(!zone_names().iter().any(|z| z.starts_with("Etc/")));
    }

    #[test]
    fn formatting_follows_daylight_saving() {
        let berlin = parse_zone("Europe/Berlin").unwrap();
        // 2026-07-01 13:00 UTC is 15:00 CEST; 2026-12-01 14:00 UTC is 15:00 CET.
        let summer = parse_local_datetime("2026-07-01T15:00", &berlin).unwrap();
        assert_eq!(summer, 1_782_910_800);
        let winter = parse_local_datetime("2026-12-01T15:00", &berlin).unwrap();
        assert_eq!(winter, 1_796_133_600);
        assert_eq!(
            format_range(winter, winter + 5400, &berlin),
            "Tuesday, 1 December 2026, 15:00 – 16:30 (CET)"
        );
        assert!(format_range(summer, summer + 3600, &berlin).ends_with("(CEST)"));
        let tokyo = parse_zone("Asia/Tokyo").unwrap();
        assert!(format_range(winter, winter + 3600, &tokyo).contains("Wednesday, 2 December 2026, 00:00"));
    }

    #[test]
    fn skipped_and_repeated_hours() {
        let ny = parse_zone("America/New_York").unwrap();
        // 2026-03-08 02:30 does not exist in New York; it moves forward to 03:30 EDT.
        let skipped = parse_local_datetime("2026-03-08T02:30", &ny).unwrap();
        assert_eq!(local_datetime(skipped, &ny), "2026-03-08T03:30:00");
        // 2026-11-01 01:30 happens twice; the earlier (EDT, UTC-4) is chosen.
        let twice = parse_local_datetime("2026-11-01T01:30", &ny).unwrap();
        assert_eq!(twice, 1_793_511_000);
        assert!(parse_local_datetime("yesterday", &ny).is_err());
    }
}
