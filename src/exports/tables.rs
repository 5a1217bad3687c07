//! The four SSDA903 tables as DfE lays them out: rows of text fields (blank means null), the
//! exact header rows, and CSV in both directions.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Columns of the Header table, in DfE order.
pub const HEADER_COLUMNS: [&str; 7] = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"];

/// Columns of the Episodes table, in DfE order.
pub const EPISODES_COLUMNS: [&str; 13] = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
];

/// Columns of the Missing table, in DfE order.
pub const MISSING_COLUMNS: [&str; 5] = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"];

/// Columns of the UASC table, in DfE order.
pub const UASC_COLUMNS: [&str; 4] = ["CHILD", "SEX", "DOB", "DUC"];

/// One of the four tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Table {
    Header,
    Episodes,
    Missing,
    #[serde(rename = "UASC")]
    Uasc,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Header => "Header",
            Table::Episodes => "Episodes",
            Table::Missing => "Missing",
            Table::Uasc => "UASC",
        }
    }
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Header => &HEADER_COLUMNS,
            Table::Episodes => &EPISODES_COLUMNS,
            Table::Missing => &MISSING_COLUMNS,
            Table::Uasc => &UASC_COLUMNS,
        }
    }
    /// The file name stem used in downloads (`header`, `episodes`, `missing`, `uasc`).
    pub fn file_stem(self) -> &'static str {
        match self {
            Table::Header => "header",
            Table::Episodes => "episodes",
            Table::Missing => "missing",
            Table::Uasc => "uasc",
        }
    }
}

/// A Header row: one per child with an episode in the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderRow {
    #[serde(rename = "CHILD")]
    pub child: String,
    #[serde(rename = "SEX")]
    pub sex: String,
    #[serde(rename = "DOB")]
    pub dob: String,
    #[serde(rename = "ETHNIC")]
    pub ethnic: String,
    #[serde(rename = "UPN")]
    pub upn: String,
    #[serde(rename = "MOTHER")]
    pub mother: String,
    #[serde(rename = "MC_DOB")]
    pub mc_dob: String,
}

/// An Episodes row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpisodeRow {
    #[serde(rename = "CHILD")]
    pub child: String,
    #[serde(rename = "DECOM")]
    pub decom: String,
    #[serde(rename = "RNE")]
    pub rne: String,
    #[serde(rename = "LS")]
    pub ls: String,
    #[serde(rename = "CIN")]
    pub cin: String,
    #[serde(rename = "PLACE")]
    pub place: String,
    #[serde(rename = "PLACE_PROVIDER")]
    pub place_provider: String,
    #[serde(rename = "DEC")]
    pub dec: String,
    #[serde(rename = "REC")]
    pub rec: String,
    #[serde(rename = "REASON_PLACE_CHANGE")]
    pub reason_place_change: String,
    #[serde(rename = "HOME_POST")]
    pub home_post: String,
    #[serde(rename = "PL_POST")]
    pub pl_post: String,
    #[serde(rename = "URN")]
    pub urn: String,
}

/// A Missing row: one period missing or away from placement without authorisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingRow {
    #[serde(rename = "CHILD")]
    pub child: String,
    #[serde(rename = "DOB")]
    pub dob: String,
    #[serde(rename = "MISSING")]
    pub missing: String,
    #[serde(rename = "MIS_START")]
    pub mis_start: String,
    #[serde(rename = "MIS_END")]
    pub mis_end: String,
}

/// A UASC row: a child who was an unaccompanied asylum-seeking child at some time in the year.
/// DfE reads being in this table as the child's UASC status (its validator adds `UASC` `1` to
/// the child's Header row, `0` to every other).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UascRow {
    #[serde(rename = "CHILD")]
    pub child: String,
    #[serde(rename = "SEX")]
    pub sex: String,
    #[serde(rename = "DOB")]
    pub dob: String,
    /// The date UASC status ceased; blank while it goes on.
    #[serde(rename = "DUC")]
    pub duc: String,
}

/// The four tables of one LA's collection year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tables {
    pub header: Vec<HeaderRow>,
    pub episodes: Vec<EpisodeRow>,
    pub missing: Vec<MissingRow>,
    pub uasc: Vec<UascRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("{table} table: the header row must be exactly `{expected}`, got `{got}`")]
    Columns { table: &'static str, expected: String, got: String },
    #[error("{table} table, row {row}: {message}")]
    Row { table: &'static str, row: usize, message: String },
    #[error("{0}")]
    Csv(String),
}

/// A row of one of the tables, as its cells in DfE column order.
pub trait Cells {
    fn cells(&self) -> Vec<&str>;
}

impl Cells for HeaderRow {
    fn cells(&self) -> Vec<&str> {
        vec![&self.child, &self.sex, &self.dob, &self.ethnic, &self.upn, &self.mother, &self.mc_dob]
    }
}

impl Cells for EpisodeRow {
    fn cells(&self) -> Vec<&str> {
        vec![
            &self.child,
            &self.decom,
            &self.rne,
            &self.ls,
            &self.cin,
            &self.place,
            &self.place_provider,
            &self.dec,
            &self.rec,
            &self.reason_place_change,
            &self.home_post,
            &self.pl_post,
            &self.urn,
        ]
    }
}

impl Cells for MissingRow {
    fn cells(&self) -> Vec<&str> {
        vec![&self.child, &self.dob, &self.missing, &self.mis_start, &self.mis_end]
    }
}

impl Cells for UascRow {
    fn cells(&self) -> Vec<&str> {
        vec![&self.child, &self.sex, &self.dob, &self.duc]
    }
}

fn write_rows<R: Cells>(columns: &[&str], rows: &[R]) -> Result<Vec<u8>, CsvError> {
    let csv_error = |e: crate::error::ApiError| CsvError::Csv(e.to_string());
    let mut w = crate::http::csv::Writer::new();
    w.row(columns).map_err(csv_error)?;
    for r in rows {
        w.row(r.cells()).map_err(csv_error)?;
    }
    w.into_bytes().map_err(csv_error)
}

impl Tables {
    /// The CSV of one table: UTF-8, comma separated, CRLF line ends, the exact DfE header row.
    pub fn to_csv(&self, table: Table) -> Result<Vec<u8>, CsvError> {
        match table {
            Table::Header => write_rows(table.columns(), &self.header),
            Table::Episodes => write_rows(table.columns(), &self.episodes),
            Table::Missing => write_rows(table.columns(), &self.missing),
            Table::Uasc => write_rows(table.columns(), &self.uasc),
        }
    }

    /// Parses the four CSV files; each must start with exactly its DfE header row.
    pub fn from_csv(header: &[u8], episodes: &[u8], missing: &[u8], uasc: &[u8]) -> Result<Tables, CsvError> {
        Ok(Tables {
            header: read_rows(Table::Header, header)?,
            episodes: read_rows(Table::Episodes, episodes)?,
            missing: read_rows(Table::Missing, missing)?,
            uasc: read_rows(Table::Uasc, uasc)?,
        })
    }
}

/// Parses one table's CSV, refusing a header row that is not exactly the DfE one.
pub fn read_rows<R: for<'de> Deserialize<'de>>(table: Table, bytes: &[u8]) -> Result<Vec<R>, CsvError> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).trim(csv::Trim::None).from_reader(bytes);
    let got = r.headers().map_err(|e| CsvError::Csv(e.to_string()))?.clone();
    if got.iter().ne(table.columns().iter().copied()) {
        return Err(CsvError::Columns {
            table: table.name(),
            expected: table.columns().join(","),
            got: got.iter().collect::<Vec<_>>().join(","),
        });
    }
    let mut rows = Vec::new();
    for (i, rec) in r.deserialize::<R>().enumerate() {
        rows.push(rec.map_err(|e| CsvError::Row { table: table.name(), row: i + 1, message: e.to_string() })?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_exact_header_rows_and_blank_nulls() {
        let t = Tables {
            header: vec![HeaderRow {
                child: "HK1".into(),
                sex: "F".into(),
                dob: "03/04/2012".into(),
                ethnic: "WBRI".into(),
                upn: "UN5".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let csv = String::from_utf8(t.to_csv(Table::Header).unwrap_or_default()).unwrap_or_default();
        assert_eq!(csv, "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\nHK1,F,03/04/2012,WBRI,UN5,,\r\n");
        let episodes = String::from_utf8(t.to_csv(Table::Episodes).unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            episodes,
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\r\n"
        );
        let missing = String::from_utf8(t.to_csv(Table::Missing).unwrap_or_default()).unwrap_or_default();
        assert_eq!(missing, "CHILD,DOB,MISSING,MIS_START,MIS_END\r\n");
        let uasc = String::from_utf8(t.to_csv(Table::Uasc).unwrap_or_default()).unwrap_or_default();
        assert_eq!(uasc, "CHILD,SEX,DOB,DUC\r\n");
    }

    #[test]
    fn round_trips_and_refuses_other_headers() {
        let t = Tables {
            missing: vec![MissingRow {
                child: "A,1".into(),
                dob: "01/01/2010".into(),
                missing: "M".into(),
                mis_start: "02/02/2026".into(),
                mis_end: String::new(),
            }],
            uasc: vec![UascRow {
                child: "A,1".into(),
                sex: "M".into(),
                dob: "01/01/2010".into(),
                duc: "01/01/2028".into(),
            }],
            ..Default::default()
        };
        let h = t.to_csv(Table::Header).unwrap_or_default();
        let e = t.to_csv(Table::Episodes).unwrap_or_default();
        let m = t.to_csv(Table::Missing).unwrap_or_default();
        let u = t.to_csv(Table::Uasc).unwrap_or_default();
        let back = Tables::from_csv(&h, &e, &m, &u).ok();
        assert_eq!(back.as_ref(), Some(&t));
        assert!(Tables::from_csv(&h, &e, b"CHILD,DOB,MISSING,MIS_START\r\n", &u).is_err());
        assert!(Tables::from_csv(&e, &h, &m, &u).is_err());
        assert!(Tables::from_csv(&h, &e, &m, b"CHILD,SEX,DOB\r\n").is_err());
    }
}
