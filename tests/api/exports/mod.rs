//! The SSDA903 export: a placing LA downloads its year's Header, Episodes, Missing and UASC files as
//! the DfE takes them, checked against the DfE's validation rules.

mod access;
mod generated_year;
mod rules;
mod small_year;

use crate::support::internals::ssda903::Tables;
use crate::support::*;

/// A child with the SSDA903 fields the export needs (category of need N1 unless said).
pub fn ssda903_child(la_child_id: &str, given: &str, family: &str, born: &str) -> Child {
    // MOTHER is recorded (no), as DfE asks of every girl (rule 393).
    a_child(given, family).born(born).la_child_id(la_child_id).category_of_need("N1").with("mother", false)
}

pub async fn place(app: &TestApp, la: &str, placement: impl Into<serde_json::Value>) -> String {
    app.la(la).place(placement).await.expect(201).id()
}

pub async fn end(app: &TestApp, la: &str, placement: &str, ending: Ending) {
    app.la(la).end_placement(placement, ending).await.expect(200);
}

pub async fn missing(app: &TestApp, la: &str, episode: Episode) {
    app.la(la).report_missing(episode).await.expect(201);
}

/// The four CSV files of `la`'s year (Header, Episodes, Missing, UASC), checking the response
/// headers of each.
pub async fn download(app: &TestApp, la: &str, year: &str) -> (String, String, String, String) {
    let mut out = Vec::new();
    for stem in ["header", "episodes", "missing", "uasc"] {
        let r = app.la(la).ssda903(year, &format!("{stem}.csv")).await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
        assert_eq!(
            r.header("content-disposition"),
            Some(format!("attachment; filename=\"ssda903_{year}_{la}_{stem}.csv\""))
        );
        out.push(r.text);
    }
    let u = out.pop().unwrap_or_default();
    let m = out.pop().unwrap_or_default();
    let e = out.pop().unwrap_or_default();
    let h = out.pop().unwrap_or_default();
    (h, e, m, u)
}

pub fn parse(files: &(String, String, String, String)) -> Tables {
    Tables::from_csv(files.0.as_bytes(), files.1.as_bytes(), files.2.as_bytes(), files.3.as_bytes())
        .expect("the DfE header rows")
}

pub fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}
