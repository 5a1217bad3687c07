//! Snapshots of JSON shapes, kept in `tests/api/snapshots/` whatever module asserts them.
//!
//! `snapshot!("name", value, {".id" => "[id]", ...})` asserts `value` against
//! `tests/api/snapshots/name.snap` with the given redactions. Values that change from run to run
//! (ids, which are random UUIDs) must be redacted; times come from the test's clock and stay
//! unless they are bookkeeping. A missing or changed snapshot fails the test; with
//! `INSTA_UPDATE=no` (CI) nothing is written.

macro_rules! snapshot {
    ($name:expr, $value:expr, {$($selector:expr => $replacement:expr),* $(,)?}) => {{
        let value = $value;
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_json_snapshot!($name, value, {$($selector => $replacement),*});
        })
    }};
}
