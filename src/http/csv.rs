//! CSV downloads. Every CSV the registry writes goes through [`Writer`], which neutralises any
//! cell a spreadsheet would run as a formula, so one organisation cannot plant a formula in
//! another's spreadsheet.

use crate::error::ApiError;
use actix_web::HttpResponse;
use actix_web::http::header;
use std::borrow::Cow;

/// A cell as written: text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading apostrophe, which spreadsheets show as text and never evaluate.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV document being written: UTF-8, comma separated, CRLF line ends (RFC 4180).
pub struct Writer {
    inner: csv::Writer<Vec<u8>>,
}

impl Writer {
    pub fn new() -> Writer {
        Writer::starting_with(Vec::new())
    }

    /// Starts with a byte order mark, so spreadsheets open the file as UTF-8.
    pub fn with_bom() -> Writer {
        Writer::starting_with(b"\xEF\xBB\xBF".to_vec())
    }

    fn starting_with(bytes: Vec<u8>) -> Writer {
        Writer {
            inner: csv::WriterBuilder::new()
                .has_headers(false)
                .terminator(csv::Terminator::CRLF)
                .flexible(false)
                .from_writer(bytes),
        }
    }

    /// Writes one row, each cell neutralised.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), ApiError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let cells: Vec<String> = cells.into_iter().map(|c| neutralise(c.as_ref()).into_owned()).collect();
        self.inner.write_record(&cells).map_err(ApiError::internal)
    }

    pub fn into_bytes(self) -> Result<Vec<u8>, ApiError> {
        self.inner.into_inner().map_err(ApiError::internal)
    }

    pub fn into_string(self) -> Result<String, ApiError> {
        String::from_utf8(self.into_bytes()?).map_err(ApiError::internal)
    }
}

impl Default for Writer {
    fn default() -> Writer {
        Writer::new()
    }
}

/// A CSV download named `file`.
pub fn response(body: impl actix_web::body::MessageBody + 'static, file: &str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")))
        .insert_header((header::VARY, "Accept"))
        .body(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_come_out_as_text() {
        for formula in ["=HYPERLINK(\"x\")", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(formula), format!("'{formula}"));
        }
        assert_eq!(neutralise("Oak House"), "Oak House");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn rows_are_crlf_and_neutralised() {
        let mut w = Writer::new();
        w.row(["name", "note"]).expect("row");
        w.row(["=1+1", "a, b"]).expect("row");
        assert_eq!(w.into_string().expect("csv"), "name,note\r\n'=1+1,\"a, b\"\r\n");
    }
}
