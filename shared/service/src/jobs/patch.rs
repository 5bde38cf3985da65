//! Line patches between two published versions of a log, so that keeping every
//! published version costs what changed, not the whole year (docs/ingest.md, Versions).
//!
//! A patch is text: a header naming its base version, the hash of the base, and the new
//! text's length and hash; then edit lines over the base's lines — `=N` copies N lines,
//! `-N` skips N, `+N` is followed by N new lines as they are. Lines keep their own
//! endings (CRLF, a missing final newline), so applying a patch gives back the exact
//! bytes, which the hash checks.

use sha2::{Digest, Sha256};
use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const MAGIC: &str = "tm-log-patch 1";

/// Why a stored patch cannot be applied: it is not one, or it does not belong to the base.
#[derive(Debug, thiserror::Error)]
#[error("log patch: {0}")]
pub struct PatchError(String);

fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())[..8].iter().fold(String::with_capacity(16), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The patch that turns `old` (version `base`) into `new`. A diff that takes too long
/// (pathological input) stops early and is less minimal, never wrong.
pub fn diff(base: u64, old: &str, new: &str) -> String {
    let (old_lines, new_lines) = (lines(old), lines(new));
    let deadline = Some(Instant::now() + Duration::from_secs(2));
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &old_lines, &new_lines, deadline);
    let mut out = format!("{MAGIC} base={base} from={} size={} sha256={}\n", digest(old), new.len(), digest(new));
    // Only the text's last line can lack its newline; `!` marks that one is added here
    // (and taken away again when applied), so the next edit line starts a line.
    let insert = |out: &mut String, from: usize, len: usize| {
        let inserted = &new_lines[from..from + len];
        let unterminated = inserted.last().is_some_and(|l| !l.ends_with('\n'));
        let _ = writeln!(out, "+{len}{}", if unterminated { "!" } else { "" });
        inserted.iter().for_each(|l| out.push_str(l));
        if unterminated {
            out.push('\n');
        }
    };
    for op in ops {
        match op {
            DiffOp::Equal { len, .. } => {
                let _ = writeln!(out, "={len}");
            }
            DiffOp::Delete { old_len, .. } => {
                let _ = writeln!(out, "-{old_len}");
            }
            DiffOp::Insert { new_index, new_len, .. } => insert(&mut out, new_index, new_len),
            DiffOp::Replace { old_len, new_index, new_len, .. } => {
                let _ = writeln!(out, "-{old_len}");
                insert(&mut out, new_index, new_len);
            }
        }
    }
    out
}

/// The version a patch applies to, read from its header.
pub fn base_of(patch: &str) -> Result<u64, PatchError> {
    Ok(header(patch)?.0)
}

/// (base version, hash of the base, size of the result, hash of the result, edits)
type Header<'a> = (u64, &'a str, usize, &'a str, &'a str);

fn header(patch: &str) -> Result<Header<'_>, PatchError> {
    let (first, rest) = patch.split_once('\n').ok_or_else(|| PatchError("no header".into()))?;
    let fields = first.strip_prefix(MAGIC).ok_or_else(|| PatchError("not a log patch".into()))?;
    let field = |name: &str| {
        fields
            .split_whitespace()
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| PatchError(format!("header without {name}")))
    };
    let base = field("base")?.parse().map_err(|_| PatchError("bad base".into()))?;
    let size = field("size")?.parse().map_err(|_| PatchError("bad size".into()))?;
    Ok((base, field("from")?, size, field("sha256")?, rest))
}

/// Applies a patch to its base's text, checking that the result is the text it was made from.
pub fn apply(patch: &str, old: &str) -> Result<String, PatchError> {
    let (_, from, size, hash, mut rest) = header(patch)?;
    if digest(old) != from {
        return Err(PatchError("the patch was made from another text than this base".into()));
    }
    let old_lines = lines(old);
    let mut at = 0;
    let mut out = String::with_capacity(size);
    while !rest.is_empty() {
        let (op, tail) = rest.split_once('\n').ok_or_else(|| PatchError("truncated edit line".into()))?;
        rest = tail;
        let (digits, unterminated) = match op.strip_suffix('!') {
            Some(d) => (d, true),
            None => (op, false),
        };
        let count: usize =
            digits.get(1..).and_then(|n| n.parse().ok()).ok_or_else(|| PatchError(format!("bad edit {op:?}")))?;
        match digits.as_bytes()[0] {
            b'=' => {
                let copied = old_lines.get(at..at + count).ok_or_else(|| PatchError("copies past the base".into()))?;
                copied.iter().for_each(|l| out.push_str(l));
                at += count;
            }
            b'-' => {
                at += count;
                if at > old_lines.len() {
                    return Err(PatchError("skips past the base".into()));
                }
            }
            b'+' => {
                for _ in 0..count {
                    let end = rest.find('\n').map_or(rest.len(), |i| i + 1);
                    if end == 0 {
                        return Err(PatchError("fewer inserted lines than announced".into()));
                    }
                    out.push_str(&rest[..end]);
                    rest = &rest[end..];
                }
                if unterminated && out.pop() != Some('\n') {
                    return Err(PatchError("a marked last line without its newline".into()));
                }
            }
            _ => return Err(PatchError(format!("bad edit {op:?}"))),
        }
    }
    if at != old_lines.len() || out.len() != size || digest(&out) != hash {
        return Err(PatchError("the result does not match the text the patch was made from".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_one_line_change_is_a_small_patch() {
        let old: String = (0..5000).map(|i| format!("- **09:00-10:00**: task {i} [[P]]\n")).collect();
        let new = old.replace("task 2500 ", "task 2500 edited ");
        let patch = diff(7, &old, &new);
        assert!(patch.len() < 200, "{} bytes", patch.len());
        assert_eq!(base_of(&patch).unwrap(), 7);
        assert_eq!(apply(&patch, &old).unwrap(), new);
    }

    #[test]
    fn a_patch_refuses_another_base() {
        let patch = diff(1, "a\nb\n", "a\nc\n");
        assert!(apply(&patch, "a\nx\n").is_err());
        assert!(apply(&patch, "a\n").is_err());
        assert!(apply("not a patch", "a\n").is_err());
    }

    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(prop_oneof![Just("a\n"), Just("b\r\n"), Just("\n"), Just("c"), Just("é\n")], 0..40)
            .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn applying_a_diff_gives_back_the_exact_bytes(old in text(), new in text()) {
            prop_assert_eq!(apply(&diff(3, &old, &new), &old).unwrap(), new);
        }
    }
}
