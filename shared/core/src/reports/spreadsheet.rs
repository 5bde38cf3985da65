//! CSV for spreadsheets. A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
//! return is read as a formula by Excel, LibreOffice and Google Sheets, so a task like
//! `=HYPERLINK(...)` would run when a colleague opens a team CSV. Every cell written
//! here follows OWASP's rule: such a cell is prefixed with `'`, which spreadsheets show
//! as text. JSON and Markdown outputs are never changed.

use std::borrow::Cow;

/// The cell as a spreadsheet will show it as text.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Writes CSV rows to memory with every cell neutralised; quotes only where needed.
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    pub fn new() -> Self {
        Self { inner: csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Necessary).from_writer(Vec::new()) }
    }

    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let record: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        // Writing to memory cannot fail.
        self.inner.write_record(&record).expect("in-memory CSV write");
    }

    pub fn finish(self) -> String {
        let bytes = self.inner.into_inner().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("CSV of UTF-8 cells is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_become_text_and_others_stay() {
        for (cell, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("Plain task", "Plain task"),
            ("a=b", "a=b"),
            ("", ""),
            ("2025-07-29", "2025-07-29"),
        ] {
            assert_eq!(neutralise(cell), shown, "{cell:?}");
        }
        let mut w = CsvWriter::new();
        w.row(["task", "notes"]);
        w.row(["=1+1", "fine, with a comma"]);
        assert_eq!(w.finish(), "task,notes\n'=1+1,\"fine, with a comma\"\n");
    }
}
