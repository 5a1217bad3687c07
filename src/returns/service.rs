//! Who may do what with a setting's returns; submitting (validate, reconcile, store in one
//! transaction), reviewing, listing and the CSV template.

use super::input::{self, Format, Parsed, TemplateRow};
use super::model::*;
use super::reconcile::{self, Context, Submitter};
use super::repo::{self, SettingInArea, SettingInfo, VersionRow};
use crate::auth::{Caller, OrgType, scopes};
use crate::db::AnyConnection;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::returns::ReturnRow;
use crate::error::{ApiError, FieldError, ProblemType};
use crate::http::{Page, PageQuery};
use crate::ids::ChildId;
use crate::notifications::service::{Message, emit};
use crate::period::{QUARTER_FORMAT, Quarter, return_standing};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How the caller relates to a setting's returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The provider running the setting: submits and reads.
    Provider,
    /// The LA the setting is located in: reads and reviews.
    Host,
}

/// The setting, if the caller may read its returns: its provider or its host LA. Anyone else
/// gets 404, as if it did not exist; the operator 403.
pub fn readable(conn: &mut AnyConnection, caller: &Caller, urn: &str) -> Result<(SettingInfo, Access), ApiError> {
    caller.require(scopes::RETURNS_READ)?;
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not read returns."));
    }
    let s = repo::setting(conn, urn)?.ok_or(ApiError::NotFound)?;
    match caller.org_type {
        OrgType::Provider if caller.org == s.provider_id => Ok((s, Access::Provider)),
        OrgType::Authority if caller.org == s.host_area => Ok((s, Access::Host)),
        _ => Err(ApiError::NotFound),
    }
}

/// The setting, if the caller is the provider running it (another provider: 404; LAs and the
/// operator: 403).
pub fn submittable(conn: &mut AnyConnection, caller: &Caller, urn: &str) -> Result<SettingInfo, ApiError> {
    if caller.org_type != OrgType::Provider {
        return Err(ApiError::forbidden("Only the provider running the setting submits its returns."));
    }
    caller.require(scopes::RETURNS_WRITE)?;
    let s = repo::setting(conn, urn)?.ok_or(ApiError::NotFound)?;
    if s.provider_id != caller.org {
        return Err(ApiError::NotFound);
    }
    Ok(s)
}

/// The setting, if the caller is its host LA (who reviews). The provider of the setting: 403;
/// anyone else: 404.
pub fn reviewable(conn: &mut AnyConnection, caller: &Caller, urn: &str) -> Result<SettingInfo, ApiError> {
    let (s, access) = readable(conn, caller, urn)?;
    if access != Access::Host {
        return Err(ApiError::forbidden("Only the host LA reviews a setting's returns."));
    }
    caller.require(scopes::RETURNS_WRITE)?;
    Ok(s)
}

/// The stored content of a version.
#[derive(Debug, Serialize, Deserialize)]
struct Content {
    format: String,
    episodes: Vec<ReturnedEpisode>,
}

#[derive(Deserialize)]
struct CountsOnly {
    #[serde(default)]
    counts: ReconciliationCounts,
}

/// Time spent in each step of a submission.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Locks and the bulk reads (placements, children, episodes, earlier versions).
    pub load: Duration,
    /// Checking every row and reconciling, in memory.
    pub validate: Duration,
    /// Writing the version, the new and enriched episodes and the notification.
    pub store: Duration,
}

/// Orders problems by where they are: the return's own fields first, then by row.
fn by_row(errors: &mut [FieldError]) {
    errors.sort_by_key(|e| {
        let f = e.field.as_str();
        if !(f.starts_with("rows[") || f.starts_with("episodes[")) {
            return 0;
        }
        f.split_once('[')
            .and_then(|(_, r)| r.split_once(']'))
            .and_then(|(n, _)| n.parse::<u64>().ok())
            .map_or(0, |n| n + 1)
    });
}

fn short(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Checks a return as a whole, reconciles it with the episodes reported as they happened and
/// stores it as the next version, with the new and enriched episodes and a `return.submitted`
/// notification to the host LA. Run it inside one write transaction: any error stores nothing.
pub fn submit(
    conn: &mut AnyConnection,
    caller: &Caller,
    setting: &SettingInfo,
    period: Quarter,
    parsed: Parsed,
    now: NaiveDateTime,
    due_days: u32,
) -> Result<(QuarterlyReturn, Timings), ApiError> {
    let started = Instant::now();
    let period_s = period.to_string();
    if !period.ended(crate::clock::date_of(now)) {
        return Err(ApiError::field(
            "period",
            format!("{period_s} has not ended: its return can be submitted from {}", period.next().first_day()),
        ));
    }
    repo::lock_setting(conn, &setting.urn)?;
    let earlier = repo::versions(conn, &setting.urn, &period_s)?;
    let child_ids = repo::children_placed(conn, &setting.urn, period.first_day(), period.last_day())?;
    repo::lock_children(conn, &child_ids)?;
    let children = repo::children_by_id(conn, &child_ids)?;
    let placements = repo::placements_of(conn, &child_ids)?;
    let mut episodes: HashMap<ChildId, Vec<EpisodeRecord>> = HashMap::with_capacity(child_ids.len());
    for e in crate::missing::repo::of_children(conn, &child_ids)? {
        episodes.entry(e.child_id.clone()).or_default().push(e);
    }
    let loaded = Instant::now();

    let reason_required = earlier.iter().rev().find(|v| v.status == "accepted").map(|v| {
        format!(
            "is required: version {} of this return was accepted by the host LA{}, so a new version must say why it replaces it",
            v.version,
            v.reviewed_at.map(|t| format!(" on {}", short(t))).unwrap_or_default()
        )
    });
    let version = earlier.last().map_or(1, |v| v.version + 1);
    let format = parsed.format;
    let ctx = Context {
        urn: setting.urn.clone(),
        period,
        now,
        return_id: uuid::Uuid::new_v4().to_string(),
        submitter: Submitter {
            org_type: caller.org_type.as_str().into(),
            org: caller.org.clone(),
            sub: caller.sub.clone(),
        },
        children,
        placements,
        episodes,
        reason_required,
    };
    let plan = reconcile::plan(parsed, &ctx).map_err(|mut errors| {
        by_row(&mut errors);
        let detail = match errors.as_slice() {
            [one] => format!("The return was not stored: {}: {}", one.field, one.message),
            _ => format!("The return was not stored: {} problems, listed in errors by row and field.", errors.len()),
        };
        ApiError::Validation { detail, errors }
    })?;
    let validated = Instant::now();

    let row = VersionRow {
        id: ctx.return_id.clone(),
        urn: setting.urn.clone(),
        period: period_s.clone(),
        version,
        nil: plan.nil,
        row_count: plan.summary.counts.rows,
        submitted_by: caller.sub.clone(),
        submitted_at: now,
        reason: plan.reason.clone(),
        status: "submitted".into(),
        reviewed_by: None,
        reviewed_at: None,
        review_comment: None,
    };
    let content = Content { format: format.as_str().into(), episodes: plan.episodes };
    let summary_json = serde_json::to_string(&plan.summary).map_err(ApiError::internal)?;
    let content_json = serde_json::to_string(&content).map_err(ApiError::internal)?;
    let stored = ReturnRow { version: row, summary: summary_json, content: content_json };
    repo::insert(conn, &stored)?;
    let row = stored.version;
    for e in &plan.inserts {
        crate::missing::repo::insert(conn, e)?;
        crate::peers::outbox::episode(conn, e.id.as_str(), now)?;
    }
    for (e, expected) in &plan.updates {
        if crate::missing::repo::update(conn, e, *expected)? == 0 {
            return Err(ApiError::Unavailable {
                detail: "An episode of this return changed while it was being stored; submit it again.".into(),
            });
        }
        crate::peers::outbox::episode(conn, e.id.as_str(), now)?;
    }
    let c = &plan.summary.counts;
    emit(
        conn,
        Message {
            kind: "return.submitted",
            recipient: &setting.host_area,
            sender_type: OrgType::Provider,
            sender: &setting.provider_id,
            child_id: None,
            placement_id: None,
            payload: serde_json::json!({
                "return_id": row.id,
                "urn": setting.urn,
                "period": period_s,
                "version": version,
                "nil": plan.nil,
                "rows": c.rows,
                "matched": c.matched,
                "enriched": c.enriched,
                "added": c.added,
                "omitted": c.omitted,
                "conflicts": c.conflicts,
            }),
            statutory: None,
        },
        now,
    )?;
    let mut all = earlier;
    all.push(row.clone());
    let view = view(&row, &all, plan.summary, content, due_days);
    let stored = Instant::now();
    Ok((view, Timings { load: loaded - started, validate: validated - loaded, store: stored - validated }))
}

fn review_view(v: &VersionRow) -> Option<ReviewView> {
    let decision = match v.status.as_str() {
        "accepted" => "accept",
        "queried" => "query",
        _ => return None,
    };
    Some(ReviewView {
        decision: decision.into(),
        comment: v.review_comment.clone(),
        by: v.reviewed_by.clone().unwrap_or_default(),
        at: v.reviewed_at.unwrap_or(v.submitted_at).and_utc(),
    })
}

fn view(
    v: &VersionRow,
    all: &[VersionRow],
    summary: Reconciliation,
    content: Content,
    due_days: u32,
) -> QuarterlyReturn {
    let due_by =
        Quarter::parse(&v.period).map(|p| p.return_due(due_days)).unwrap_or(crate::clock::date_of(v.submitted_at));
    let first = all.first().map_or(v.submitted_at, |f| f.submitted_at);
    QuarterlyReturn {
        id: v.id.clone(),
        urn: v.urn.clone(),
        period: v.period.clone(),
        version: v.version,
        latest: all.iter().all(|o| o.version <= v.version),
        nil: v.nil,
        reason: v.reason.clone(),
        status: v.status.clone(),
        review: review_view(v),
        format: content.format,
        row_count: v.row_count,
        submitted_by: v.submitted_by.clone(),
        submitted_at: v.submitted_at.and_utc(),
        due_by,
        received_on_time: crate::clock::date_of(first) <= due_by,
        summary,
        episodes: content.episodes,
    }
}

/// A stored version (the latest when `version` is None), in full.
pub fn find(
    conn: &mut AnyConnection,
    setting: &SettingInfo,
    period: Quarter,
    version: Option<i64>,
    due_days: u32,
) -> Result<QuarterlyReturn, ApiError> {
    let all = repo::versions(conn, &setting.urn, &period.to_string())?;
    let v = match version {
        None => all.last(),
        Some(n) => all.iter().find(|v| v.version == n),
    }
    .ok_or(ApiError::NotFound)?;
    let (summary, content) = repo::documents(conn, &v.id)?;
    let summary: Reconciliation = serde_json::from_str(&summary).map_err(ApiError::internal)?;
    let content: Content = serde_json::from_str(&content).map_err(ApiError::internal)?;
    Ok(view(v, &all, summary, content, due_days))
}

/// The host LA accepts or queries the latest version. `expected` (from `If-Match`) guards
/// against reviewing a version that has just been superseded.
pub fn review(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &ReturnKey,
    input: ReviewInput,
    expected: Option<i64>,
    now: NaiveDateTime,
    due_days: u32,
) -> Result<QuarterlyReturn, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let setting = reviewable(conn, caller, &key.urn)?;
        review_of(conn, caller, &setting, key.period, input, expected, now, due_days)
    })
}

#[allow(clippy::too_many_arguments, reason = "the setting and period of `review`, resolved")]
fn review_of(
    conn: &mut AnyConnection,
    caller: &Caller,
    setting: &SettingInfo,
    period: Quarter,
    input: ReviewInput,
    expected: Option<i64>,
    now: NaiveDateTime,
    due_days: u32,
) -> Result<QuarterlyReturn, ApiError> {
    let mut errors = Vec::new();
    let status = match input.decision.as_str() {
        "accept" => "accepted",
        "query" => "queried",
        _ => {
            errors.push(FieldError::new("decision", "must be accept or query"));
            ""
        }
    };
    let comment = input.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    match comment {
        None if status == "queried" => {
            errors.push(FieldError::new("comment", "is required to query a return: say what the provider should check"))
        }
        Some(c) => crate::http::check_text(&mut errors, "comment", c, 2000),
        None => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let all = repo::versions(conn, &setting.urn, &period.to_string())?;
    let latest = all.last().ok_or(ApiError::NotFound)?;
    if expected.is_some_and(|n| n != latest.version) {
        return Err(ApiError::PreconditionFailed);
    }
    if latest.status == "accepted" {
        return Err(ApiError::conflict(
            ProblemType::ReturnAlreadyAccepted,
            format!(
                "Version {} of this return is already accepted; the provider must submit a new version, with a reason, to change it.",
                latest.version
            ),
        ));
    }
    if repo::review(conn, &latest.id, &latest.status, status, &caller.sub, now, comment)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    crate::notifications::service::emit_to_provider(
        conn,
        Message {
            kind: if status == "accepted" { "return.accepted" } else { "return.queried" },
            recipient: &setting.provider_id,
            sender_type: OrgType::Authority,
            sender: &caller.org,
            child_id: None,
            placement_id: None,
            payload: serde_json::json!({
                "return_id": latest.id,
                "urn": setting.urn,
                "period": period.to_string(),
                "version": latest.version,
                "decision": input.decision,
            }),
            statutory: None,
        },
        now,
    )?;
    find(conn, setting, period, Some(latest.version), due_days)
}

fn version_summary(v: VersionRow, counts: ReconciliationCounts) -> VersionSummary {
    VersionSummary {
        review: review_view(&v),
        id: v.id,
        version: v.version,
        nil: v.nil,
        reason: v.reason,
        status: v.status,
        row_count: v.row_count,
        submitted_by: v.submitted_by,
        submitted_at: v.submitted_at.and_utc(),
        counts,
    }
}

/// A setting's returns by period, newest period first, after the period `before`.
pub fn list(
    conn: &mut AnyConnection,
    setting: &SettingInfo,
    before: Option<&str>,
    limit: i64,
    due_days: u32,
) -> Result<(Vec<PeriodReturns>, bool), ApiError> {
    let mut periods = repo::periods(conn, &setting.urn, before, limit)?;
    let more = periods.len() as i64 > limit;
    periods.truncate(limit.max(0) as usize);
    let versions = repo::versions_of_periods(conn, &setting.urn, &periods)?;
    let ids: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
    let summaries = repo::summaries(conn, &ids)?;
    let mut out: Vec<PeriodReturns> = Vec::with_capacity(periods.len());
    for v in versions {
        let counts = summaries
            .get(&v.id)
            .and_then(|s| serde_json::from_str::<CountsOnly>(s).ok())
            .map(|c| c.counts)
            .unwrap_or_default();
        let due_by =
            Quarter::parse(&v.period).map(|p| p.return_due(due_days)).unwrap_or(crate::clock::date_of(v.submitted_at));
        if out.last().is_none_or(|p| p.period != v.period) {
            out.push(PeriodReturns {
                period: v.period.clone(),
                due_by,
                standing: return_standing(
                    Some(crate::clock::date_of(v.submitted_at)),
                    due_by,
                    crate::clock::date_of(v.submitted_at),
                )
                .into(),
                latest_version: v.version,
                versions: Vec::new(),
            });
        }
        if let Some(p) = out.last_mut() {
            p.latest_version = p.latest_version.max(v.version);
            p.versions.push(version_summary(v, counts));
        }
    }
    Ok((out, more))
}

/// Every setting located in an LA's area and where its return for `period` stands on `today`.
pub fn area(
    conn: &mut AnyConnection,
    authority: &str,
    period: Quarter,
    today: chrono::NaiveDate,
    due_days: u32,
    after: Option<&str>,
    limit: i64,
) -> Result<AreaReturns, ApiError> {
    let due_by = period.return_due(due_days);
    let settings = repo::settings_in(conn, authority)?;
    let mut by_urn: HashMap<String, Vec<VersionRow>> = HashMap::new();
    for v in repo::versions_in_area(conn, authority, &period.to_string())? {
        by_urn.entry(v.urn.clone()).or_default().push(v);
    }
    let mut counts = StandingCounts::default();
    let mut items = Vec::new();
    let mut more = false;
    for SettingInArea { urn, name: setting_name, provider_id, provider_name } in settings {
        let versions = by_urn.get(&urn).map(Vec::as_slice).unwrap_or_default();
        let (first, latest) = (versions.first(), versions.last());
        let standing = return_standing(first.map(|v| crate::clock::date_of(v.submitted_at)), due_by, today);
        match standing {
            "received" => counts.received += 1,
            "late" => counts.late += 1,
            "missing" => counts.missing += 1,
            _ => counts.not_due += 1,
        }
        if after.is_some_and(|a| urn.as_str() <= a) {
            continue;
        }
        if items.len() as i64 >= limit {
            more = true;
            continue;
        }
        items.push(SettingStanding {
            urn,
            setting_name,
            provider_id,
            provider_name,
            standing: standing.into(),
            latest_version: latest.map(|v| v.version),
            status: latest.map(|v| v.status.clone()),
            nil: latest.map(|v| v.nil),
            first_submitted_at: first.map(|v| v.submitted_at.and_utc()),
            latest_submitted_at: latest.map(|v| v.submitted_at.and_utc()),
        });
    }
    let next_cursor =
        if more { items.last().map(|i| crate::http::encode_cursor(std::slice::from_ref(&i.urn))) } else { None };
    Ok(AreaReturns { authority: authority.into(), period: period.to_string(), due_by, counts, items, next_cursor })
}

fn instant(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)).unwrap_or_default()
}

/// The CSV template of a quarter: for each child placed at the setting in the quarter (by
/// name), a row per episode already reported there, pre-filled, then a blank row.
pub fn template(conn: &mut AnyConnection, setting: &SettingInfo, period: Quarter) -> Result<Vec<u8>, ApiError> {
    let child_ids = repo::children_placed(conn, &setting.urn, period.first_day(), period.last_day())?;
    let children = repo::children_by_id(conn, &child_ids)?;
    let placements = repo::placements_of(conn, &child_ids)?;
    let here: std::collections::HashSet<&str> = placements
        .values()
        .flatten()
        .filter(|p| p.urn.as_deref() == Some(setting.urn.as_str()))
        .map(|p| p.id.as_str())
        .collect();
    let mut episodes: HashMap<ChildId, Vec<EpisodeRecord>> = HashMap::new();
    for e in crate::missing::repo::of_children(conn, &child_ids)? {
        if here.contains(e.placement_id.as_str()) && period.contains(crate::clock::date_of(e.started_at)) {
            episodes.entry(e.child_id.clone()).or_default().push(e);
        }
    }
    let mut kids: Vec<_> = children.values().collect();
    kids.sort_by(|a, b| (&a.family_name, &a.given_name, &a.id).cmp(&(&b.family_name, &b.given_name, &b.id)));
    let mut rows = Vec::new();
    for c in kids {
        let row = |episode: Vec<String>| TemplateRow {
            child_id: c.id.to_string(),
            given_name: c.given_name.clone(),
            family_name: c.family_name.clone(),
            date_of_birth: c.date_of_birth.to_string(),
            episode,
        };
        let mut eps = episodes.remove(&c.id).unwrap_or_default();
        eps.sort_by_key(|e| e.started_at);
        for e in eps {
            rows.push(row(vec![
                e.kind,
                instant(Some(e.started_at)),
                instant(e.ended_at),
                instant(e.reported_to_police_at),
                e.police_reference.unwrap_or_default(),
                e.risk_indicators.join("; "),
                e.found_where.unwrap_or_default(),
                instant(e.safe_and_well_at),
                e.safe_and_well_by.unwrap_or_default(),
                instant(e.ri_offered_at),
                e.ri_offered_by.unwrap_or_default(),
                e.ri_independent.map(|b| b.to_string()).unwrap_or_default(),
                e.ri_outcome.unwrap_or_default(),
                e.ri_not_offered_reason.unwrap_or_default(),
                instant(e.ri_completed_at),
            ]));
        }
        rows.push(row(Vec::new()));
    }
    input::write_template(&rows)
}

/// Reads a body as a return in the format its content type names.
pub fn parse(content_type: &str, body: &[u8], nil: Option<bool>, reason: Option<String>) -> Result<Parsed, ApiError> {
    let mime = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let format = match mime.as_str() {
        "application/json" => Format::Json,
        m if m.starts_with("application/") && m.ends_with("+json") => Format::Json,
        "text/csv" => Format::Csv,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                detail: "Send the return as application/json or text/csv (UTF-8).".into(),
            });
        }
    };
    match format {
        Format::Json => {
            if nil.is_some() || reason.is_some() {
                let field = if nil.is_some() { "nil" } else { "reason" };
                return Err(ApiError::BadRequest {
                    detail: "With a JSON return, give nil and reason in the body, not the query string.".into(),
                    errors: vec![FieldError::new(field, "belongs in the JSON body")],
                });
            }
            input::from_json(body)
        }
        Format::Csv => input::from_csv(body, nil, reason),
    }
}

/// Submits a version of a setting's return (its provider), with the audit entry naming every
/// child placed there in the quarter, in the caller's transaction.
pub fn submit_version(
    conn: &mut AnyConnection,
    caller: &Caller,
    setting: &SettingInfo,
    period: Quarter,
    parsed: Parsed,
    now: NaiveDateTime,
    due_days: u32,
) -> Result<QuarterlyReturn, ApiError> {
    let (r, _) = submit(conn, caller, setting, period, parsed, now, due_days)?;
    let children = repo::children_placed(conn, &setting.urn, period.first_day(), period.last_day())?;
    crate::audit::record(conn, caller, "return.submit", &children, now)?;
    Ok(r)
}

/// A version of a setting's return (the latest when `version` is None), for its provider or
/// host LA, with the read in the audit log.
pub fn read(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &ReturnKey,
    version: Option<i64>,
    now: NaiveDateTime,
    due_days: u32,
) -> Result<QuarterlyReturn, ApiError> {
    let (setting, _) = readable(conn, caller, &key.urn)?;
    let children = repo::children_placed(conn, &setting.urn, key.period.first_day(), key.period.last_day())?;
    crate::audit::read(conn, caller, "return.read", &children, now)?;
    find(conn, &setting, key.period, version, due_days)
}

/// The CSV template of a setting's quarter, for its provider or host LA, with the read in the
/// audit log.
pub fn read_template(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &ReturnKey,
    now: NaiveDateTime,
) -> Result<Vec<u8>, ApiError> {
    let (setting, _) = readable(conn, caller, &key.urn)?;
    let children = repo::children_placed(conn, &setting.urn, key.period.first_day(), key.period.last_day())?;
    crate::audit::read(conn, caller, "return.template", &children, now)?;
    template(conn, &setting, key.period)
}

/// A page of a setting's returns by quarter, newest first.
pub fn history(
    conn: &mut AnyConnection,
    caller: &Caller,
    urn: &str,
    page: &PageQuery,
    due_days: u32,
) -> Result<Page<PeriodReturns>, ApiError> {
    let limit = page.limit()?;
    let before = page.after()?.and_then(|k| k.into_iter().next());
    let (setting, _) = readable(conn, caller, urn)?;
    let (items, more) = list(conn, &setting, before.as_deref(), limit, due_days)?;
    let next_cursor =
        if more { items.last().map(|p| crate::http::encode_cursor(std::slice::from_ref(&p.period))) } else { None };
    Ok(Page { items, next_cursor })
}

/// Where the returns of every setting in the caller's own area stand for a quarter.
pub fn area_standing(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: &str,
    q: AreaQuery,
    today: chrono::NaiveDate,
    due_days: u32,
) -> Result<AreaReturns, ApiError> {
    let period = match q.period.as_deref() {
        Some(p) => Quarter::parse(p).ok_or_else(|| ApiError::field("period", QUARTER_FORMAT))?,
        None => Quarter::latest_overdue(today, due_days),
    };
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = match page.after()? {
        None => None,
        Some(k) if k.len() == 1 => k.into_iter().next(),
        Some(_) => return Err(crate::http::bad_cursor()),
    };
    if crate::directory::repo::find_authority(conn, code)?.is_none() {
        return Err(ApiError::NotFound);
    }
    if code != caller.org {
        return Err(ApiError::forbidden("Only the LA itself may see the returns of settings in its area."));
    }
    area(conn, code, period, today, due_days, after.as_deref(), limit)
}
