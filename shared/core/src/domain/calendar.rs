//! Fiscal years, Monday–Sunday weeks, months, and "today" in an IANA zone.
//! Everything is derived from a date's components; no server time zone is involved.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use std::fmt;

use super::time::ClockTime;

/// Why a calendar input was refused; the message says the expected form.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CalendarError(pub String);

impl fmt::Display for CalendarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CalendarError {}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn month_name(month: u32) -> &'static str {
    MONTH_NAMES[(month - 1) as usize]
}

/// Years a date may have (docs/rules.md §3: dates outside 1900–2999 are refused): a typo like
/// `0025` or `20255` never becomes an entry that no year's log can hold.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

fn year_problem(year: i32, text: &str) -> Option<CalendarError> {
    (!YEARS.contains(&year)).then(|| {
        CalendarError(format!(
            "{text} has the year {year:04}; dates must be in the years {}-{}, check the year",
            YEARS.start(),
            YEARS.end()
        ))
    })
}

/// Strict `YYYY-MM-DD` that is a calendar date in the years 1900–2999.
pub fn parse_date(text: &str) -> Result<NaiveDate, CalendarError> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(CalendarError(format!("invalid date {text:?}; use YYYY-MM-DD, e.g. 2025-07-29")));
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    if let Some(problem) = year_problem(number(0..4) as i32, text) {
        return Err(problem);
    }
    NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10)).ok_or(()).map_err(|_| {
        CalendarError(format!("{text} is not a calendar date; check the month (01-12) and the day of the month"))
    })
}

/// The tenant's fiscal-year rule: the year starts on the 1st of `start_month`.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct FiscalCalendar {
    start_month: u32,
}

impl Default for FiscalCalendar {
    /// July, as the single-user tool had it.
    fn default() -> Self {
        Self { start_month: 7 }
    }
}

impl FiscalCalendar {
    pub fn new(start_month: u32) -> Result<Self, CalendarError> {
        if (1..=12).contains(&start_month) {
            Ok(Self { start_month })
        } else {
            Err(CalendarError(format!("fiscal-year start month must be 1-12, got {start_month}")))
        }
    }

    pub fn start_month(&self) -> u32 {
        self.start_month
    }

    pub fn fiscal_year_of(&self, date: NaiveDate) -> FiscalYear {
        let first_year = if date.month() >= self.start_month { date.year() } else { date.year() - 1 };
        FiscalYear { first_year, start_month: self.start_month }
    }

    /// `YYYY-YYYY` whose second year follows from the start month.
    pub fn parse_label(&self, label: &str) -> Result<FiscalYear, CalendarError> {
        let expected_gap = if self.start_month == 1 { 0 } else { 1 };
        let example = 2025 + expected_gap;
        let form = || {
            CalendarError(format!(
                "invalid fiscal year {label:?}; use YYYY-YYYY with the second year {} (fiscal years start in {}), e.g. 2025-{example}",
                if expected_gap == 0 { "equal to the first" } else { "one after the first" },
                month_name(self.start_month)
            ))
        };
        let b = label.as_bytes();
        if b.len() != 9 || b[4] != b'-' || !b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit()) {
            return Err(form());
        }
        let first: i32 = label[..4].parse().map_err(|_| form())?;
        let second: i32 = label[5..].parse().map_err(|_| form())?;
        if second - first != expected_gap {
            return Err(form());
        }
        // The year must hold dates we accept (1900-01-01 is in 1899-1900 with a July start).
        if second < *YEARS.start() || first > *YEARS.end() {
            return Err(CalendarError(format!(
                "fiscal year {label} holds no date in the years {}-{}; check the year",
                YEARS.start(),
                YEARS.end()
            )));
        }
        Ok(FiscalYear { first_year: first, start_month: self.start_month })
    }
}

/// One fiscal year, e.g. 2025-07-01 ..= 2026-06-30 labelled `2025-2026`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct FiscalYear {
    pub first_year: i32,
    pub start_month: u32,
}

impl FiscalYear {
    pub fn start(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.first_year, self.start_month, 1).expect("valid month")
    }

    pub fn end(&self) -> NaiveDate {
        self.start() + Months::new(12) - Days::new(1)
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.start()..=self.end()).contains(&date)
    }

    pub fn label(&self) -> String {
        format!("{}-{}", self.first_year, self.end().year())
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Monday and Sunday of the week containing `date`.
pub fn week_of(date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = date - Days::new(u64::from(date.weekday().num_days_from_monday()));
    (monday, monday + Days::new(6))
}

/// A calendar month.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    /// `YYYY-MM`, or any `YYYY-MM-DD` inside the month.
    pub fn parse(text: &str) -> Result<Self, CalendarError> {
        if text.len() == 10 {
            return parse_date(text).map(Self::of);
        }
        let b = text.as_bytes();
        let err = || {
            CalendarError(format!(
                "invalid month {text:?}; use YYYY-MM (e.g. 2025-07) or a date YYYY-MM-DD inside the month"
            ))
        };
        if b.len() != 7 || b[4] != b'-' || !b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit()) {
            return Err(err());
        }
        let year: i32 = text[..4].parse().map_err(|_| err())?;
        let month: u32 = text[5..].parse().map_err(|_| err())?;
        if !(1..=12).contains(&month) {
            return Err(err());
        }
        if let Some(problem) = year_problem(year, text) {
            return Err(problem);
        }
        Ok(Self { year, month })
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(&self) -> NaiveDate {
        self.first_day() + Months::new(1) - Days::new(1)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// An IANA zone name such as `Europe/Berlin` or `UTC`.
pub fn parse_zone(name: &str) -> Result<Tz, CalendarError> {
    name.parse::<Tz>().map_err(|_| {
        CalendarError(format!("unknown time zone {name:?}; use an IANA name such as UTC or Europe/Berlin"))
    })
}

/// The wall-clock date and minute in `zone` at the instant `now`.
pub fn local_now(zone: Tz, now: DateTime<Utc>) -> (NaiveDate, ClockTime) {
    let local = now.with_timezone(&zone).naive_local();
    let time = ClockTime::new(local.hour(), local.minute()).expect("a wall clock reads a valid time");
    (local.date(), time)
}

pub fn today_in(zone: Tz, now: DateTime<Utc>) -> NaiveDate {
    local_now(zone, now).0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dates_outside_1900_to_2999_are_refused_everywhere() {
        for bad in ["0000-01-01", "1899-12-31", "3000-01-01", "0025-07-29"] {
            let e = parse_date(bad).unwrap_err();
            assert!(e.0.contains("1900-2999"), "{bad}: {e}");
        }
        assert!(parse_date("1900-01-01").is_ok() && parse_date("2999-12-31").is_ok());
        assert!(Month::parse("0000-07").is_err() && Month::parse("2999-12").is_ok());
        let july = FiscalCalendar::default();
        assert!(july.parse_label("1899-1900").is_ok(), "holds 1900-01-01");
        assert!(july.parse_label("0000-0001").is_err() && july.parse_label("1898-1899").is_err());
        assert!(july.parse_label("2999-3000").is_ok() && july.parse_label("3000-3001").is_err());
    }

    #[test]
    fn fiscal_year_with_july_start() {
        let cal = FiscalCalendar::default();
        assert_eq!(cal.fiscal_year_of(d("2025-07-01")).label(), "2025-2026");
        assert_eq!(cal.fiscal_year_of(d("2026-06-30")).label(), "2025-2026");
        assert_eq!(cal.fiscal_year_of(d("2025-06-30")).label(), "2024-2025");
        let fy = cal.parse_label("2025-2026").unwrap();
        assert_eq!((fy.start(), fy.end()), (d("2025-07-01"), d("2026-06-30")));
        assert!(cal.parse_label("2025-2025").is_err());
        assert!(cal.parse_label("2025-2027").is_err());
        assert!(cal.parse_label("25-26").is_err());
        let msg = cal.parse_label("2025/2026").unwrap_err().0;
        assert!(msg.contains("YYYY-YYYY") && msg.contains("2025-2026"), "{msg}");
    }

    #[test]
    fn fiscal_year_with_january_and_other_starts() {
        let jan = FiscalCalendar::new(1).unwrap();
        assert_eq!(jan.fiscal_year_of(d("2025-01-01")).label(), "2025-2025");
        assert_eq!(jan.fiscal_year_of(d("2025-12-31")).label(), "2025-2025");
        assert!(jan.parse_label("2025-2025").is_ok());
        assert!(jan.parse_label("2025-2026").is_err());
        let oct = FiscalCalendar::new(10).unwrap();
        let fy = oct.fiscal_year_of(d("2025-09-30"));
        assert_eq!((fy.label(), fy.start(), fy.end()), ("2024-2025".into(), d("2024-10-01"), d("2025-09-30")));
        assert!(FiscalCalendar::new(0).is_err() && FiscalCalendar::new(13).is_err());
        // A leap day inside a February-start year.
        let feb = FiscalCalendar::new(2).unwrap().parse_label("2023-2024").unwrap();
        assert_eq!(feb.end(), d("2024-01-31"));
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        assert_eq!(week_of(d("2025-07-27")), (d("2025-07-21"), d("2025-07-27")));
        assert_eq!(week_of(d("2025-07-29")), (d("2025-07-28"), d("2025-08-03")));
        assert_eq!(week_of(d("2025-07-28")), (d("2025-07-28"), d("2025-08-03")));
    }

    #[test]
    fn months_parse_strictly() {
        assert_eq!(Month::parse("2025-07").unwrap(), Month { year: 2025, month: 7 });
        assert_eq!(Month::parse("2025-07-29").unwrap(), Month { year: 2025, month: 7 });
        for bad in ["2025-7", "25-07", "2025-13", "2025-00", "2025-02-30", "July"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
        let feb = Month::parse("2024-02").unwrap();
        assert_eq!((feb.first_day(), feb.last_day()), (d("2024-02-01"), d("2024-02-29")));
    }

    #[test]
    fn dates_parse_strictly() {
        assert!(parse_date("2025-07-29").is_ok());
        assert!(parse_date("2025-02-30").unwrap_err().0.contains("not a calendar date"));
        assert!(parse_date("2025-7-29").unwrap_err().0.contains("YYYY-MM-DD"));
        assert!(parse_date("29/07/2025").is_err());
    }

    #[test]
    fn today_depends_on_the_zone() {
        let now: DateTime<Utc> = "2025-07-29T23:30:00Z".parse().unwrap();
        assert_eq!(today_in(parse_zone("UTC").unwrap(), now), d("2025-07-29"));
        assert_eq!(today_in(parse_zone("Europe/Berlin").unwrap(), now), d("2025-07-30"));
        let (date, time) = local_now(parse_zone("America/New_York").unwrap(), now);
        assert_eq!((date, time.to_string()), (d("2025-07-29"), "19:30".into()));
        assert!(parse_zone("Mars/Olympus").unwrap_err().0.contains("IANA"));
    }
}
