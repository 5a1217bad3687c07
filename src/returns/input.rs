//! Reading a return as JSON or CSV into rows of text, without giving up at the first problem:
//! every problem is collected with the row and field it concerns. Typed checks follow in
//! [`super::reconcile`].

use crate::error::{ApiError, FieldError};
use serde_json::Value;

/// The episode columns of a return, in template order. `child_id`, `kind` and `started_at` are
/// required; the others may be left empty.
pub const COLUMNS: &[&str] = &[
    "child_id",
    "kind",
    "started_at",
    "ended_at",
    "reported_to_police_at",
    "police_reference",
    "risk_indicators",
    "found_where",
    "safe_and_well_at",
    "safe_and_well_by",
    "return_interview_offered_at",
    "return_interview_offered_by",
    "return_interview_independent",
    "return_interview_outcome",
    "return_interview_not_offered_reason",
    "return_interview_completed_at",
];

/// Columns of the template that help the home recognise a child; ignored on upload.
pub const INFO_COLUMNS: &[&str] = &["given_name", "family_name", "date_of_birth"];

/// Columns a CSV return must have.
pub const REQUIRED: &[&str] = &["child_id", "kind", "started_at"];

pub const CHILD_ID: usize = 0;
pub const KIND: usize = 1;
pub const STARTED_AT: usize = 2;
pub const RISK: usize = 6;
pub const INDEPENDENT: usize = 12;

/// Largest body a return may have.
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Most episode rows a return may have.
pub const ROW_LIMIT: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// One episode row as text.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// `episodes[3]` (JSON, from 0) or `rows[5]` (CSV, the line the record starts on).
    pub label: String,
    /// One value per [`COLUMNS`] entry; empty text is None. Risk indicators are in `risk`.
    pub values: Vec<Option<String>>,
    pub risk: Vec<String>,
    /// Columns already reported as wrong (so later checks do not repeat them).
    pub reported: Vec<String>,
}

impl RawRow {
    fn new(label: String) -> RawRow {
        RawRow { label, values: vec![None; COLUMNS.len()], risk: Vec::new(), reported: Vec::new() }
    }
    pub fn get(&self, i: usize) -> Option<&str> {
        self.values.get(i).and_then(|v| v.as_deref())
    }
    pub fn field(&self, name: &str) -> String {
        format!("{}.{name}", self.label)
    }
    pub fn report(&mut self, errors: &mut Vec<FieldError>, name: &str, e: FieldError) {
        self.reported.push(name.to_string());
        errors.push(FieldError { field: self.field(name), ..e });
    }
}

/// A return as read, before typed checks.
#[derive(Debug)]
pub struct Parsed {
    pub format: Format,
    pub nil: Option<bool>,
    pub reason: Option<String>,
    pub rows: Vec<RawRow>,
    /// Problems found while reading.
    pub errors: Vec<FieldError>,
}

impl Parsed {
    /// The field to name when the return says nothing about `nil`, or has no episodes.
    pub fn rows_field(&self) -> &'static str {
        match self.format {
            Format::Json => "episodes",
            Format::Csv => "body",
        }
    }
}

fn too_many_rows(n: usize) -> ApiError {
    ApiError::PayloadTooLarge {
        detail: format!(
            "The return has more than {ROW_LIMIT} episode rows ({n} or more); split it or contact the registry."
        ),
    }
}

fn value(v: &str) -> Option<String> {
    let t = v.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Reads a JSON return: `{"nil": bool, "reason": string?, "episodes": [...]}`.
pub fn from_json(bytes: &[u8]) -> Result<Parsed, ApiError> {
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        let msg = e.to_string();
        ApiError::BadRequest {
            detail: format!("The body is not valid JSON: {msg}."),
            errors: vec![FieldError::new("body", msg)],
        }
    })?;
    let Value::Object(top) = v else {
        return Err(ApiError::BadRequest {
            detail: "The body must be a JSON object with nil, reason and episodes.".into(),
            errors: vec![FieldError::new("body", "must be a JSON object")],
        });
    };
    let mut p = Parsed { format: Format::Json, nil: None, reason: None, rows: Vec::new(), errors: Vec::new() };
    let mut episodes = Vec::new();
    for (k, v) in top {
        match (k.as_str(), v) {
            ("nil", Value::Bool(b)) => p.nil = Some(b),
            ("nil", _) => p.errors.push(FieldError::new("nil", "must be true or false")),
            ("reason", Value::Null) => {}
            ("reason", Value::String(s)) => p.reason = Some(s),
            ("reason", _) => p.errors.push(FieldError::new("reason", "must be a string")),
            ("episodes", Value::Array(a)) => episodes = a,
            ("episodes", Value::Null) => {}
            ("episodes", _) => p.errors.push(FieldError::new("episodes", "must be an array of episodes")),
            (other, _) => p.errors.push(FieldError::new(other, "is not a field of a return (nil, reason, episodes)")),
        }
    }
    if episodes.len() > ROW_LIMIT {
        return Err(too_many_rows(episodes.len()));
    }
    p.rows.reserve(episodes.len());
    for (i, e) in episodes.into_iter().enumerate() {
        let mut row = RawRow::new(format!("episodes[{i}]"));
        let Value::Object(obj) = e else {
            p.errors.push(FieldError::new(row.label.clone(), "must be an object"));
            continue;
        };
        for (k, v) in obj {
            let Some(col) = COLUMNS.iter().position(|c| *c == k) else {
                let e = FieldError::new("", "is not a field of an episode");
                row.report(&mut p.errors, &k, e);
                continue;
            };
            match (col, v) {
                (_, Value::Null) => {}
                (RISK, Value::Array(items)) => {
                    for (j, item) in items.into_iter().enumerate() {
                        match item {
                            Value::String(s) => row.risk.push(s),
                            _ => {
                                let name = format!("risk_indicators[{j}]");
                                row.report(&mut p.errors, &name, FieldError::new("", "must be a string"));
                                row.risk.push(String::new());
                            }
                        }
                    }
                }
                (RISK, _) => {
                    row.report(&mut p.errors, "risk_indicators", FieldError::new("", "must be an array of strings"))
                }
                (INDEPENDENT, Value::Bool(b)) => row.values[col] = Some(b.to_string()),
                (INDEPENDENT, _) => {
                    row.report(&mut p.errors, COLUMNS[col], FieldError::new("", "must be true or false"))
                }
                (_, Value::String(s)) => row.values[col] = value(&s),
                (_, _) => row.report(&mut p.errors, COLUMNS[col], FieldError::new("", "must be a string")),
            }
        }
        p.rows.push(row);
    }
    Ok(p)
}

/// Reads a CSV return (UTF-8, with or without a byte order mark): a header row naming the
/// columns, then one row per episode. `nil` and `reason` come from the query string.
pub fn from_csv(bytes: &[u8], nil: Option<bool>, reason: Option<String>) -> Result<Parsed, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut p = Parsed { format: Format::Csv, nil, reason, rows: Vec::new(), errors: Vec::new() };
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
            return Err(ApiError::field(
                format!("rows[{line}]"),
                format!("is not UTF-8 text (byte {at}); save the file as CSV UTF-8"),
            ));
        }
    };
    if text.trim().is_empty() {
        return Ok(p);
    }
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter { text: text.as_bytes(), offset: 0, line: 1 };
    let mut columns: Vec<Option<usize>> = Vec::new();
    let mut header_seen = false;
    let mut data_rows = 0usize;
    loop {
        let before = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = lines.line_at(e.position().map_or(before, |p| p.byte()));
                p.errors.push(FieldError::new(format!("rows[{line}]"), format!("cannot be read as CSV: {e}")));
                continue;
            }
        }
        let line = lines.line_at(record.position().map_or(before, |p| p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            columns = header(&record, &mut p.errors);
            if REQUIRED.iter().any(|r| !columns.contains(&COLUMNS.iter().position(|c| c == r))) {
                // Without the required columns the rows cannot be read: report the header alone.
                return Err(ApiError::validation(std::mem::take(&mut p.errors)));
            }
            continue;
        }
        data_rows += 1;
        if data_rows > ROW_LIMIT {
            return Err(too_many_rows(data_rows));
        }
        let mut row = RawRow::new(format!("rows[{line}]"));
        if record.len() != columns.len() {
            p.errors.push(FieldError::new(
                row.label.clone(),
                format!(
                    "has {} fields but the header has {}; quote values that contain commas",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        for (cell, col) in record.iter().zip(&columns) {
            if let Some(col) = *col {
                row.values[col] = value(cell);
            }
        }
        if row.values.iter().enumerate().all(|(i, v)| i == CHILD_ID || v.is_none()) {
            // A template row (a child with no episode) or a row with only names: no episode.
            continue;
        }
        if let Some(r) = row.values[RISK].take() {
            row.risk = r.split([';', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        }
        p.rows.push(row);
    }
    Ok(p)
}

/// Line numbers (from 1) of records, from their byte offsets, counted once through the text.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line a record starting at `byte` begins on (line breaks left before it are skipped).
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.offset {
            self.line += self.text[self.offset..start].iter().filter(|b| **b == b'\n').count() as u64;
            self.offset = start;
        }
        self.line
    }
}

/// Maps header cells to episode columns (None for the ignored template columns), listing
/// unknown, repeated and missing columns.
fn header(record: &csv::StringRecord, errors: &mut Vec<FieldError>) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(record.len());
    for (i, cell) in record.iter().enumerate() {
        let name = cell.trim().to_ascii_lowercase();
        let col = COLUMNS.iter().position(|c| *c == name);
        if col.is_none() && !INFO_COLUMNS.contains(&name.as_str()) {
            let shown = if name.is_empty() { format!("column {}", i + 1) } else { name.clone() };
            errors.push(FieldError::new(
                format!("header.{shown}"),
                format!("is not a column of a return; the columns are {}", all_columns().join(", ")),
            ));
        } else if col.is_some() && out.contains(&col) {
            errors.push(FieldError::new(format!("header.{name}"), "appears more than once"));
        }
        out.push(col);
    }
    for r in REQUIRED {
        if !out.contains(&COLUMNS.iter().position(|c| c == r)) {
            errors.push(FieldError::new(format!("header.{r}"), "is a required column and is missing"));
        }
    }
    out
}

/// Every column a CSV return may have, in template order.
pub fn all_columns() -> Vec<&'static str> {
    let mut cols = vec![COLUMNS[CHILD_ID]];
    cols.extend_from_slice(INFO_COLUMNS);
    cols.extend_from_slice(&COLUMNS[1..]);
    cols
}

/// One row of a template: a child, and an episode already reported (or none).
pub struct TemplateRow {
    pub child_id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    /// Episode values by [`COLUMNS`] index after `child_id` (empty for a blank row).
    pub episode: Vec<String>,
}

/// Writes a template as UTF-8 CSV with a byte order mark (so spreadsheets read it as UTF-8).
pub fn write_template(rows: &[TemplateRow]) -> Result<Vec<u8>, ApiError> {
    let mut w = crate::http::csv::Writer::with_bom();
    w.row(all_columns())?;
    let blank = vec![String::new(); COLUMNS.len() - 1];
    for r in rows {
        let episode = if r.episode.is_empty() { &blank } else { &r.episode };
        let mut rec: Vec<&str> = vec![&r.child_id, &r.given_name, &r.family_name, &r.date_of_birth];
        rec.extend(episode.iter().map(String::as_str));
        w.row(&rec)?;
    }
    w.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn csv_with_bom_quotes_template_rows_and_line_numbers() {
        let csv = "\u{feff}child_id,given_name,kind,started_at,police_reference,risk_indicators\n\
                   c1,Amy,M,2026-07-01 10:00,\"WY, 1\",\"trafficking; other\"\n\
                   c2,Ben,,,,\n\
                   c3,\"Multi\nLine\",A,2026-07-02T10:00:00Z,,\n";
        let p = from_csv(csv.as_bytes(), None, None).expect("parsed");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].label, "rows[2]");
        assert_eq!(p.rows[0].get(5), Some("WY, 1"));
        assert_eq!(p.rows[0].risk, ["trafficking", "other"]);
        assert_eq!(p.rows[1].label, "rows[4]");
    }

    #[test]
    fn csv_headers_are_checked() {
        let Err(ApiError::Validation { errors, .. }) = from_csv(b"child_id,kind,colour\nc1,M,red\n", None, None) else {
            panic!("a missing column is refused");
        };
        assert_eq!(fields(&errors), ["header.colour", "header.started_at"]);
        let p = from_csv(b"child_id,kind,started_at,colour\r\n\r\nc1,M,x,red\r\n", None, None).expect("parsed");
        assert_eq!(fields(&p.errors), ["header.colour"]);
        assert_eq!(p.rows[0].label, "rows[3]");
        let p = from_csv(b"child_id,kind,started_at,kind\n", None, None).expect("parsed");
        assert_eq!(fields(&p.errors), ["header.kind"]);
        let p = from_csv(b"child_id,kind,started_at\nc1,M\n", None, None).expect("parsed");
        assert_eq!(fields(&p.errors), ["rows[2]"]);
    }

    #[test]
    fn json_reports_every_type_problem() {
        let body = br#"{"nil": false, "extra": 1, "episodes": [{"child_id": 5, "kind": "M", "started_at": "x", "risk_indicators": [1], "colour": "red", "return_interview_independent": "yes"}, 3]}"#;
        let p = from_json(body).expect("parsed");
        assert_eq!(
            fields(&p.errors),
            [
                "extra",
                "episodes[0].child_id",
                "episodes[0].colour",
                "episodes[0].return_interview_independent",
                "episodes[0].risk_indicators[0]",
                "episodes[1]"
            ]
        );
    }
}
