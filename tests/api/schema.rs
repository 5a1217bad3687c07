use diesel::Connection;
use diesel_migrations::MigrationHarness;
use placement_registry::db::{PG_MIGRATIONS, SQLITE_MIGRATIONS};

fn names(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
        .expect("migrations dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().to_string()))
        .collect();
    v.sort();
    v
}

#[test]
fn migration_folders_have_the_same_names() {
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}

#[test]
fn migrations_go_down_and_up_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("m.db").display().to_string()).expect("sqlite");
    c.run_pending_migrations(SQLITE_MIGRATIONS).expect("up");
    c.revert_all_migrations(SQLITE_MIGRATIONS).expect("down");
    c.run_pending_migrations(SQLITE_MIGRATIONS).expect("up again");
    if let Ok(admin) = std::env::var("TEST_DATABASE_URL") {
        use diesel::RunQueryDsl;
        let schema = format!("m_{}", uuid::Uuid::new_v4().simple());
        let mut a = diesel::PgConnection::establish(&admin).expect("pg");
        diesel::sql_query(format!("CREATE SCHEMA {schema}")).execute(&mut a).expect("schema");
        let sep = if admin.contains('?') { '&' } else { '?' };
        let mut c =
            diesel::PgConnection::establish(&format!("{admin}{sep}options=-csearch_path%3D{schema}")).expect("pg");
        c.run_pending_migrations(PG_MIGRATIONS).expect("up");
        c.revert_all_migrations(PG_MIGRATIONS).expect("down");
        c.run_pending_migrations(PG_MIGRATIONS).expect("up again");
        drop(c);
        diesel::sql_query(format!("DROP SCHEMA {schema} CASCADE")).execute(&mut a).expect("drop");
    }
}
