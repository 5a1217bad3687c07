//! A fresh database for every test, copied from a template migrated once per run.
//!
//! The first test of a run builds the template: it opens the real application on an empty
//! database (so migrations and the authority seed run exactly as in production), then drops the
//! signing key that opening created, so that every test still makes its own. Each test then gets
//! a copy:
//!
//! - SQLite: the template's bytes written to a new file in a temporary directory, removed with
//!   it when the test ends.
//! - PostgreSQL: a schema of its own holding the template's tables, rows, constraints and
//!   indexes under their own names, including diesel's migration table, so the application finds
//!   nothing to migrate. Creating and dropping a schema costs PostgreSQL about 0.1 s of DDL, so
//!   when a test ends its schema is emptied back to the template's rows (a few deletes and
//!   inserts) and handed to the next test of the run; a schema that cannot be reset is dropped.
//!   The schemas still in hand when the run ends (one per test thread) and those of runs that
//!   were killed are dropped by the next run, which drops every `t_<pid>_*` and `tpl_<pid>`
//!   schema whose process is gone.
//!
//! Either way a test starts on exactly the template's rows, and what it wrote is gone when it
//! ends, passed or failed.

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use std::sync::{Mutex, OnceLock};

/// The backend the suite runs on: PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.
fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())
}

/// One test's database; dropping it removes it.
pub enum TestDb {
    Sqlite { url: String, _dir: crate::support::tempdir::TempDir },
    Postgres { url: String, admin: String, schema: String },
}

impl TestDb {
    /// A copy of the template, ready for `AppState::open`.
    pub fn fresh() -> TestDb {
        match template() {
            Template::Sqlite(bytes) => {
                let dir = crate::support::tempdir::tempdir().expect("temp dir");
                let path = dir.path().join("registry.db");
                std::fs::write(&path, bytes).expect("copy the template database");
                TestDb::Sqlite { url: format!("sqlite://{}", path.display()), _dir: dir }
            }
            Template::Postgres { admin, clone, .. } => {
                let reused = FREE_SCHEMAS.lock().ok().and_then(|mut free| free.pop());
                let schema = reused.unwrap_or_else(|| {
                    let schema = new_schema_name();
                    let mut c = PgConnection::establish(admin).expect("TEST_DATABASE_URL reachable");
                    c.batch_execute(&clone.replace(SCHEMA, &schema)).expect("clone the template schema");
                    schema
                });
                TestDb::Postgres { url: schema_url(admin, &schema), admin: admin.clone(), schema }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

/// Emptied schemas ready for the next test of this run.
static FREE_SCHEMAS: Mutex<Vec<String>> = Mutex::new(Vec::new());

impl Drop for TestDb {
    /// The SQLite file goes with its temporary directory. A PostgreSQL schema is reset to the
    /// template's rows for the next test, or dropped if that fails. The application's pool must
    /// be closed by now (`TestApp` drops its state first).
    fn drop(&mut self) {
        if let TestDb::Postgres { admin, schema, .. } = self
            && let Template::Postgres { reset, .. } = template()
        {
            let done = match PgConnection::establish(admin) {
                Ok(mut c) => c.batch_execute(&reset.replace(SCHEMA, schema)).is_ok(),
                Err(_) => false,
            };
            match FREE_SCHEMAS.lock() {
                Ok(mut free) if done => free.push(schema.clone()),
                _ => drop_schema(admin, schema),
            }
        }
    }
}

fn new_schema_name() -> String {
    format!("t_{}_{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..12])
}

fn drop_schema(admin: &str, schema: &str) {
    if let Ok(mut c) = PgConnection::establish(admin) {
        let _ = c.batch_execute(&format!("SET synchronous_commit = off; DROP SCHEMA IF EXISTS {schema} CASCADE"));
    }
}

/// A URL whose connections work in `schema`.
fn schema_url(admin: &str, schema: &str) -> String {
    let sep = if admin.contains('?') { '&' } else { '?' };
    format!("{admin}{sep}options=-csearch_path%3D{schema}")
}

enum Template {
    /// The migrated, seeded database file.
    Sqlite(Vec<u8>),
    /// SQL that makes a copy of the template schema, and SQL that empties a copy back to the
    /// template's rows, with [`SCHEMA`] for the copy's name.
    Postgres { admin: String, clone: String, reset: String },
}

/// Stands for the new schema's name in the clone script.
const SCHEMA: &str = "{schema}";

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| match postgres_admin_url() {
        Some(admin) => postgres_template(admin),
        None => sqlite_template(),
    })
}

fn sqlite_template() -> Template {
    let dir = crate::support::tempdir::tempdir().expect("temp dir");
    let path = dir.path().join("template.db");
    super::app::prepare_database(&format!("sqlite://{}", path.display()));
    let mut c = SqliteConnection::establish(&path.display().to_string()).expect("open the template");
    // Fold the write-ahead log into the file, so the file alone is the whole database.
    c.batch_execute("DELETE FROM signing_keys; PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
        .expect("settle the template");
    drop(c);
    Template::Sqlite(std::fs::read(&path).expect("read the template"))
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

fn postgres_template(admin: String) -> Template {
    let mut c = PgConnection::establish(&admin).expect("TEST_DATABASE_URL reachable");
    sweep_leftovers(&mut c, &admin);
    let tpl = format!("tpl_{}", std::process::id());
    c.batch_execute(&format!("DROP SCHEMA IF EXISTS {tpl} CASCADE; CREATE SCHEMA {tpl}")).expect("template schema");
    super::app::prepare_database(&schema_url(&admin, &tpl));
    c.batch_execute(&format!("DELETE FROM {tpl}.signing_keys")).expect("no signing key in the template");
    let rows = |c: &mut PgConnection, sql: String| -> Vec<String> {
        diesel::sql_query(sql)
            .load::<Text>(c)
            .expect("read the template's catalogue")
            .into_iter()
            .map(|t| t.text)
            .collect()
    };
    // Definitions read with the template first on the search path come out unqualified, so they
    // apply to whichever schema is first on the path when they run.
    c.batch_execute(&format!("SET search_path = {tpl}")).expect("search path");
    let tables =
        rows(&mut c, format!("SELECT tablename::text AS text FROM pg_tables WHERE schemaname = '{tpl}' ORDER BY 1"));
    let constraints = rows(
        &mut c,
        format!(
            "SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s;', conrelid::regclass::text, conname, pg_get_constraintdef(oid)) AS text \
             FROM pg_constraint WHERE connamespace = '{tpl}'::regnamespace AND contype IN ('p', 'u', 'f') \
             ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 ELSE 2 END, conname"
        ),
    );
    let indexes = rows(
        &mut c,
        format!(
            "SELECT pg_get_indexdef(i.indexrelid) || ';' AS text FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
             WHERE t.relnamespace = '{tpl}'::regnamespace \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1"
        ),
    );
    // Foreign keys as (table, referenced table), to empty tables before those they reference.
    let references: Vec<(String, String)> = rows(
        &mut c,
        format!(
            "SELECT conrelid::regclass::text || ' ' || confrelid::regclass::text AS text FROM pg_constraint \
             WHERE connamespace = '{tpl}'::regnamespace AND contype = 'f'"
        ),
    )
    .into_iter()
    .filter_map(|r| r.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())))
    .collect();
    let with_rows = rows(
        &mut c,
        tables
            .iter()
            .map(|t| format!("SELECT '{t}' AS text WHERE EXISTS (SELECT 1 FROM {t})"))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
    );
    c.batch_execute("SET search_path = DEFAULT").expect("search path");
    let mut clone = format!("SET synchronous_commit = off; BEGIN; CREATE SCHEMA {SCHEMA};\n");
    for t in &tables {
        clone.push_str(&format!(
            "CREATE TABLE {SCHEMA}.{t} (LIKE {tpl}.{t} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED \
             INCLUDING IDENTITY INCLUDING STORAGE); INSERT INTO {SCHEMA}.{t} SELECT * FROM {tpl}.{t};\n"
        ));
    }
    clone.push_str(&format!("SET LOCAL search_path = {SCHEMA};\n"));
    // Index definitions name their table with its schema; the copy's indexes go on its own.
    let indexes = indexes.iter().map(|i| i.replace(&format!(" ON {tpl}."), " ON "));
    for s in constraints.into_iter().chain(indexes) {
        clone.push_str(&s);
        clone.push('\n');
    }
    clone.push_str("COMMIT;");
    let order = referencing_first(&tables, &references);
    let mut reset = String::from("SET synchronous_commit = off; BEGIN;\n");
    for t in &order {
        reset.push_str(&format!("DELETE FROM {SCHEMA}.{t};\n"));
    }
    for t in order.iter().rev().filter(|t| with_rows.contains(t)) {
        reset.push_str(&format!("INSERT INTO {SCHEMA}.{t} SELECT * FROM {tpl}.{t};\n"));
    }
    reset.push_str("COMMIT;");
    Template::Postgres { admin, clone, reset }
}

/// The tables ordered so that each comes before every table it references.
fn referencing_first(tables: &[String], references: &[(String, String)]) -> Vec<String> {
    let mut left: Vec<String> = tables.to_vec();
    let mut order = Vec::new();
    while !left.is_empty() {
        // A table nobody left references can go now.
        let free: Vec<String> = left
            .iter()
            .filter(|t| !references.iter().any(|(from, to)| to == *t && from != *t && left.contains(from)))
            .cloned()
            .collect();
        assert!(!free.is_empty(), "foreign keys form a cycle among {left:?}");
        left.retain(|t| !free.contains(t));
        order.extend(free);
    }
    order
}

/// Drops the template and test schemas of earlier runs whose process is gone (a run killed
/// before its tests could clean up), never those of a run still going.
fn sweep_leftovers(c: &mut PgConnection, admin: &str) {
    let schemas: Vec<String> = diesel::sql_query(
        "SELECT nspname::text AS text FROM pg_namespace WHERE nspname ~ '^(tpl|t)_[0-9]+(_[0-9a-f]+)?$'",
    )
    .load::<Text>(c)
    .map(|rows| rows.into_iter().map(|t| t.text).collect())
    .unwrap_or_default();
    for schema in schemas {
        let pid = schema.split('_').nth(1).unwrap_or_default();
        if pid != std::process::id().to_string() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            drop_schema(admin, &schema);
        }
    }
}

/// An empty PostgreSQL schema of its own (when the suite runs on PostgreSQL), dropped with it.
pub struct ScratchSchema {
    pub url: String,
    admin: String,
    schema: String,
}

impl ScratchSchema {
    pub fn create() -> Option<ScratchSchema> {
        let admin = postgres_admin_url()?;
        let schema = new_schema_name();
        let mut c = PgConnection::establish(&admin).expect("TEST_DATABASE_URL reachable");
        c.batch_execute(&format!("CREATE SCHEMA {schema}")).expect("create schema");
        Some(ScratchSchema { url: schema_url(&admin, &schema), admin, schema })
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        drop_schema(&self.admin, &self.schema);
    }
}

/// What a test database holds, for comparing one with the template: every table's columns,
/// constraints, indexes and rows, in a stable order.
pub fn describe(url: &str) -> String {
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        line: String,
    }
    let lines = |sql: &str| -> Vec<String> {
        let mut out = match postgres_admin_url() {
            Some(_) => {
                let mut c = PgConnection::establish(url).expect("connect");
                diesel::sql_query(sql).load::<Line>(&mut c)
            }
            None => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                let mut c = SqliteConnection::establish(path).expect("open");
                diesel::sql_query(sql).load::<Line>(&mut c)
            }
        }
        .expect(sql)
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>();
        out.sort();
        out
    };
    let (catalogue, tables) = match postgres_admin_url() {
        Some(_) => (
            lines(
                "SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || \
                 CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || \
                 coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' \
                 AND a.attnum > 0 AND NOT a.attisdropped \
                 UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
                 FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
                 UNION ALL SELECT regexp_replace(pg_get_indexdef(indexrelid), ' ON [a-z0-9_]+\\.', ' ON ') \
                 FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
                 WHERE t.relnamespace = current_schema()::regnamespace",
            ),
            lines("SELECT tablename::text AS line FROM pg_tables WHERE schemaname = current_schema()"),
        ),
        None => (
            lines("SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS line FROM sqlite_master"),
            lines("SELECT name AS line FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"),
        ),
    };
    let rows: Vec<String> = tables
        .iter()
        .map(|t| {
            let all = lines(&format!("SELECT CAST(count(*) AS TEXT) AS line FROM {t}"));
            format!("{t}: {} rows", all.join(""))
        })
        .collect();
    format!("{}\n{}", catalogue.join("\n"), rows.join("\n"))
}

/// The template's own URL (a copy of it, on SQLite; the template schema, on PostgreSQL).
pub fn describe_template() -> String {
    match template() {
        Template::Sqlite(bytes) => {
            let dir = crate::support::tempdir::tempdir().expect("temp dir");
            let path = dir.path().join("template.db");
            std::fs::write(&path, bytes).expect("write");
            describe(&format!("sqlite://{}", path.display()))
        }
        Template::Postgres { admin, .. } => describe(&schema_url(admin, &format!("tpl_{}", std::process::id()))),
    }
}
