//! Runs one row of the matrix against every caller and object.

use super::rows::{CALLERS, Expect, Kind, Obj, Row, parse_expect};
use super::world::World;
use crate::support::*;

/// The body with the object's id masked, so that answers about different objects compare.
pub fn masked(r: &Resp, o: &str) -> String {
    if o.is_empty() { r.text.clone() } else { r.text.replace(o, "{object}") }
}

/// Runs one row; returns every way it departs from the matrix.
pub async fn check(row: &Row) -> Vec<String> {
    let expect = parse_expect(row.expect);
    assert_eq!(expect.len(), CALLERS.len(), "{}: one token per caller", row.endpoint());
    let mut failures = Vec::new();
    let mut fail =
        |caller: usize, what: String| failures.push(format!("{} as {}: {what}", row.endpoint(), CALLERS[caller]));
    let world = World::build(row.kind).await;
    let callers = world.callers();
    let missing_status = row.missing_status();

    // Objects that do not exist, and foreign ones: same answer, never anything but a refusal.
    let mut missing_answers = Vec::new();
    for (i, actor) in callers.iter().enumerate() {
        if row.kind == Kind::None {
            missing_answers.push(None);
            continue;
        }
        let o = world.object(row.kind, Obj::Missing).expect("a missing object");
        let r = world.call(row, actor, &o).await;
        let want = match expect[i] {
            Expect::Allowed(_) | Expect::NotFound | Expect::ForbiddenOwn => missing_status,
            Expect::Forbidden => 403,
            Expect::Unauthenticated => 401,
        };
        if r.status != want {
            fail(i, format!("nonexistent object answered {} (expected {want}): {}", r.status, r.text));
        }
        if let Some(f) = world.object(row.kind, Obj::Foreign) {
            let fr = world.call(row, actor, &f).await;
            if (fr.status, masked(&fr, &f)) != (r.status, masked(&r, &o)) {
                fail(
                    i,
                    format!(
                        "foreign object answered {} {} but a nonexistent one {} {}",
                        fr.status, fr.text, r.status, r.text
                    ),
                );
            }
        }
        missing_answers.push(Some((r.status, masked(&r, &o))));
    }

    // The own object: refusals first on this world, then each allowed call on a fresh world
    // (unless the call only reads), so that a successful write cannot spoil the next caller.
    let own = world.object(row.kind, Obj::Own).expect("own object");
    let mut order: Vec<usize> = (0..CALLERS.len()).collect();
    order.sort_by_key(|i| matches!(expect[*i], Expect::Allowed(_)));
    for i in order {
        let r = match expect[i] {
            Expect::Allowed(_) if row.method != "GET" => {
                let w = World::build(row.kind).await;
                let own = w.object(row.kind, Obj::Own).expect("own object");
                w.call(row, &w.callers()[i], &own).await
            }
            _ => world.call(row, &callers[i], &own).await,
        };
        if row.kind == Kind::None && row.method == "GET" && r.status == 200 {
            for (kind, id) in world.foreign.iter().filter(|(k, _)| !matches!(k, Kind::Home | Kind::Credentials)) {
                if r.text.contains(id.as_str()) {
                    fail(i, format!("lists the foreign {kind:?} {id}"));
                }
            }
        }
        match expect[i] {
            Expect::Allowed(s) if r.status != s => {
                fail(i, format!("own object answered {} (expected {s}): {}", r.status, r.text))
            }
            Expect::NotFound => match &missing_answers[i] {
                Some((s, body)) if (r.status, &masked(&r, &own)) != (*s, body) => {
                    fail(i, format!("own object answered {} {} but a nonexistent one {s} {body}", r.status, r.text))
                }
                Option::None if r.status != 404 => fail(i, format!("answered {} (expected 404): {}", r.status, r.text)),
                _ => {}
            },
            Expect::Forbidden | Expect::ForbiddenOwn if r.status != 403 => {
                fail(i, format!("own object answered {} (expected 403): {}", r.status, r.text))
            }
            Expect::Unauthenticated if r.status != 401 => {
                fail(i, format!("answered {} (expected 401): {}", r.status, r.text))
            }
            _ => {}
        }
    }
    failures
}
