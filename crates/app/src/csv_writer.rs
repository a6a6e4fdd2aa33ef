//! The one CSV writer: every CSV file coopnet writes (`coopnet coop export --format csv`,
//! `/exports/coops.csv`) goes through [`CsvWriter`], so every cell is neutralised against
//! spreadsheet formulas by the same rule (`coopnet_core::csv_cell`), whoever typed it: a
//! co-op's editor, an importer, or a peer network naming itself.
//!
//! RFC 4180 quoting is the csv crate's; rows end in `\n`.
use coopnet_core::csv_cell;

use crate::AppError;

/// Writes rows of text cells into a CSV document in memory.
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvWriter {
    /// An empty document.
    pub fn new() -> Self {
        Self {
            inner: csv::Writer::from_writer(Vec::new()),
        }
    }

    /// Writes one row (the header row too), each cell escaped with [`csv_cell::escape`].
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), AppError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner
            .write_record(
                cells
                    .into_iter()
                    .map(|c| csv_cell::escape(c.as_ref()).into_owned()),
            )
            .map_err(|e| AppError::caused("writing CSV", e))
    }

    /// The document.
    pub fn finish(self) -> Result<String, AppError> {
        let bytes = self
            .inner
            .into_inner()
            .map_err(|e| AppError::caused("writing CSV", e.into_error()))?;
        String::from_utf8(bytes).map_err(|e| AppError::caused("writing CSV", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_is_neutralised_and_quoted() {
        let mut w = CsvWriter::new();
        w.row(["name", "longitude"]).expect("header");
        w.row(["=HYPERLINK(\"http://x\",\"y\")", "-0.1276"])
            .expect("row");
        w.row(["A, B", "@SUM(1)"]).expect("row");
        let text = w.finish().expect("text");
        assert_eq!(
            text,
            "name,longitude\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-0.1276\n\"A, B\",'@SUM(1)\n"
        );
    }
}
