//! SQL for children. Every read by a caller carries the access condition of [`visible`].

use crate::auth::{Caller, OrgType};
use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::schema::{child_missing_state, children, placements, settings};
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamp};

type Cond = Box<dyn BoxableExpression<children::table, crate::db::MultiBackend, SqlType = Bool>>;

/// The SQL condition selecting the children a caller may see: an authority its own children and
/// those with a placement in its area (history kept); a provider those placed in its settings.
pub fn visible(caller: &Caller) -> Cond {
    match caller.org_type {
        OrgType::Authority => {
            let org = caller.org.clone();
            Box::new(children::responsible_la.eq(org.clone()).or(exists(
                placements::table.filter(placements::child_id.eq(children::id)).filter(placements::host_area.eq(org)),
            )))
        }
        OrgType::Provider => Box::new(exists(placements::table.filter(placements::child_id.eq(children::id)).filter(
            placements::urn.eq_any(
                settings::table.filter(settings::provider_id.eq(caller.org.clone())).select(settings::urn.nullable()),
            ),
        ))),
        OrgType::Operator => Box::new(diesel::dsl::sql::<Bool>("1 = 0")),
    }
}

/// A child the caller may see, or None (indistinguishable from a child that does not exist).
pub fn find_visible(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Option<ChildRecord>, ApiError> {
    Ok(children::table
        .filter(children::id.eq(id))
        .filter(visible(caller))
        .select(ChildRecord::as_select())
        .first(conn)
        .optional()?)
}

/// A child the caller may see with its missing flags at `now`, in one statement (the access
/// condition, the row, its stored missing state and its recent episodes counted), or None.
pub fn find_visible_with_flags(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    now: NaiveDateTime,
) -> Result<Option<(ChildRecord, crate::flags::ChildMissingFlags)>, ApiError> {
    let of_child = || child_missing_state::table.filter(child_missing_state::child_id.eq(children::id));
    let state = (
        of_child().select(child_missing_state::missing_since).single_value(),
        of_child().select(child_missing_state::third_latest_start).single_value(),
        of_child().select(child_missing_state::interview_pending_since).single_value(),
    );
    let found: Option<(ChildRecord, StateRow, i64)> = children::table
        .filter(children::id.eq(id))
        .filter(visible(caller))
        .select((ChildRecord::as_select(), state, episodes_since(crate::flags::repeat_window_start(now))))
        .first(conn)
        .optional()?;
    Ok(found.map(|(rec, st, recent)| (rec, crate::flags::from_state(&state_of(st), recent, now))))
}

/// A child by id without access rules, for checks inside writes that are already authorised.
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<ChildRecord>, ApiError> {
    Ok(children::table.find(id).select(ChildRecord::as_select()).first(conn).optional()?)
}

/// The responsible LA's children, by family name then id.
pub fn list_own(
    conn: &mut AnyConnection,
    la: &str,
    after: Option<(String, String)>,
    limit: i64,
) -> Result<Vec<ChildRecord>, ApiError> {
    let mut q = children::table
        .filter(children::responsible_la.eq(la.to_string()))
        .select(ChildRecord::as_select())
        .into_boxed();
    if let Some((name, id)) = after {
        q = q
            .filter(children::family_name.gt(name.clone()).or(children::family_name.eq(name).and(children::id.gt(id))));
    }
    Ok(q.order((children::family_name.asc(), children::id.asc())).limit(limit + 1).load(conn)?)
}

/// A child with this NHS number that the caller may see: (id, responsible LA).
pub fn visible_by_nhs_number(
    conn: &mut AnyConnection,
    caller: &Caller,
    nhs: &str,
) -> Result<Option<(String, String)>, ApiError> {
    Ok(children::table
        .filter(children::nhs_number.eq(nhs))
        .filter(visible(caller))
        .select((children::id, children::responsible_la))
        .first(conn)
        .optional()?)
}

pub fn by_la_child_id(conn: &mut AnyConnection, la: &str, la_child_id: &str) -> Result<Option<String>, ApiError> {
    Ok(children::table
        .filter(children::responsible_la.eq(la))
        .filter(children::la_child_id.eq(la_child_id))
        .select(children::id)
        .first(conn)
        .optional()?)
}

/// Children with this NHS number, whoever may see them (to match a registration against).
pub fn by_nhs_number(conn: &mut AnyConnection, nhs: &str) -> Result<Vec<ChildRecord>, ApiError> {
    Ok(children::table.filter(children::nhs_number.eq(nhs)).select(ChildRecord::as_select()).load(conn)?)
}

/// Children born on a date that the caller may see: (id, responsible LA, given name, family name).
pub fn visible_born_on(
    conn: &mut AnyConnection,
    caller: &Caller,
    dob: NaiveDate,
) -> Result<Vec<(String, String, String, String)>, ApiError> {
    Ok(children::table
        .filter(children::date_of_birth.eq(dob))
        .filter(visible(caller))
        .select((children::id, children::responsible_la, children::given_name, children::family_name))
        .limit(500)
        .load(conn)?)
}

pub fn insert(conn: &mut AnyConnection, c: &ChildRecord) -> Result<(), ApiError> {
    diesel::insert_into(children::table).values(c).execute(conn)?;
    Ok(())
}

/// Writes `c` over the stored record, as version `expected + 1`, when the stored version is
/// still `expected`; rows changed.
pub fn update(conn: &mut AnyConnection, c: &ChildRecord, expected: i64) -> Result<usize, ApiError> {
    let next = ChildRecord { version: expected + 1, ..c.clone() };
    Ok(diesel::update(children::table.find(&c.id).filter(children::version.eq(expected))).set(&next).execute(conn)?)
}

/// Takes the child's row lock for the rest of the transaction (serialises writes about one
/// child, such as placement overlap checks) by bumping nothing but `updated_at`'s twin: a no-op
/// update of the version to itself.
pub fn lock(conn: &mut AnyConnection, id: &ChildId) -> Result<bool, ApiError> {
    Ok(diesel::update(children::table.find(id)).set(children::version.eq(children::version)).execute(conn)? > 0)
}

/// The number of episodes of the row's child (`children.id`) that started at or after `since`:
/// a range of the episodes' index on (child_id, started_at), without reading the episodes.
pub fn episodes_since(since: NaiveDateTime) -> EpisodesSince {
    diesel::dsl::sql::<BigInt>(
        "(SELECT COUNT(*) FROM missing_episodes recent WHERE recent.child_id = children.id AND recent.started_at >= ",
    )
    .bind::<Timestamp, _>(since)
    .sql(")")
}

pub type EpisodesSince = diesel::expression::SqlLiteral<
    BigInt,
    diesel::expression::UncheckedBind<
        diesel::expression::SqlLiteral<BigInt>,
        diesel::dsl::AsExprOf<NaiveDateTime, Timestamp>,
    >,
>;

/// A child's stored missing state (nullable columns of a left join).
pub type StateColumns = (
    diesel::dsl::Nullable<child_missing_state::missing_since>,
    diesel::dsl::Nullable<child_missing_state::third_latest_start>,
    diesel::dsl::Nullable<child_missing_state::interview_pending_since>,
);

pub fn state() -> StateColumns {
    (
        child_missing_state::missing_since.nullable(),
        child_missing_state::third_latest_start.nullable(),
        child_missing_state::interview_pending_since.nullable(),
    )
}

pub type StateRow = (Option<NaiveDateTime>, Option<NaiveDateTime>, Option<NaiveDateTime>);

pub fn state_of(row: StateRow) -> crate::flags::MissingState {
    crate::flags::MissingState { missing_since: row.0, third_latest_start: row.1, interview_pending_since: row.2 }
}

/// The missing flags of many children at `now`, from their stored state.
pub fn missing_flags(
    conn: &mut AnyConnection,
    ids: &[ChildId],
    now: NaiveDateTime,
) -> Result<Vec<(ChildId, crate::flags::ChildMissingFlags)>, ApiError> {
    let since = crate::flags::repeat_window_start(now);
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(ChildId, StateRow, i64)> = children::table
            .left_join(child_missing_state::table)
            .filter(children::id.eq_any(chunk))
            .select((children::id, state(), episodes_since(since)))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(id, st, recent)| (id, crate::flags::from_state(&state_of(st), recent, now))));
    }
    Ok(out)
}

/// Whether any child is registered at all.
pub fn any(conn: &mut AnyConnection) -> Result<bool, ApiError> {
    Ok(children::table.count().get_result::<i64>(conn)? > 0)
}
