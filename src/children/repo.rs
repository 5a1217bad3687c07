//! SQL for children. Every read by a caller carries the access condition of [`visible`].

use crate::auth::{Caller, OrgType};
use crate::db::AnyConnection;
use crate::db::rows::audit::PendingEvent;
use crate::db::rows::children::{ChildRecord, MergeRecord};
use crate::db::schema::{
    admissions, child_merges, child_missing_state, child_transfers, children, missing_episodes, notifications,
    placements, settings,
};
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Timestamp};
use std::sync::OnceLock;

type Cond = Visible<crate::db::MultiBackend>;

/// The access condition of [`visible`].
pub type Visible<DB> = Box<dyn BoxableExpression<children::table, DB, SqlType = Bool>>;

/// The SQL condition selecting the children a caller may see: an authority its own children and
/// those with a placement in its area (history kept); a provider those placed in its settings.
/// The child read on asynchronous PostgreSQL connections writes the same condition as SQL text
/// ([`ChildRead`]).
pub fn visible(caller: &Caller) -> Cond {
    match caller.org_type {
        OrgType::Authority => Box::new(seen_by_authority(caller.org.clone())),
        OrgType::Provider => Box::new(seen_by_provider(caller.org.clone())),
        OrgType::Operator => Box::new(diesel::dsl::sql::<Bool>("1 = 0")),
    }
}

/// [`visible`] for an authority, as a type of its own: a statement holding it is prepared once
/// per connection and found by its type, without writing its SQL text again.
#[diesel::dsl::auto_type]
fn seen_by_authority(org: String) -> _ {
    let host: String = org.clone();
    children::responsible_la.eq(org).or(exists(
        placements::table.filter(placements::child_id.eq(children::id)).filter(placements::host_area.eq(host)),
    ))
}

/// [`visible`] for a provider, as a type of its own (see [`seen_by_authority`]).
#[diesel::dsl::auto_type]
fn seen_by_provider(provider: String) -> _ {
    exists(
        placements::table.filter(placements::child_id.eq(children::id)).filter(
            placements::urn
                .eq_any(settings::table.filter(settings::provider_id.eq(provider)).select(settings::urn.nullable())),
        ),
    )
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
) -> Result<Option<VisibleChild>, ApiError> {
    let read = children::table
        .filter(children::id.eq(id))
        .select((ChildRecord::as_select(), flag_columns(crate::flags::repeat_window_start(now))));
    // One statement type per kind of caller, rather than `visible`'s boxed condition, whose
    // statement is found again only by writing its SQL text on every read.
    let found = match caller.org_type {
        OrgType::Authority => read.filter(seen_by_authority(caller.org.clone())).first(conn).optional()?,
        OrgType::Provider => read.filter(seen_by_provider(caller.org.clone())).first(conn).optional()?,
        OrgType::Operator => None,
    };
    Ok(found.map(|row| visible_child(row, now)))
}

/// [`find_visible_with_flags`] on an asynchronous PostgreSQL connection, with the read recorded
/// in the audit log by the same statement ([`ChildRead`]).
pub async fn read_visible_with_flags(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: &str,
    event: &PendingEvent,
    now: NaiveDateTime,
) -> Result<Option<VisibleChild>, ApiError> {
    use diesel_async::RunQueryDsl;
    let binds = Binds { child: id, org: &caller.org, event, window_start: crate::flags::repeat_window_start(now) };
    // A failed statement has neither read nor recorded: the read is refused as unrecorded.
    let found = match caller.org_type {
        OrgType::Authority => ChildRead::<false>(binds).get_result::<(ChildRecord, FlagRow)>(conn).await,
        OrgType::Provider => ChildRead::<true>(binds).get_result(conn).await,
        // An operator sees no child's record (DESIGN §6).
        OrgType::Operator => return Ok(None),
    };
    let found = found.optional().map_err(|e| crate::audit::unrecorded(e.into()))?;
    Ok(found.map(|row| visible_child(row, now)))
}

/// A child with its missing flags and, for a merged record, the record it was merged into.
pub type VisibleChild = (ChildRecord, crate::flags::ChildMissingFlags, Option<String>);

type FlagRow = (StateRow, Option<i64>, Option<String>);

/// The stored missing state, the episodes since the repeat window's start and `merged_into` of
/// the row's child: subqueries on `children.id`, so the row and its flags come in one statement.
#[diesel::dsl::auto_type]
fn flag_columns(window_start: NaiveDateTime) -> _ {
    let recent: episodes_since = episodes_since(window_start);
    (
        (
            child_missing_state::table
                .filter(child_missing_state::child_id.eq(children::id))
                .select(child_missing_state::missing_since)
                .single_value(),
            child_missing_state::table
                .filter(child_missing_state::child_id.eq(children::id))
                .select(child_missing_state::third_latest_start)
                .single_value(),
            child_missing_state::table
                .filter(child_missing_state::child_id.eq(children::id))
                .select(child_missing_state::interview_pending_since)
                .single_value(),
        ),
        recent,
        children::merged_into,
    )
}

fn visible_child((rec, (st, recent, merged)): (ChildRecord, FlagRow), now: NaiveDateTime) -> VisibleChild {
    (rec, crate::flags::from_state(&state_of(st), recent.unwrap_or(0), now), merged)
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
        .filter(children::merged_into.is_null())
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
        .filter(children::merged_into.is_null())
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
    Ok(children::table
        .filter(children::nhs_number.eq(nhs))
        .filter(children::merged_into.is_null())
        .select(ChildRecord::as_select())
        .load(conn)?)
}

/// What a duplicate check compares of a child: id, responsible LA, given name, family name, date
/// of birth, sex, NHS number.
pub type IdentityRow = (String, String, String, String, NaiveDate, String, Option<String>);

/// Children born on any of `dates` that the caller may see.
pub fn visible_born_on_any(
    conn: &mut AnyConnection,
    caller: &Caller,
    dates: &[NaiveDate],
) -> Result<Vec<IdentityRow>, ApiError> {
    Ok(children::table
        .filter(children::date_of_birth.eq_any(dates.to_vec()))
        .filter(children::merged_into.is_null())
        .filter(visible(caller))
        .select((
            children::id,
            children::responsible_la,
            children::given_name,
            children::family_name,
            children::date_of_birth,
            children::sex,
            children::nhs_number,
        ))
        .limit(2000)
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
/// a range of the episodes' index on (child_id, started_at), without reading the episodes. Built
/// from the query builder rather than SQL text, so a statement holding it can be prepared once
/// per connection and reused.
#[diesel::dsl::auto_type]
pub fn episodes_since(since: NaiveDateTime) -> _ {
    missing_episodes::table
        .filter(missing_episodes::child_id.eq(children::id))
        .filter(missing_episodes::started_at.ge(since))
        .count()
        .single_value()
}

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
        let rows: Vec<(ChildId, StateRow, Option<i64>)> = children::table
            .left_join(child_missing_state::table)
            .filter(children::id.eq_any(chunk))
            .select((children::id, state(), episodes_since(since)))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(id, st, recent)| (id, crate::flags::from_state(&state_of(st), recent.unwrap_or(0), now))),
        );
    }
    Ok(out)
}

/// Whether any child is registered at all.
pub fn any(conn: &mut AnyConnection) -> Result<bool, ApiError> {
    Ok(children::table.count().get_result::<i64>(conn)? > 0)
}

/// A transfer of responsibility as stored: id, child, from LA, to LA, when, by whom.
pub type TransferRow = (String, String, String, String, NaiveDateTime, String);

/// Passes responsibility for a child to `to_la` (version bumped), with its open placements and
/// their episodes, and keeps the transfer; rows of the child changed.
pub fn transfer(conn: &mut AnyConnection, t: &TransferRow, la_child_id: &str) -> Result<usize, ApiError> {
    let (id, child_id, from_la, to_la, at, by) = t;
    let changed = diesel::update(children::table.find(child_id).filter(children::responsible_la.eq(from_la)))
        .set((
            children::responsible_la.eq(to_la),
            children::la_child_id.eq(la_child_id),
            children::version.eq(children::version + 1),
            children::updated_at.eq(at),
        ))
        .execute(conn)?;
    let open = placements::table
        .filter(placements::child_id.eq(child_id))
        .filter(placements::placing_la.eq(from_la))
        .filter(placements::end_date.is_null())
        .select(placements::id);
    diesel::update(missing_episodes::table.filter(missing_episodes::placement_id.eq_any(open)))
        .set(missing_episodes::placing_la.eq(to_la))
        .execute(conn)?;
    diesel::update(
        placements::table
            .filter(placements::child_id.eq(child_id))
            .filter(placements::placing_la.eq(from_la))
            .filter(placements::end_date.is_null()),
    )
    .set((
        placements::placing_la.eq(to_la),
        placements::version.eq(placements::version + 1),
        placements::updated_at.eq(at),
    ))
    .execute(conn)?;
    diesel::insert_into(child_transfers::table)
        .values((
            child_transfers::id.eq(id),
            child_transfers::child_id.eq(child_id),
            child_transfers::from_la.eq(from_la),
            child_transfers::to_la.eq(to_la),
            child_transfers::transferred_at.eq(at),
            child_transfers::transferred_by.eq(by),
        ))
        .execute(conn)?;
    Ok(changed)
}

/// The transfers of responsibility for a child, oldest first.
pub fn transfers_of(conn: &mut AnyConnection, child_id: &ChildId) -> Result<Vec<TransferRow>, ApiError> {
    Ok(child_transfers::table
        .filter(child_transfers::child_id.eq(child_id.as_str()))
        .select((
            child_transfers::id,
            child_transfers::child_id,
            child_transfers::from_la,
            child_transfers::to_la,
            child_transfers::transferred_at,
            child_transfers::transferred_by,
        ))
        .order(child_transfers::transferred_at.asc())
        .load(conn)?)
}

/// Whether a child with this NHS number is held by `la` (other than `except`).
pub fn la_holds_nhs_number(conn: &mut AnyConnection, la: &str, nhs: &str, except: &ChildId) -> Result<bool, ApiError> {
    Ok(children::table
        .filter(children::responsible_la.eq(la))
        .filter(children::nhs_number.eq(nhs))
        .filter(children::id.ne(except.as_str()))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// The record a merged record now points to, if it was merged.
pub fn merged_into(conn: &mut AnyConnection, id: &ChildId) -> Result<Option<String>, ApiError> {
    Ok(children::table
        .find(id.as_str())
        .select(children::merged_into)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The ids of the records merged into `survivor`.
pub fn merged_ids(conn: &mut AnyConnection, survivor: &ChildId) -> Result<Vec<ChildId>, ApiError> {
    Ok(children::table.filter(children::merged_into.eq(survivor.as_str())).select(children::id).load(conn)?)
}

/// Moves everything recorded about `merged` to `survivor` (placements, missing episodes,
/// admissions, notifications, transfers, and records merged into it before), gives the
/// merged record's open placements and their episodes to the survivor's LA, and marks the
/// merged record as merged. Rows of the merged record changed (0: it changed meanwhile).
pub fn merge(
    conn: &mut AnyConnection,
    survivor: &ChildRecord,
    merged: &ChildRecord,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let (to, from) = (survivor.id.as_str(), merged.id.as_str());
    let changed = diesel::update(
        children::table.find(from).filter(children::version.eq(merged.version)).filter(children::merged_into.is_null()),
    )
    .set((children::merged_into.eq(to), children::version.eq(children::version + 1), children::updated_at.eq(now)))
    .execute(conn)?;
    if changed == 0 {
        return Ok(0);
    }
    let open = placements::table
        .filter(placements::child_id.eq(from))
        .filter(placements::end_date.is_null())
        .select(placements::id);
    diesel::update(missing_episodes::table.filter(missing_episodes::placement_id.eq_any(open)))
        .set(missing_episodes::placing_la.eq(&survivor.responsible_la))
        .execute(conn)?;
    diesel::update(placements::table.filter(placements::child_id.eq(from)).filter(placements::end_date.is_null()))
        .set(placements::placing_la.eq(&survivor.responsible_la))
        .execute(conn)?;
    diesel::update(placements::table.filter(placements::child_id.eq(from)))
        .set((
            placements::child_id.eq(to),
            placements::version.eq(placements::version + 1),
            placements::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(missing_episodes::table.filter(missing_episodes::child_id.eq(from)))
        .set(missing_episodes::child_id.eq(to))
        .execute(conn)?;
    crate::db::missing_state::keep(conn, &survivor.id)?;
    crate::db::missing_state::keep(conn, &merged.id)?;
    diesel::update(admissions::table.filter(admissions::child_id.eq(from)))
        .set(admissions::child_id.eq(to))
        .execute(conn)?;
    diesel::update(notifications::table.filter(notifications::child_id.eq(from)))
        .set(notifications::child_id.eq(to))
        .execute(conn)?;
    diesel::update(child_transfers::table.filter(child_transfers::child_id.eq(from)))
        .set(child_transfers::child_id.eq(to))
        .execute(conn)?;
    diesel::update(children::table.filter(children::merged_into.eq(from)))
        .set(children::merged_into.eq(to))
        .execute(conn)?;
    diesel::update(children::table.find(to))
        .set((children::version.eq(children::version + 1), children::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed)
}

/// A merge as stored: id, survivor, merged record, requesting LA, requested by, when, status
/// (`requested`, `completed`), completing LA, when.
pub fn insert_merge(conn: &mut AnyConnection, m: &MergeRecord) -> Result<(), ApiError> {
    diesel::insert_into(child_merges::table).values(m).execute(conn)?;
    Ok(())
}

/// A requested merge whose merged record `la` is responsible for, or None.
pub fn requested_merge_for(conn: &mut AnyConnection, id: &str, la: &str) -> Result<Option<MergeRecord>, ApiError> {
    Ok(child_merges::table
        .inner_join(children::table.on(children::id.eq(child_merges::merged_id)))
        .filter(child_merges::id.eq(id))
        .filter(child_merges::status.eq("requested"))
        .filter(children::responsible_la.eq(la))
        .filter(children::merged_into.is_null())
        .select(MergeRecord::as_select())
        .first(conn)
        .optional()?)
}

pub fn complete_merge(conn: &mut AnyConnection, id: &str, la: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(child_merges::table.find(id))
        .set((
            child_merges::status.eq("completed"),
            child_merges::completed_by_la.eq(la),
            child_merges::completed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The completed merges into a child: (merge id, merged record, when), oldest first.
pub fn merges_into(
    conn: &mut AnyConnection,
    child_id: &ChildId,
) -> Result<Vec<(String, String, NaiveDateTime)>, ApiError> {
    let rows: Vec<(String, String, Option<NaiveDateTime>)> = child_merges::table
        .filter(child_merges::survivor_id.eq(child_id.as_str()))
        .filter(child_merges::status.eq("completed"))
        .select((child_merges::id, child_merges::merged_id, child_merges::completed_at))
        .order(child_merges::completed_at.asc())
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, merged, at)| at.map(|at| (id, merged, at))).collect())
}

// The child read on an asynchronous PostgreSQL connection ([`read_visible_with_flags`]): the
// access condition, the row, its missing flags and the audit event of the read in one statement.
//
// Written as SQL text rather than with the query builder, for two reasons measured under load:
// the query builder cannot write a data-modifying `WITH`, so the read and its audit event were
// two statements (PostgreSQL parsed, planned and ran the access condition twice); and the
// asynchronous connection builds a built query's whole SQL text on every call before it looks up
// the prepared statement (about a tenth of the server's work on a read). Here the text is fixed
// for each kind of caller, the statement has a type of its own (so it is prepared once per
// connection and found by that type), and the child's columns come from [`ChildRecord`]'s own
// selection, written once per process, so the row cannot drift from the struct. The access
// condition is [`visible`]'s, written as SQL.

struct Binds<'a> {
    child: &'a str,
    org: &'a str,
    event: &'a PendingEvent,
    window_start: NaiveDateTime,
}

/// The statement, for an authority (`PROVIDER` false) or a provider.
struct ChildRead<'a, const PROVIDER: bool>(Binds<'a>);

/// The identity of each kind of [`ChildRead`], whatever its binds' lifetime.
struct Statement<const PROVIDER: bool>;

impl<const PROVIDER: bool> QueryId for ChildRead<'_, PROVIDER> {
    type QueryId = Statement<PROVIDER>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<const PROVIDER: bool> Query for ChildRead<'_, PROVIDER> {
    type SqlType = (
        diesel::dsl::AsSelect<ChildRecord, Pg>,
        ((Nullable<Timestamp>, Nullable<Timestamp>, Nullable<Timestamp>), Nullable<BigInt>, Nullable<Text>),
    );
}

/// The child's columns as [`ChildRecord`] selects them (`"children"."id", ...`), written once.
fn child_columns() -> &'static str {
    static COLUMNS: OnceLock<String> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        let mut out = diesel::pg::PgQueryBuilder::default();
        match <ChildRecord as Selectable<Pg>>::construct_selection().to_sql(&mut out, &Pg) {
            Ok(()) => diesel::query_builder::QueryBuilder::finish(out),
            // Writing column names cannot fail; if it did, the statement fails to prepare and
            // the read is refused.
            Err(_) => String::new(),
        }
    })
}

impl<const PROVIDER: bool> QueryFragment<Pg> for ChildRead<'_, PROVIDER> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let b = &self.0;
        let e = b.event;
        // `visible` holds the child if the caller may see it (DESIGN §6), else nothing; the
        // event is written only for a child found and not merged (a merged record answers 301).
        out.push_sql("WITH visible AS (SELECT * FROM children WHERE children.id = ");
        out.push_bind_param::<Text, _>(b.child)?;
        if PROVIDER {
            // A provider: a child placed (now or before) in one of its settings.
            out.push_sql(
                " AND EXISTS (SELECT 1 FROM placements p WHERE p.child_id = children.id \
                 AND p.urn IN (SELECT s.urn FROM settings s WHERE s.provider_id = ",
            );
            out.push_bind_param::<Text, _>(b.org)?;
            out.push_sql(")))");
        } else {
            // An authority: its own children, and those placed (now or before) in its area.
            out.push_sql(" AND (children.responsible_la = ");
            out.push_bind_param::<Text, _>(b.org)?;
            out.push_sql(" OR EXISTS (SELECT 1 FROM placements p WHERE p.child_id = children.id AND p.host_area = ");
            out.push_bind_param::<Text, _>(b.org)?;
            out.push_sql(")))");
        }
        out.push_sql(
            ", recorded AS (INSERT INTO audit_pending \
             (id, at, subject, org_type, org, action, child_id, request_id) SELECT ",
        );
        out.push_bind_param::<Text, _>(&e.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&e.at)?;
        out.push_sql(", ");
        for text in [&e.subject, &e.org_type, &e.org, &e.action] {
            out.push_bind_param::<Text, _>(text)?;
            out.push_sql(", ");
        }
        out.push_sql("visible.id, ");
        out.push_bind_param::<Nullable<Text>, _>(&e.request_id)?;
        out.push_sql(" FROM visible WHERE visible.merged_into IS NULL) SELECT ");
        out.push_sql(child_columns());
        out.push_sql(
            ", s.missing_since, s.third_latest_start, s.interview_pending_since, \
             (SELECT count(*) FROM missing_episodes e WHERE e.child_id = children.id AND e.started_at >= ",
        );
        out.push_bind_param::<Timestamp, _>(&b.window_start)?;
        out.push_sql(
            "), children.merged_into \
             FROM visible AS children LEFT JOIN child_missing_state s ON s.child_id = children.id",
        );
        Ok(())
    }
}
