//! Wall-clock times of day (`HH:MM`), stored as minutes since midnight.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Minutes in a day; a midnight-crossing entry adds this to its end.
pub const MINUTES_PER_DAY: u32 = 1440;

/// A time of day with minute precision, `00:00` ..= `23:59`.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct ClockTime(u16);

/// Why a text is not a clock time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TimeError {
    /// Not of the form `HH:MM` (or `H:MM` where leniency is allowed).
    NotHhMm,
    /// Hours above 23 or minutes above 59.
    OutOfRange,
}

impl ClockTime {
    pub const MIDNIGHT: ClockTime = ClockTime(0);

    pub fn new(hour: u32, minute: u32) -> Option<Self> {
        (hour < 24 && minute < 60).then(|| Self((hour * 60 + minute) as u16))
    }

    pub fn from_minutes(minutes: u32) -> Option<Self> {
        (minutes < MINUTES_PER_DAY).then_some(Self(minutes as u16))
    }

    pub fn minutes_since_midnight(self) -> u32 {
        u32::from(self.0)
    }

    pub fn hour(self) -> u32 {
        self.minutes_since_midnight() / 60
    }

    pub fn minute(self) -> u32 {
        self.minutes_since_midnight() % 60
    }

    /// Strict `HH:MM`, as the API requires.
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        match Self::parse_lenient(text)? {
            (time, true) => Ok(time),
            (_, false) => Err(TimeError::NotHhMm),
        }
    }

    /// `HH:MM` or `H:MM`, as hand-written logs contain. The flag is false when the
    /// hour was not zero-padded (the caller warns and normalises).
    pub fn parse_lenient(text: &str) -> Result<(Self, bool), TimeError> {
        let bytes = text.as_bytes();
        let colon = text.find(':').ok_or(TimeError::NotHhMm)?;
        let (hour_digits, minute_digits) = (&bytes[..colon], &bytes[colon + 1..]);
        let all_digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
        if !(1..=2).contains(&hour_digits.len())
            || minute_digits.len() != 2
            || !all_digits(hour_digits)
            || !all_digits(minute_digits)
        {
            return Err(TimeError::NotHhMm);
        }
        let number = |b: &[u8]| b.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        let time = Self::new(number(hour_digits), number(minute_digits)).ok_or(TimeError::OutOfRange)?;
        Ok((time, hour_digits.len() == 2))
    }
}

impl ClockTime {
    /// Appends `HH:MM` without the formatting machinery (a log writes one or two per
    /// entry line).
    pub fn push_to(self, out: &mut String) {
        let digit = |value: u32| char::from(b'0' + (value % 10) as u8);
        out.push(digit(self.hour() / 10));
        out.push(digit(self.hour()));
        out.push(':');
        out.push(digit(self.minute() / 10));
        out.push(digit(self.minute()));
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ClockTime::parse(&text).map_err(|_| serde::de::Error::custom(format!("invalid time {text:?}; use HH:MM")))
    }
}

/// In the OpenAPI document: `HH:MM`, as it is sent.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ClockTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^\d{2}:\d{2}$"))
            .examples(["09:30"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ClockTime {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_padded_and_unpadded_times() {
        assert_eq!(ClockTime::parse_lenient("09:05"), Ok((ClockTime::new(9, 5).unwrap(), true)));
        assert_eq!(ClockTime::parse_lenient("9:05"), Ok((ClockTime::new(9, 5).unwrap(), false)));
        assert_eq!(ClockTime::parse("9:05"), Err(TimeError::NotHhMm));
        assert_eq!(ClockTime::parse("23:59").unwrap().to_string(), "23:59");
    }

    #[test]
    fn rejects_out_of_range_and_malformed() {
        assert_eq!(ClockTime::parse("25:00"), Err(TimeError::OutOfRange));
        assert_eq!(ClockTime::parse("09:60"), Err(TimeError::OutOfRange));
        assert_eq!(ClockTime::parse("24:00"), Err(TimeError::OutOfRange));
        for bad in ["", "0900", "9:5", "09:5", "123:00", "ab:cd", "09:00 ", "-1:00", "09:000"] {
            assert_eq!(ClockTime::parse(bad), Err(TimeError::NotHhMm), "{bad}");
        }
    }
}
