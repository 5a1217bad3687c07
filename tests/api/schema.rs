//! The database schema: twin migration folders that stay in step and can be undone.

use crate::support::internals::migrations_go_down_and_up;

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
    migrations_go_down_and_up();
}

/// Each test's database is the migrated template: same tables, columns, constraints and
/// indexes under the same names, same rows (the authorities, diesel's migrations, the audit
/// head); and after a test has written to it and let it go, the next test's is again.
#[actix_web::test]
async fn every_test_starts_on_a_faithful_copy_of_the_migrated_database() {
    use crate::support::db::{describe, describe_template};
    use crate::support::*;
    let template = describe_template();
    assert!(template.contains("authorities: ") && !template.contains("authorities: 0 rows"), "{template}");
    assert!(template.contains("signing_keys: 0 rows"), "no key in the template: {template}");
    let app = TestApp::start().await;
    let url = app.database_url();
    // Opening the app on the copy made its signing key; the copy had none.
    assert_eq!(describe(&url).replace("signing_keys: 1 rows", "signing_keys: 0 rows"), template);
    app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    drop(app);
    let next = TestApp::start().await;
    assert_eq!(describe(&next.database_url()).replace("signing_keys: 1 rows", "signing_keys: 0 rows"), template);
}
