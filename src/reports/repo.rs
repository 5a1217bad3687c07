//! SQL for reports. Every figure is a filtered `COUNT(*)` over rows restricted by the caller's
//! organisation and the period, with one query per kind of record; the records behind a figure
//! are the same rows under the same condition, a page at a time. Conditions are written once
//! (`*_condition`) and used by both, so a figure and its records always agree.

use super::figures::{Figure, Role};
use crate::db::{AnyConnection, Backend, MultiBackend};
use crate::flags::{REPEAT_THRESHOLD, REPEAT_WINDOW_DAYS, RETURN_INTERVIEW_HOURS};
use crate::period::Quarter;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::deserialize::{self, QueryableByName};
use diesel::prelude::*;
use diesel::row::NamedRow;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamp};

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Date(NaiveDate),
    Time(NaiveDateTime),
    Int(i64),
}

impl From<&str> for Bind {
    fn from(v: &str) -> Bind {
        Bind::Text(v.to_string())
    }
}
impl From<String> for Bind {
    fn from(v: String) -> Bind {
        Bind::Text(v)
    }
}
impl From<NaiveDate> for Bind {
    fn from(v: NaiveDate) -> Bind {
        Bind::Date(v)
    }
}
impl From<NaiveDateTime> for Bind {
    fn from(v: NaiveDateTime) -> Bind {
        Bind::Time(v)
    }
}
impl From<i64> for Bind {
    fn from(v: i64) -> Bind {
        Bind::Int(v)
    }
}

/// SQL text with its bound values, for one backend (`plus` differs). Diesel writes each
/// placeholder as the backend spells it, and keeps the statement prepared on the connection,
/// keyed by its text: a report's statements are the same text every time, so they are parsed
/// once per connection, not once per request (`diesel::sql_query` is never kept).
struct Sql {
    backend: Backend,
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    Bind(Bind),
}

impl Sql {
    fn new(backend: Backend) -> Sql {
        Sql { backend, parts: Vec::with_capacity(32) }
    }
    fn push(&mut self, s: &str) -> &mut Sql {
        match self.parts.last_mut() {
            Some(Part::Text(t)) => t.push_str(s),
            _ => self.parts.push(Part::Text(s.to_string())),
        }
        self
    }
    fn bind(&mut self, v: impl Into<Bind>) -> &mut Sql {
        self.parts.push(Part::Bind(v.into()));
        self
    }
    /// `col` plus a fixed interval (`'72 hours'`), keeping the stored precision on SQLite, where
    /// timestamps are text.
    fn plus(&mut self, col: &str, amount: &str) -> &mut Sql {
        let expr = match self.backend {
            Backend::Postgres => format!("({col} + INTERVAL '{amount}')"),
            Backend::Sqlite => format!("(datetime({col}, '+{amount}') || substr({col}, 20))"),
        };
        self.push(&expr)
    }
    fn load<T>(self, conn: &mut AnyConnection) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<MultiBackend> + 'static,
    {
        diesel::RunQueryDsl::load(self, conn)
    }
}

impl diesel::query_builder::QueryId for Sql {
    type QueryId = ();
    // Not known from the type: diesel keys the prepared statement by its text instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for Sql {
    type SqlType = diesel::sql_types::Untyped;
}

impl<Conn> diesel::RunQueryDsl<Conn> for Sql {}

impl diesel::query_builder::QueryFragment<MultiBackend> for Sql {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_sql(t),
                Part::Bind(Bind::Text(v)) => out.push_bind_param::<Text, _>(v)?,
                Part::Bind(Bind::Date(v)) => out.push_bind_param::<Date, _>(v)?,
                Part::Bind(Bind::Time(v)) => out.push_bind_param::<Timestamp, _>(v)?,
                Part::Bind(Bind::Int(v)) => out.push_bind_param::<BigInt, _>(v)?,
            }
        }
        Ok(())
    }
}

/// One row of `N` counts named `c0`, `c1`...
struct Counts<const N: usize>([i64; N]);

impl<const N: usize> QueryableByName<MultiBackend> for Counts<N> {
    fn build<'a>(row: &impl NamedRow<'a, MultiBackend>) -> deserialize::Result<Self> {
        let mut out = [0i64; N];
        for (i, v) in out.iter_mut().enumerate() {
            *v = NamedRow::get::<BigInt, i64>(row, &format!("c{i}"))?;
        }
        Ok(Counts(out))
    }
}

fn counts<const N: usize>(conn: &mut AnyConnection, q: Sql) -> QueryResult<[i64; N]> {
    Ok(q.load::<Counts<N>>(conn)?.into_iter().next().map(|c| c.0).unwrap_or([0; N]))
}

/// `SELECT COUNT(*) FILTER (WHERE <condition>) AS c0, ...` for the figures (a plain `COUNT(*)`
/// for the total of each kind of record).
fn select_counts(q: &mut Sql, figures: &[Figure], mut condition: impl FnMut(&mut Sql, Figure)) {
    q.push("SELECT ");
    for (i, f) in figures.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        if matches!(
            f,
            Figure::Notifications | Figure::UnnotifiedPlacements | Figure::ReturnsExpected | Figure::Episodes
        ) {
            q.push(&format!("COUNT(*) AS c{i}"));
        } else {
            q.push("COUNT(*) FILTER (WHERE ");
            condition(q, *f);
            q.push(&format!(") AS c{i}"));
        }
    }
}

/// Whose records, and the period's bounds.
#[derive(Debug, Clone)]
pub struct Scope {
    pub role: Role,
    pub org: String,
    /// First and last day of the period.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The same as instants: `[start, end)`.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

// ---------------------------------------------------------------------------------------------
// Statutory placement notifications.

pub const NOTIFICATION_FIGURES: [Figure; 4] = [
    Figure::Notifications,
    Figure::NotificationsOnTime,
    Figure::NotificationsLate,
    Figure::NotificationsAcknowledgementOverdue,
];

fn notifications_from(q: &mut Sql, s: &Scope) {
    q.push(
        " FROM notifications n WHERE n.\"type\" IN ('placement.started', 'placement.ended') \
         AND n.on_time IS NOT NULL AND ",
    );
    match s.role {
        Role::Placing => q.push("n.sender_org_type = 'authority' AND n.sender_org = ").bind(s.org.as_str()),
        _ => q.push("n.recipient_la = ").bind(s.org.as_str()),
    };
    q.push(" AND n.event_date >= ").bind(s.from).push(" AND n.event_date <= ").bind(s.to);
}

/// `unacknowledged_before`: notifications created before this instant and not acknowledged are
/// past their acknowledgement deadline.
fn notification_condition(q: &mut Sql, f: Figure, unacknowledged_before: NaiveDateTime) {
    match f {
        Figure::NotificationsOnTime => q.push("n.on_time = TRUE"),
        Figure::NotificationsLate => q.push("n.on_time = FALSE"),
        Figure::NotificationsAcknowledgementOverdue => {
            q.push("n.acknowledged_at IS NULL AND n.created_at < ").bind(unacknowledged_before)
        }
        _ => q.push("1 = 1"),
    };
}

pub fn notification_counts(
    conn: &mut AnyConnection,
    s: &Scope,
    unacknowledged_before: NaiveDateTime,
) -> QueryResult<[i64; 4]> {
    let mut q = Sql::new(conn.backend());
    select_counts(&mut q, &NOTIFICATION_FIGURES, |q, f| notification_condition(q, f, unacknowledged_before));
    notifications_from(&mut q, s);
    counts(conn, q)
}

#[derive(Debug, QueryableByName)]
pub struct NotificationRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub sender_org: String,
    #[diesel(sql_type = Text)]
    pub recipient_la: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub child_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub placement_id: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    pub event_date: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    pub emergency: bool,
    #[diesel(sql_type = Nullable<Date>)]
    pub due_by: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub on_time: Option<bool>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub late_by_working_days: Option<i64>,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub acknowledged_at: Option<NaiveDateTime>,
}

/// The notifications behind a figure, by event date then id, after `(event_date, id)`.
pub fn notification_records(
    conn: &mut AnyConnection,
    s: &Scope,
    f: Figure,
    unacknowledged_before: NaiveDateTime,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> QueryResult<Vec<NotificationRow>> {
    let mut q = Sql::new(conn.backend());
    q.push(
        "SELECT n.id, n.\"type\" AS kind, n.sender_org, n.recipient_la, n.child_id, n.placement_id, \
         n.event_date, n.emergency, n.due_by, n.on_time, n.late_by_working_days, n.created_at, n.acknowledged_at",
    );
    notifications_from(&mut q, s);
    q.push(" AND ");
    notification_condition(&mut q, f, unacknowledged_before);
    if let Some((d, id)) = after {
        q.push(" AND (n.event_date > ").bind(d).push(" OR (n.event_date = ").bind(d).push(" AND n.id > ").bind(id);
        q.push("))");
    }
    q.push(" ORDER BY n.event_date, n.id LIMIT ").bind(limit + 1);
    q.load(conn)
}

// ---------------------------------------------------------------------------------------------
// Unnotified placements: admissions with no placement behind them when recorded.

pub const ADMISSION_FIGURES: [Figure; 2] = [Figure::UnnotifiedPlacements, Figure::UnnotifiedPlacementsUnresolved];

fn admissions_from(q: &mut Sql, s: &Scope) {
    q.push(" FROM admissions a WHERE a.kind = 'admission' AND a.status IN ('unmatched', 'resolved') AND ");
    match s.role {
        Role::Placing => q.push("a.placing_la = ").bind(s.org.as_str()),
        Role::Host => q.push("a.host_area = ").bind(s.org.as_str()),
        Role::Provider => q.push("a.provider_id = ").bind(s.org.as_str()),
    };
    q.push(" AND a.event_date >= ").bind(s.from).push(" AND a.event_date <= ").bind(s.to);
}

fn admission_condition(q: &mut Sql, f: Figure) {
    match f {
        Figure::UnnotifiedPlacementsUnresolved => q.push("a.status = 'unmatched'"),
        _ => q.push("1 = 1"),
    };
}

pub fn admission_counts(conn: &mut AnyConnection, s: &Scope) -> QueryResult<[i64; 2]> {
    let mut q = Sql::new(conn.backend());
    select_counts(&mut q, &ADMISSION_FIGURES, admission_condition);
    admissions_from(&mut q, s);
    counts(conn, q)
}

#[derive(Debug, QueryableByName)]
pub struct AdmissionRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub urn: String,
    #[diesel(sql_type = Text)]
    pub host_area: String,
    #[diesel(sql_type = Date)]
    pub event_date: NaiveDate,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub placing_la: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub child_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub placement_id: Option<String>,
    #[diesel(sql_type = Timestamp)]
    pub created_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub resolved_at: Option<NaiveDateTime>,
}

pub fn admission_records(
    conn: &mut AnyConnection,
    s: &Scope,
    f: Figure,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> QueryResult<Vec<AdmissionRow>> {
    let mut q = Sql::new(conn.backend());
    q.push(
        "SELECT a.id, a.urn, a.host_area, a.event_date, a.status, a.placing_la, a.child_id, a.placement_id, \
         a.created_at, a.resolved_at",
    );
    admissions_from(&mut q, s);
    q.push(" AND ");
    admission_condition(&mut q, f);
    if let Some((d, id)) = after {
        q.push(" AND (a.event_date > ").bind(d).push(" OR (a.event_date = ").bind(d).push(" AND a.id > ").bind(id);
        q.push("))");
    }
    q.push(" ORDER BY a.event_date, a.id LIMIT ").bind(limit + 1);
    q.load(conn)
}

// ---------------------------------------------------------------------------------------------
// Quarterly returns: one expected per setting per quarter, judged by its first version.

pub const RETURN_FIGURES: [Figure; 5] = [
    Figure::ReturnsExpected,
    Figure::ReturnsOnTime,
    Figure::ReturnsLate,
    Figure::ReturnsMissing,
    Figure::ReturnsNotYetDue,
];

/// One quarter's expectations: the quarter, the instant from which a return is late (the day
/// after the due date) and whether that instant has passed.
#[derive(Debug, Clone)]
pub struct ReturnQuarter {
    pub quarter: Quarter,
    pub due_by: NaiveDate,
    pub late_from: NaiveDateTime,
    pub due_passed: bool,
}

/// `x`: the settings in scope that existed by the end of the quarter, each with `first_at` (its
/// first submission for the quarter) and `latest` (its latest version number).
fn expected_returns(q: &mut Sql, s: &Scope, rq: &ReturnQuarter, with_latest: bool) {
    let period = rq.quarter.to_string();
    let quarter_end = crate::clock::london_midnight(rq.quarter.last_day().succ_opt().unwrap_or(NaiveDate::MAX));
    q.push(
        " FROM (SELECT st.urn, st.name, st.host_area, \
         (SELECT MIN(r1.submitted_at) FROM quarterly_returns r1 WHERE r1.urn = st.urn AND r1.period = ",
    );
    q.bind(period.as_str()).push(") AS first_at");
    if with_latest {
        q.push(", (SELECT MAX(r2.version) FROM quarterly_returns r2 WHERE r2.urn = st.urn AND r2.period = ");
        q.bind(period.as_str()).push(") AS latest");
    }
    q.push(" FROM settings st WHERE ");
    match s.role {
        Role::Provider => q.push("st.provider_id = ").bind(s.org.as_str()),
        _ => q.push("st.host_area = ").bind(s.org.as_str()),
    };
    q.push(" AND st.created_at < ").bind(quarter_end).push(") x");
}

fn return_condition(q: &mut Sql, f: Figure, rq: &ReturnQuarter) {
    match f {
        Figure::ReturnsOnTime => q.push("x.first_at < ").bind(rq.late_from),
        Figure::ReturnsLate => q.push("x.first_at >= ").bind(rq.late_from),
        Figure::ReturnsMissing => q.push(if rq.due_passed { "x.first_at IS NULL" } else { "1 = 0" }),
        Figure::ReturnsNotYetDue => q.push(if rq.due_passed { "1 = 0" } else { "x.first_at IS NULL" }),
        _ => q.push("1 = 1"),
    };
}

pub fn return_counts(conn: &mut AnyConnection, s: &Scope, rq: &ReturnQuarter) -> QueryResult<[i64; 5]> {
    let mut q = Sql::new(conn.backend());
    select_counts(&mut q, &RETURN_FIGURES, |q, f| return_condition(q, f, rq));
    expected_returns(&mut q, s, rq, false);
    counts(conn, q)
}

#[derive(Debug, QueryableByName)]
pub struct ReturnRow {
    #[diesel(sql_type = Text)]
    pub urn: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub host_area: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub first_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub latest_version: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub review_status: Option<String>,
    #[diesel(sql_type = Nullable<Bool>)]
    pub nil: Option<bool>,
}

/// The expected returns of one quarter behind a figure, by URN, after `after_urn`.
pub fn return_records(
    conn: &mut AnyConnection,
    s: &Scope,
    f: Figure,
    rq: &ReturnQuarter,
    after_urn: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<ReturnRow>> {
    let mut q = Sql::new(conn.backend());
    q.push(
        "SELECT x.urn, x.name, x.host_area, x.first_at, r.version AS latest_version, r.status AS review_status, r.nil",
    );
    expected_returns(&mut q, s, rq, true);
    q.push(" LEFT JOIN quarterly_returns r ON r.urn = x.urn AND r.period = ").bind(rq.quarter.to_string());
    q.push(" AND r.version = x.latest WHERE ");
    return_condition(&mut q, f, rq);
    if let Some(urn) = after_urn {
        q.push(" AND x.urn > ").bind(urn);
    }
    q.push(" ORDER BY x.urn LIMIT ").bind(limit + 1);
    q.load(conn)
}

// ---------------------------------------------------------------------------------------------
// Missing episodes, by the placement they started in.

pub const EPISODE_FIGURES: [Figure; 10] = [
    Figure::Episodes,
    Figure::EpisodesMissing,
    Figure::EpisodesAway,
    Figure::EpisodesEnded,
    Figure::ReturnInterviewsOffered,
    Figure::ReturnInterviewsAccepted,
    Figure::ReturnInterviewsCompletedWithin72h,
    Figure::SafeAndWellChecks,
    Figure::EpisodesFirstReportedInReturn,
    Figure::ChildrenWithRepeatEpisodes,
];

/// Episodes (alias `e`) in scope that started in the period: of placements made by the LA, in
/// its area, or in the provider's settings, by the placing LA, host area and setting each
/// episode carries from its placement (an index range, not a join over the LA's placements).
/// With `placement`, each row is joined to its placement as `p`.
fn episodes_from(q: &mut Sql, s: &Scope, placement: bool) {
    q.push(" FROM missing_episodes e");
    if placement {
        q.push(" JOIN placements p ON p.id = e.placement_id");
    }
    q.push(" WHERE ");
    match s.role {
        Role::Placing => q.push("e.placing_la = ").bind(s.org.as_str()),
        Role::Host => q.push("e.host_area = ").bind(s.org.as_str()),
        Role::Provider => {
            q.push("e.urn IN (SELECT st.urn FROM settings st WHERE st.provider_id = ").bind(s.org.as_str()).push(")")
        }
    };
    q.push(" AND e.started_at >= ").bind(s.start).push(" AND e.started_at < ").bind(s.end);
}

fn episode_condition(q: &mut Sql, f: Figure) {
    match f {
        Figure::EpisodesMissing => q.push("e.kind = 'M'"),
        Figure::EpisodesAway => q.push("e.kind = 'A'"),
        Figure::EpisodesEnded => q.push("e.ended_at IS NOT NULL"),
        Figure::ReturnInterviewsOffered => q.push("e.ri_outcome IN ('accepted', 'declined')"),
        Figure::ReturnInterviewsAccepted => q.push("e.ri_outcome = 'accepted'"),
        Figure::ReturnInterviewsCompletedWithin72h => q
            .push("e.ri_completed_at IS NOT NULL AND e.ended_at IS NOT NULL AND e.ri_completed_at <= ")
            .plus("e.ended_at", &format!("{RETURN_INTERVIEW_HOURS} hours")),
        Figure::SafeAndWellChecks => q.push("e.safe_and_well_at IS NOT NULL"),
        Figure::EpisodesFirstReportedInReturn => q.push("e.source = 'return'"),
        _ => q.push("1 = 1"),
    };
}

/// The episode figures and the children with repeat episodes, from one read of the episodes in
/// scope.
pub fn episode_counts(conn: &mut AnyConnection, s: &Scope) -> QueryResult<[i64; 10]> {
    let mut q = Sql::new(conn.backend());
    q.push(
        "WITH scoped AS (SELECT e.child_id, e.started_at, e.kind, e.ended_at, e.ri_outcome, e.ri_completed_at, \
         e.safe_and_well_at, e.source",
    );
    episodes_from(&mut q, s, false);
    q.push(") ");
    // Every figure but the last is a condition on each episode; the last, the children with
    // repeat episodes, is counted over the same episodes.
    let counted = &EPISODE_FIGURES[..EPISODE_FIGURES.len() - 1];
    select_counts(&mut q, counted, episode_condition);
    q.push(", (SELECT COUNT(*) FROM (");
    repeat_children_of(&mut q, "scoped");
    q.push(&format!(") rep) AS c{} FROM scoped e", counted.len()));
    counts(conn, q)
}

#[derive(Debug, QueryableByName)]
pub struct EpisodeRow {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub child_id: String,
    #[diesel(sql_type = Text)]
    pub placement_id: String,
    #[diesel(sql_type = Text)]
    pub placing_la: String,
    #[diesel(sql_type = Text)]
    pub host_area: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub urn: Option<String>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Timestamp)]
    pub started_at: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub ended_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub safe_and_well_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    pub ri_outcome: Option<String>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub ri_offered_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    pub ri_completed_at: Option<NaiveDateTime>,
}

/// The episodes behind a figure, by start then id, after `(started_at, id)`.
pub fn episode_records(
    conn: &mut AnyConnection,
    s: &Scope,
    f: Figure,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<EpisodeRow>> {
    let mut q = Sql::new(conn.backend());
    q.push(
        "SELECT e.id, e.child_id, e.placement_id, p.placing_la, p.host_area, p.urn, e.kind, e.started_at, \
         e.ended_at, e.source, e.safe_and_well_at, e.ri_outcome, e.ri_offered_at, e.ri_completed_at",
    );
    episodes_from(&mut q, s, true);
    q.push(" AND ");
    episode_condition(&mut q, f);
    if let Some((t, id)) = after {
        q.push(" AND (e.started_at > ").bind(t).push(" OR (e.started_at = ").bind(t).push(" AND e.id > ").bind(id);
        q.push("))");
    }
    q.push(" ORDER BY e.started_at, e.id LIMIT ").bind(limit + 1);
    q.load(conn)
}

// ---------------------------------------------------------------------------------------------
// Children with repeat episodes: 3 or more in scope starting within 90 days inside the period.

/// `SELECT DISTINCT child_id` of the children with an episode in `base` (a table of `child_id`
/// and `started_at`) followed, within 90 days, by enough others to make 3: in start order, the
/// episode 2 places on starts within 90 days of it. One sort of each child's episodes, where
/// pairing every episode with every later one grew with the square of them.
fn repeat_children_of(q: &mut Sql, base: &str) {
    q.push(&format!(
        "SELECT DISTINCT w.child_id FROM (SELECT b.child_id, b.started_at, \
         LEAD(b.started_at, {}) OVER (PARTITION BY b.child_id ORDER BY b.started_at) AS nth FROM {base} b) w \
         WHERE w.nth <= ",
        REPEAT_THRESHOLD - 1
    ));
    q.plus("w.started_at", &format!("{REPEAT_WINDOW_DAYS} days"));
}

/// `WITH base` (the child and start of each episode in scope that started in the period) `, rep`
/// (the children with repeat episodes among them).
fn repeat_children(q: &mut Sql, s: &Scope) {
    q.push("WITH base AS (SELECT e.child_id, e.started_at");
    episodes_from(q, s, false);
    q.push("), rep AS (");
    repeat_children_of(q, "base");
    q.push(") ");
}

#[derive(Debug, QueryableByName)]
pub struct RepeatChildRow {
    #[diesel(sql_type = Text)]
    pub child_id: String,
    #[diesel(sql_type = BigInt)]
    pub episodes: i64,
    #[diesel(sql_type = Timestamp)]
    pub first_started_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    pub last_started_at: NaiveDateTime,
}

/// The children with repeat episodes, by id after `after`, with their episodes in the period.
pub fn repeat_child_records(
    conn: &mut AnyConnection,
    s: &Scope,
    after: Option<String>,
    limit: i64,
) -> QueryResult<Vec<RepeatChildRow>> {
    let mut q = Sql::new(conn.backend());
    repeat_children(&mut q, s);
    q.push(
        "SELECT b.child_id, COUNT(*) AS episodes, MIN(b.started_at) AS first_started_at, \
         MAX(b.started_at) AS last_started_at FROM base b WHERE b.child_id IN (SELECT rep.child_id FROM rep)",
    );
    if let Some(id) = after {
        q.push(" AND b.child_id > ").bind(id);
    }
    q.push(" GROUP BY b.child_id ORDER BY b.child_id LIMIT ").bind(limit + 1);
    q.load(conn)
}
