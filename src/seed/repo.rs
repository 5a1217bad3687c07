//! Bulk writing: multi-row `INSERT ... VALUES` statements with escaped literals on SQLite, and
//! `COPY ... FROM STDIN` on PostgreSQL, inside one transaction per load.

use crate::db::rows::children::ChildRecord;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::notifications::repo::Row as NotificationRow;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ExecuteCopyFromDsl, QueryResult, RunQueryDsl};
use std::fmt::Write as _;

/// One value of a row.
#[derive(Debug, Clone)]
pub enum V<'a> {
    Null,
    Text(&'a str),
    Owned(String),
    Int(i64),
    Real(f64),
    Bool(bool),
    Date(NaiveDate),
    Time(NaiveDateTime),
}

fn text(v: &Option<String>) -> V<'_> {
    v.as_deref().map_or(V::Null, V::Text)
}

fn date(v: Option<NaiveDate>) -> V<'static> {
    v.map_or(V::Null, V::Date)
}

fn time(v: Option<NaiveDateTime>) -> V<'static> {
    v.map_or(V::Null, V::Time)
}

fn push_digits(out: &mut String, n: u32, width: u32) {
    for i in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10u32.pow(i) % 10) as u8));
    }
}

/// `YYYY-MM-DD`.
fn push_date(out: &mut String, d: NaiveDate) {
    push_digits(out, d.year().max(0) as u32, 4);
    out.push('-');
    push_digits(out, d.month(), 2);
    out.push('-');
    push_digits(out, d.day(), 2);
}

/// A timestamp exactly as diesel writes one to SQLite (`%F %T%.f`), so text comparisons between
/// seeded rows and rows the API writes stay consistent; PostgreSQL reads the same text.
fn push_time(out: &mut String, t: NaiveDateTime) {
    push_date(out, t.date());
    out.push(' ');
    push_digits(out, t.hour(), 2);
    out.push(':');
    push_digits(out, t.minute(), 2);
    out.push(':');
    push_digits(out, t.second(), 2);
    match t.nanosecond() {
        0 => {}
        n if n % 1_000_000 == 0 => {
            out.push('.');
            push_digits(out, n / 1_000_000, 3);
        }
        n if n % 1_000 == 0 => {
            out.push('.');
            push_digits(out, n / 1_000, 6);
        }
        n => {
            out.push('.');
            push_digits(out, n, 9);
        }
    }
}

/// How the columns of a table are named and copied.
pub struct Spec {
    pub table: &'static str,
    pub columns: Vec<&'static str>,
    copy: fn(&mut PgConnection, &[u8]) -> QueryResult<usize>,
}

/// A spec from the diesel schema: column names for SQLite and a typed `COPY` for PostgreSQL,
/// both from one list, so the two can never disagree on the order.
macro_rules! spec {
    ($table:ident { $($col:ident),+ $(,)? }) => {{
        use crate::db::schema::$table as t;
        fn copy(conn: &mut PgConnection, data: &[u8]) -> QueryResult<usize> {
            diesel::copy_from(t::table)
                .from_raw_data(($(t::$col,)+), |w: &mut dyn std::io::Write| {
                    w.write_all(data).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
                })
                .execute(conn)
        }
        Spec { table: stringify!($table), columns: vec![$(<t::$col as diesel::Column>::NAME),+], copy }
    }};
}

/// Something written as rows of one table.
pub trait Rows {
    fn spec() -> Spec;
    fn values(&self) -> Vec<V<'_>>;
}

/// A provider row.
pub struct ProviderRow {
    pub id: String,
    pub name: String,
    pub contact_email: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Rows for ProviderRow {
    fn spec() -> Spec {
        spec!(providers { id, name, contact_email, version, created_at, updated_at })
    }
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Text(&self.id),
            V::Text(&self.name),
            text(&self.contact_email),
            V::Int(1),
            V::Time(self.created_at),
            V::Time(self.created_at),
        ]
    }
}

/// A setting row.
pub struct SettingRow {
    pub urn: String,
    pub provider_id: String,
    pub name: String,
    pub place: &'static str,
    pub host_area: String,
    pub postcode: String,
    pub created_at: NaiveDateTime,
}

impl Rows for SettingRow {
    fn spec() -> Spec {
        spec!(settings { urn, provider_id, name, place, host_area, postcode, version, created_at, updated_at })
    }
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Text(&self.urn),
            V::Text(&self.provider_id),
            V::Text(&self.name),
            V::Text(self.place),
            V::Text(&self.host_area),
            V::Text(&self.postcode),
            V::Int(1),
            V::Time(self.created_at),
            V::Time(self.created_at),
        ]
    }
}

impl Rows for ChildRecord {
    fn spec() -> Spec {
        spec!(children {
            id,
            responsible_la,
            la_child_id,
            given_name,
            family_name,
            date_of_birth,
            sex,
            ethnicity,
            nhs_number,
            upn,
            home_postcode,
            category_of_need,
            mother,
            mother_child_dob,
            uasc,
            uasc_ceased,
            version,
            created_at,
            updated_at,
        })
    }
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Text(self.id.as_str()),
            V::Text(&self.responsible_la),
            V::Text(&self.la_child_id),
            V::Text(&self.given_name),
            V::Text(&self.family_name),
            V::Date(self.date_of_birth),
            V::Text(&self.sex),
            V::Text(&self.ethnicity),
            text(&self.nhs_number),
            text(&self.upn),
            text(&self.home_postcode),
            text(&self.category_of_need),
            self.mother.map_or(V::Null, V::Bool),
            date(self.mother_child_dob),
            V::Bool(self.uasc),
            date(self.uasc_ceased),
            V::Int(self.version),
            V::Time(self.created_at),
            V::Time(self.updated_at),
        ]
    }
}

impl Rows for PlacementRecord {
    fn spec() -> Spec {
        spec!(placements {
            id,
            child_id,
            placing_la,
            urn,
            host_area,
            postcode,
            place,
            place_provider,
            start_date,
            end_date,
            rec,
            reason_place_change,
            emergency,
            distance_miles,
            ended_recorded_at,
            version,
            created_at,
            updated_at,
        })
    }
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Text(self.id.as_str()),
            V::Text(self.child_id.as_str()),
            V::Text(&self.placing_la),
            text(&self.urn),
            V::Text(&self.host_area),
            V::Text(&self.postcode),
            V::Text(&self.place),
            text(&self.place_provider),
            V::Date(self.start_date),
            date(self.end_date),
            text(&self.rec),
            text(&self.reason_place_change),
            V::Bool(self.emergency),
            self.distance_miles.map_or(V::Null, V::Real),
            time(self.ended_recorded_at),
            V::Int(self.version),
            V::Time(self.created_at),
            V::Time(self.updated_at),
        ]
    }
}

/// A legal status from a date within a placement.
#[derive(Debug, Clone, PartialEq)]
pub struct LegalStatusRow {
    pub placement_id: crate::ids::PlacementId,
    pub effective_from: NaiveDate,
    pub legal_status: &'static str,
    pub recorded_at: NaiveDateTime,
}

impl Rows for LegalStatusRow {
    fn spec() -> Spec {
        spec!(placement_legal_statuses { placement_id, effective_from, legal_status, recorded_at })
    }
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Text(self.placement_id.as_str()),
            V::Date(self.effective_from),
            V::Text(self.legal_status),
            V::Time(self.recorded_at),
        ]
    }
}

/// A missing episode with the placement it started in, whose placing LA, host area and setting
/// it carries (see `missing::repo::copy_placement_scope`), written with it in one row.
pub struct SeededEpisode<'a> {
    pub episode: &'a EpisodeRecord,
    pub placement: &'a PlacementRecord,
}

impl Rows for SeededEpisode<'_> {
    fn spec() -> Spec {
        spec!(missing_episodes {
            id,
            child_id,
            placement_id,
            kind,
            started_at,
            ended_at,
            reported_to_police_at,
            police_reference,
            risk_indicators,
            found_where,
            safe_and_well_at,
            safe_and_well_by,
            ri_offered_at,
            ri_offered_by,
            ri_independent,
            ri_outcome,
            ri_not_offered_reason,
            ri_completed_at,
            source,
            return_id,
            recorded_by_org_type,
            recorded_by_org,
            recorded_by,
            version,
            created_at,
            updated_at,
            placing_la,
            host_area,
            urn,
        })
    }
    fn values(&self) -> Vec<V<'_>> {
        let (e, p) = (self.episode, self.placement);
        vec![
            V::Text(e.id.as_str()),
            V::Text(e.child_id.as_str()),
            V::Text(e.placement_id.as_str()),
            V::Text(&e.kind),
            V::Time(e.started_at),
            time(e.ended_at),
            time(e.reported_to_police_at),
            text(&e.police_reference),
            // Stored space-separated, as the repository writes them.
            V::Owned(e.risk_indicators.join(" ")),
            text(&e.found_where),
            time(e.safe_and_well_at),
            text(&e.safe_and_well_by),
            time(e.ri_offered_at),
            text(&e.ri_offered_by),
            e.ri_independent.map_or(V::Null, V::Bool),
            text(&e.ri_outcome),
            text(&e.ri_not_offered_reason),
            time(e.ri_completed_at),
            V::Text(&e.source),
            text(&e.return_id),
            V::Text(&e.recorded_by_org_type),
            V::Text(&e.recorded_by_org),
            V::Text(&e.recorded_by),
            V::Int(e.version),
            V::Time(e.created_at),
            V::Time(e.updated_at),
            V::Text(&p.placing_la),
            V::Text(&p.host_area),
            text(&p.urn),
        ]
    }
}

impl Rows for NotificationRow {
    fn spec() -> Spec {
        spec!(notifications {
            id,
            kind,
            recipient_la,
            sender_org_type,
            sender_org,
            child_id,
            placement_id,
            payload,
            regulation,
            event_date,
            emergency,
            due_by,
            on_time,
            late_by_working_days,
            created_at,
            delivered_at,
            acknowledged_at,
            acknowledged_by,
        })
    }
    fn values(&self) -> Vec<V<'_>> {
        vec![
            V::Text(&self.id),
            V::Text(&self.kind),
            V::Text(&self.recipient_la),
            V::Text(&self.sender_org_type),
            V::Text(&self.sender_org),
            self.child_id.as_ref().map_or(V::Null, |c| V::Text(c.as_str())),
            self.placement_id.as_ref().map_or(V::Null, |p| V::Text(p.as_str())),
            V::Text(&self.payload),
            text(&self.regulation),
            date(self.event_date),
            V::Bool(self.emergency),
            date(self.due_by),
            self.on_time.map_or(V::Null, V::Bool),
            self.late_by_working_days.map_or(V::Null, V::Int),
            V::Time(self.created_at),
            time(self.delivered_at),
            time(self.acknowledged_at),
            text(&self.acknowledged_by),
        ]
    }
}

/// A connection to load into, inside one transaction.
pub struct Writer {
    conn: Conn,
    /// Statements re-creating the indexes and foreign keys set aside for the load.
    restore: Vec<String>,
}

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Rows per `INSERT` statement on SQLite.
const SQLITE_ROWS_PER_STATEMENT: usize = 500;

/// The tables the seed fills.
pub const TABLES: &[&str] = &[
    "providers",
    "settings",
    "children",
    "placements",
    "placement_legal_statuses",
    "missing_episodes",
    "notifications",
];

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[derive(diesel::QueryableByName)]
struct Statement {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ")
}

impl Writer {
    pub fn open(url: &str) -> Result<Writer> {
        let driver = crate::db::driver_url(url)?;
        let conn = match crate::db::Backend::of(&driver) {
            crate::db::Backend::Postgres => Conn::Postgres(PgConnection::establish(&driver)?),
            crate::db::Backend::Sqlite => Conn::Sqlite(SqliteConnection::establish(&driver)?),
        };
        Ok(Writer { conn, restore: Vec::new() })
    }

    pub fn backend(&self) -> &'static str {
        match self.conn {
            Conn::Sqlite(_) => "SQLite",
            Conn::Postgres(_) => "PostgreSQL",
        }
    }

    /// Session settings for a bulk load, `BEGIN`, then sets the secondary indexes and foreign
    /// keys of the loaded tables aside (inside the transaction): building an index once at the
    /// end is much faster than keeping it up to date row by row. [`Writer::finish`] puts them
    /// back, which checks every foreign key and unique index over the whole load.
    pub fn begin(&mut self) -> Result<()> {
        let tables = quoted_list(TABLES);
        match &mut self.conn {
            Conn::Sqlite(c) => {
                // A rollback journal during the load: one huge transaction in WAL mode slows down as
                // the log grows, while new pages of an empty database need no journal at all.
                c.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = OFF; \
                     PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -1048576; \
                     BEGIN IMMEDIATE;",
                )?;
                let indexes: Vec<Statement> = diesel::sql_query(format!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND tbl_name IN ({tables}) ORDER BY name"
                ))
                .load(c)?;
                for i in indexes {
                    c.batch_execute(&format!("DROP INDEX \"{}\";", i.name))?;
                    self.restore.push(i.sql);
                }
            }
            Conn::Postgres(c) => {
                c.batch_execute(
                    "SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; SET work_mem = '64MB'; BEGIN;",
                )?;
                let fks: Vec<Statement> = diesel::sql_query(format!(
                    "SELECT format('%I.%I', cl.relname, c.conname) AS name, \
                     format('ALTER TABLE %I ADD CONSTRAINT %I %s', cl.relname, c.conname, pg_get_constraintdef(c.oid)) AS sql \
                     FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid \
                     WHERE c.contype = 'f' AND cl.relnamespace = current_schema()::regnamespace \
                     AND cl.relname IN ({tables}) ORDER BY 1"
                ))
                .load(c)?;
                let indexes: Vec<Statement> = diesel::sql_query(format!(
                    "SELECT format('%I', i.indexname) AS name, i.indexdef AS sql FROM pg_indexes i \
                     WHERE i.schemaname = current_schema() AND i.tablename IN ({tables}) \
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint k \
                       WHERE k.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass) ORDER BY 1"
                ))
                .load(c)?;
                for f in &fks {
                    let (table, constraint) = f.name.split_once('.').ok_or("constraint name")?;
                    c.batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {constraint};"))?;
                }
                for i in &indexes {
                    c.batch_execute(&format!("DROP INDEX {};", i.name))?;
                }
                // Indexes first, so checking the foreign keys can use them.
                self.restore.extend(indexes.into_iter().map(|i| i.sql));
                self.restore.extend(fks.into_iter().map(|f| f.sql));
            }
        }
        Ok(())
    }

    /// Puts the indexes and foreign keys back (checking them), computes the children's stored
    /// missing state from the loaded episodes, then commits.
    pub fn finish(&mut self) -> Result<()> {
        let restore = std::mem::take(&mut self.restore);
        for sql in restore.iter().map(String::as_str).chain([crate::missing::repo::REBUILD_STATE]) {
            match &mut self.conn {
                Conn::Sqlite(c) => c.batch_execute(sql)?,
                Conn::Postgres(c) => c.batch_execute(sql)?,
            }
        }
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let broken: Count =
                    diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check").get_result(c)?;
                if broken.n > 0 {
                    return Err(format!("{} rows break foreign keys", broken.n).into());
                }
                c.batch_execute("COMMIT; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")?;
                // Back to the write-ahead log the server uses.
                c.batch_execute("PRAGMA journal_mode = WAL;")?
            }
            Conn::Postgres(c) => c.batch_execute("COMMIT;")?,
        }
        Ok(())
    }

    pub fn rollback(&mut self) {
        let _ = match &mut self.conn {
            Conn::Sqlite(c) => c.batch_execute("ROLLBACK;"),
            Conn::Postgres(c) => c.batch_execute("ROLLBACK;"),
        };
    }

    /// Refreshes planner statistics.
    pub fn analyze(&mut self) -> Result<()> {
        match &mut self.conn {
            Conn::Sqlite(c) => c.batch_execute("ANALYZE;")?,
            // VACUUM as well: it marks the freshly written pages all-visible, as autovacuum would
            // soon after, so that index-only scans read the index alone from the start.
            Conn::Postgres(c) => c.batch_execute("VACUUM (ANALYZE);")?,
        }
        Ok(())
    }

    /// Rows in a table.
    pub fn count(&mut self, table: &str) -> Result<i64> {
        let q = format!("SELECT COUNT(*) AS n FROM {table}");
        let n: Count = match &mut self.conn {
            Conn::Sqlite(c) => diesel::sql_query(q).get_result(c)?,
            Conn::Postgres(c) => diesel::sql_query(q).get_result(c)?,
        };
        Ok(n.n)
    }

    /// Writes rows of one table.
    pub fn write<'a, R: Rows + 'a>(&mut self, rows: impl IntoIterator<Item = &'a R>) -> Result<()> {
        let rows: Vec<&R> = rows.into_iter().collect();
        if rows.is_empty() {
            return Ok(());
        }
        let spec = R::spec();
        match &mut self.conn {
            Conn::Sqlite(c) => {
                let head = format!(
                    "INSERT INTO \"{}\" ({}) VALUES ",
                    spec.table,
                    spec.columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")
                );
                let mut sql = String::with_capacity(256 * SQLITE_ROWS_PER_STATEMENT);
                for batch in rows.chunks(SQLITE_ROWS_PER_STATEMENT) {
                    sql.clear();
                    sql.push_str(&head);
                    for (i, row) in batch.iter().enumerate() {
                        if i > 0 {
                            sql.push(',');
                        }
                        sql.push('(');
                        encode_row(&mut sql, *row, ',', sqlite_literal);
                        sql.push(')');
                    }
                    sql.push(';');
                    c.batch_execute(&sql)?;
                }
            }
            Conn::Postgres(c) => {
                let mut data = String::with_capacity(256 * rows.len());
                for row in &rows {
                    encode_row(&mut data, *row, '\t', copy_text);
                    data.push('\n');
                }
                (spec.copy)(c, data.as_bytes())?;
            }
        }
        Ok(())
    }
}

/// Encodes one row's values with `sep` between them (`,` for SQL, tab for COPY).
fn encode_row<R: Rows>(out: &mut String, row: &R, sep: char, enc: fn(&mut String, &V<'_>)) {
    for (i, v) in row.values().iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        enc(out, v);
    }
}

fn sqlite_literal(out: &mut String, v: &V<'_>) {
    match v {
        V::Null => out.push_str("NULL"),
        V::Text(s) => sqlite_quote(out, s),
        V::Owned(s) => sqlite_quote(out, s),
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Real(f) => {
            let _ = write!(out, "{f:?}");
        }
        V::Bool(b) => out.push(if *b { '1' } else { '0' }),
        V::Date(d) => {
            out.push('\'');
            push_date(out, *d);
            out.push('\'');
        }
        V::Time(t) => {
            out.push('\'');
            push_time(out, *t);
            out.push('\'');
        }
    }
}

fn sqlite_quote(out: &mut String, s: &str) {
    out.push('\'');
    if s.contains('\'') {
        out.push_str(&s.replace('\'', "''"));
    } else {
        out.push_str(s);
    }
    out.push('\'');
}

/// PostgreSQL `COPY` text format.
fn copy_text(out: &mut String, v: &V<'_>) {
    match v {
        V::Null => out.push_str("\\N"),
        V::Text(s) => copy_escape(out, s),
        V::Owned(s) => copy_escape(out, s),
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Real(f) => {
            let _ = write!(out, "{f:?}");
        }
        V::Bool(b) => out.push(if *b { 't' } else { 'f' }),
        V::Date(d) => push_date(out, *d),
        V::Time(t) => push_time(out, *t),
    }
}

fn copy_escape(out: &mut String, s: &str) {
    if !s.bytes().any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
        out.push_str(s);
        return;
    }
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// How many children and settings the database holds (the seed fills only an empty one).
pub fn counts(conn: &mut crate::db::AnyConnection) -> QueryResult<(i64, i64)> {
    use diesel::QueryDsl;
    let children = crate::db::schema::children::table.count().get_result(conn)?;
    let settings = crate::db::schema::settings::table.count().get_result(conn)?;
    Ok((children, settings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_escaped() {
        let mut s = String::new();
        sqlite_literal(&mut s, &V::Text("O'Brien"));
        assert_eq!(s, "'O''Brien'");
        let mut c = String::new();
        copy_text(&mut c, &V::Text("a\tb\\c\nd"));
        assert_eq!(c, "a\\tb\\\\c\\nd");
        let t = NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(3, 4, 5));
        let mut tt = String::new();
        sqlite_literal(&mut tt, &time(t));
        assert_eq!(tt, "'2026-01-02 03:04:05'");
    }

    #[test]
    fn times_are_written_as_diesel_writes_them() {
        let d = NaiveDate::from_ymd_opt(987, 3, 4).expect("date");
        for nanos in [0, 5_000_000, 123_000_000, 120_000, 123_456_000, 1, 999_999_999] {
            let t = d.and_hms_nano_opt(23, 5, 9, nanos).expect("time");
            let mut s = String::new();
            push_time(&mut s, t);
            assert_eq!(s, t.format("%F %T%.f").to_string());
        }
    }

    #[test]
    fn specs_name_every_column_once() {
        for spec in [
            ProviderRow::spec(),
            SettingRow::spec(),
            ChildRecord::spec(),
            PlacementRecord::spec(),
            LegalStatusRow::spec(),
            SeededEpisode::spec(),
            NotificationRow::spec(),
        ] {
            let mut cols = spec.columns.clone();
            cols.sort_unstable();
            cols.dedup();
            assert_eq!(cols.len(), spec.columns.len(), "{}", spec.table);
        }
        assert!(NotificationRow::spec().columns.contains(&"type"));
    }
}
