//! Tenant and user ids. They come from tokens and become parts of storage keys
//! (`T#{tenant}#U#{user}`, `tenants/{tenant}/users/{user}/…`), so only ids that cannot
//! nest into another key space are accepted: 1–128 of `A-Z a-z 0-9 _ -`. Cognito's
//! `sub` (a UUID) and a tenant id like `acme` fit; `#`, `/` and spaces never do.

use std::fmt;

pub const MAX_ID_CHARS: usize = 128;

/// Which id was refused, for the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidId {
    pub what: &'static str,
    pub value: String,
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: String = self.value.chars().take(40).collect();
        write!(
            f,
            "the {} id {shown:?} is not valid: ids are 1-{MAX_ID_CHARS} characters of letters, digits, '_' and '-'",
            self.what
        )
    }
}

impl std::error::Error for InvalidId {}

/// True for `[A-Za-z0-9_-]{1,128}`.
pub fn is_valid_id(text: &str) -> bool {
    (1..=MAX_ID_CHARS).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `text` when it is a valid id, else why not.
pub fn check_id<'a>(what: &'static str, text: &'a str) -> Result<&'a str, InvalidId> {
    if is_valid_id(text) { Ok(text) } else { Err(InvalidId { what, value: text.to_owned() }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_pass() {
        for ok in ["acme", "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "u_1", "A", &"x".repeat(128)] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "acme#U#victim", "a/b", "a b", "ü", "a.b", &"x".repeat(129), "a\n"] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
        assert!(check_id("tenant", "acme#U#x").unwrap_err().to_string().contains("tenant id"));
    }
}
