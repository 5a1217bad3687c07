//! The keyed chain: appending pending events in order under the head's lock, signing
//! checkpoints of the head, and verifying the whole chain against them.

use super::{AuditKey, journal, repo};
use crate::db::AnyConnection;
use crate::db::rows::audit::{AuditEvent, PendingEvent};
use crate::error::ApiError;
use crate::node::Node;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The event's link in the chain: HMAC-SHA256 under the audit key (plain SHA-256 for events chained
/// before the key, `key` None) over the previous hash and the event's fields, each
/// length-prefixed; an event of a page of children ends with their list (events of one child,
/// and those chained before pages were, have no such part).
pub fn hash(key: Option<&AuditKey>, prev: &str, e: &AuditEvent) -> String {
    let mut input = Vec::new();
    let seq = e.seq.to_string();
    let at = e.at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let parts = [
        prev,
        &seq,
        &at,
        &e.subject,
        &e.org_type,
        &e.org,
        &e.action,
        e.child_id.as_deref().unwrap_or(""),
        e.request_id.as_deref().unwrap_or(""),
    ];
    for part in parts.into_iter().chain(e.child_ids.as_deref()) {
        input.extend_from_slice(&(part.len() as u64).to_be_bytes());
        input.extend_from_slice(part.as_bytes());
    }
    match key {
        Some(k) => match <Hmac<Sha256> as Mac>::new_from_slice(k) {
            Ok(mut mac) => {
                mac.update(&input);
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        },
        None => hex::encode(Sha256::digest(&input)),
    }
}

/// The children an event names, each once: its child, or the children of its page.
fn children_of(child_id: Option<&str>, child_ids: Option<&str>) -> std::collections::BTreeSet<String> {
    match child_ids {
        Some(ids) => ids.split(' ').filter(|id| !id.is_empty()).map(str::to_string).collect(),
        None => child_id.map(str::to_string).into_iter().collect(),
    }
}

/// The fields of an event before it is placed in the chain.
struct Unchained {
    at: NaiveDateTime,
    subject: String,
    org_type: String,
    org: String,
    action: String,
    child_id: Option<String>,
    request_id: Option<String>,
    child_ids: Option<String>,
}

/// Appends events, in order, in the caller's transaction: the head row is locked and read once,
/// the events hashed in memory and inserted many rows at a time, with the rows finding each
/// event from its children, and the head moved once.
fn append_all(conn: &mut AnyConnection, key: &AuditKey, events: Vec<Unchained>) -> Result<(), ApiError> {
    if events.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev) = repo::lock_head(conn)?;
    let mut rows = Vec::with_capacity(events.len());
    for u in events {
        seq += 1;
        let mut e = AuditEvent {
            seq,
            at: u.at,
            subject: u.subject,
            org_type: u.org_type,
            org: u.org,
            action: u.action,
            child_id: u.child_id,
            request_id: u.request_id,
            prev_hash: prev.clone(),
            hash: String::new(),
            child_ids: u.child_ids,
        };
        e.hash = hash(Some(key), &prev, &e);
        prev = e.hash.clone();
        rows.push(e);
    }
    let children: Vec<(String, i64)> = rows
        .iter()
        .flat_map(|e| children_of(e.child_id.as_deref(), e.child_ids.as_deref()).into_iter().map(|c| (c, e.seq)))
        .collect();
    repo::insert_events(conn, &rows)?;
    repo::insert_event_children(conn, &children)?;
    repo::set_head(conn, seq, &prev)
}

/// About how many children's events are appended in one transaction, so that writes waiting for
/// the chain's lock are not held up behind a long backlog: an event counts once per child it
/// names (a page of 50 counts 50), and a first event of more is still taken whole.
pub const CHAIN_BATCH: i64 = 5_000;

/// The events of the first pending rows, in order, one each: rows after the batch is full wait
/// for the next transaction.
fn unchained(pending: &[PendingEvent], batch: usize) -> Vec<Unchained> {
    let mut events = Vec::new();
    let mut weight = 0;
    for p in pending {
        let children = p.child_ids.as_deref().map_or(1, |ids| ids.split(' ').filter(|id| !id.is_empty()).count());
        if !events.is_empty() && weight + children > batch {
            break;
        }
        weight += children;
        events.push(Unchained {
            at: p.at,
            subject: p.subject.clone(),
            org_type: p.org_type.clone(),
            org: p.org.clone(),
            action: p.action.clone(),
            child_id: p.child_id.clone(),
            request_id: p.request_id.clone(),
            child_ids: p.child_ids.clone().filter(|ids| !ids.trim().is_empty()),
        });
    }
    events
}

/// Appends every pending event to the chain, oldest first, in transactions of at most
/// [`CHAIN_BATCH`] events, each removing what it chained: the database's pending events and, on
/// SQLite, the read journal's (attached for the time, see [`super::journal`]; its writer is
/// not held up: the transactions begin by locking the chain's head, in the main database). Returns how many were chained. Safe to run from several processes at
/// once: the head's lock orders them.
pub fn chain_pending(conn: &mut AnyConnection, key: &AuditKey) -> Result<usize, ApiError> {
    chain_pending_in(conn, key, CHAIN_BATCH)
}

pub fn chain_pending_in(conn: &mut AnyConnection, key: &AuditKey, batch: i64) -> Result<usize, ApiError> {
    let attachment = journal::attached(conn)?;
    let with_journal = attachment != journal::Attachment::None;
    let mut done = 0;
    let chained = loop {
        match crate::db::main_write_tx(conn, |conn| chain_batch(conn, key, batch, with_journal)) {
            Ok((n, more)) => {
                done += n;
                if !more {
                    break Ok(done);
                }
            }
            Err(e) => break Err(e),
        }
    };
    journal::detach(conn, attachment)?;
    chained
}

/// Appends the oldest pending events, at most `batch` (a page's row is taken whole), in the
/// caller's transaction, and removes what it chained: how many events, and whether more wait.
/// With the journal, its reads and the database's pending rows are taken each in the order
/// they were written, merged by id (ids are UUIDv7: in the order they were made).
fn chain_batch(
    conn: &mut AnyConnection,
    key: &AuditKey,
    batch: i64,
    with_journal: bool,
) -> Result<(usize, bool), ApiError> {
    // The head's lock first: two chainers never take the same pending rows.
    repo::lock_head(conn)?;
    let pending = repo::oldest_pending(conn, batch)?;
    let (mark, reads) = if with_journal {
        let mark = journal::chained_to(conn)?;
        (mark, journal::after(conn, mark, batch)?)
    } else {
        (0, Vec::new())
    };
    let full = pending.len() as i64 == batch || reads.len() as i64 == batch;
    let (rows, from_journal) = merged(pending, reads);
    let events = unchained(&rows, usize::try_from(batch).unwrap_or(usize::MAX));
    let taken = events.len();
    let ids: Vec<String> =
        rows.iter().zip(&from_journal).take(taken).filter(|(_, j)| j.is_none()).map(|(p, _)| p.id.clone()).collect();
    let to = from_journal.iter().take(taken).flatten().copied().max();
    let appended = events.len();
    append_all(conn, key, events)?;
    repo::delete_pending(conn, &ids)?;
    if let Some(to) = to.filter(|to| *to > mark) {
        journal::chained_to_set(conn, to)?;
    }
    Ok((appended, taken < rows.len() || full))
}

/// The database's pending rows (by id) and the journal's (by number) in one list, merged by id,
/// each row with its journal number if it came from there.
fn merged(pending: Vec<PendingEvent>, reads: Vec<(i64, PendingEvent)>) -> (Vec<PendingEvent>, Vec<Option<i64>>) {
    let mut rows = Vec::with_capacity(pending.len() + reads.len());
    let mut from_journal = Vec::with_capacity(rows.capacity());
    let mut pending = pending.into_iter().peekable();
    let mut reads = reads.into_iter().peekable();
    loop {
        let journal_first = match (pending.peek(), reads.peek()) {
            (Some(p), Some((_, r))) => r.id < p.id,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (None, None) => break,
        };
        if journal_first {
            if let Some((seq, r)) = reads.next() {
                rows.push(r);
                from_journal.push(Some(seq));
            }
        } else if let Some(p) = pending.next() {
            rows.push(p);
            from_journal.push(None);
        }
    }
    (rows, from_journal)
}

/// A signed checkpoint of the chain: its head at a sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

impl Checkpoint {
    /// The checkpoint a JWS carries, if the node key `public` signed it.
    pub fn from_jws(jws: &str, public: &[u8]) -> Option<Checkpoint> {
        let v = crate::node::verify_jws(jws, public)?;
        Some(Checkpoint { seq: v.get("seq")?.as_i64()?, hash: v.get("hash")?.as_str()?.to_string() })
    }
}

/// Signs and stores a checkpoint of the head if it moved since the last one; its JWS.
pub fn checkpoint(conn: &mut AnyConnection, node: &Node, now: NaiveDateTime) -> Result<Option<String>, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let (seq, hash) = repo::lock_head(conn)?;
        if seq == 0 || repo::last_checkpoint(conn)?.is_some_and(|last| last >= seq) {
            return Ok(None);
        }
        let payload = serde_json::json!({
            "node": node.id, "seq": seq, "hash": hash,
            "at": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        });
        let jws = node.jws("audit-checkpoint", &payload);
        repo::insert_checkpoint(conn, seq, &hash, now, &jws)?;
        Ok(Some(jws))
    })
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64 },
    Broken { seq: i64, reason: String },
}

/// Chains pending events, then walks the chain in order and reports the first broken link, or
/// the first checkpoint the log no longer matches (rewritten, truncated or rewound).
pub fn verify(conn: &mut AnyConnection, key: &AuditKey, checkpoints: &[Checkpoint]) -> Result<Verdict, ApiError> {
    chain_pending(conn, key)?;
    let (head_seq, head_hash) = repo::head(conn)?;
    let keyed_from = repo::keyed_from(conn)?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    loop {
        let batch = repo::events_after(conn, after, 5000)?;
        let Some(batch_last) = batch.last().map(|e| e.seq) else {
            break;
        };
        // The rows a child's access log finds events by, from after the last batch to this one's end.
        let mut indexed =
            repo::event_children_between(conn, (expected_seq > 1).then_some(after), batch_last)?.into_iter().peekable();
        for e in batch {
            after = e.seq;
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next stored is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(Verdict::Broken { seq: e.seq, reason: "does not follow the previous event".into() });
            }
            let link_key = (e.seq >= keyed_from).then_some(key);
            if hash(link_key, &prev, &e) != e.hash {
                return Ok(Verdict::Broken { seq: e.seq, reason: "its contents do not match its hash".into() });
            }
            let mut found = std::collections::BTreeSet::new();
            while let Some((child, _)) = indexed.next_if(|(_, seq)| *seq <= e.seq) {
                found.insert(child);
            }
            if found != children_of(e.child_id.as_deref(), e.child_ids.as_deref()) {
                return Ok(Verdict::Broken {
                    seq: e.seq,
                    reason: "the children's access logs do not list it as it names them".into(),
                });
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
    if let Some(seq) = repo::event_children_between(conn, Some(expected_seq - 1), i64::MAX)?.first().map(|(_, s)| *s) {
        return Ok(Verdict::Broken {
            seq,
            reason: format!("a child's access log lists event {seq}, which is not in the log"),
        });
    }
    let last = expected_seq - 1;
    if last != head_seq || prev != head_hash {
        return Ok(Verdict::Broken {
            seq: last + 1,
            reason: format!("the log ends at {last} but {head_seq} events were written"),
        });
    }
    for c in checkpoints {
        match repo::hash_at(conn, c.seq)? {
            Some(h) if h == c.hash => {}
            Some(_) => {
                return Ok(Verdict::Broken {
                    seq: c.seq,
                    reason: "it differs from the signed checkpoint of that event: the log was rewritten".into(),
                });
            }
            None => {
                return Ok(Verdict::Broken {
                    seq: c.seq,
                    reason: format!(
                        "a signed checkpoint covers event {} but the log ends at {last}: it was truncated",
                        c.seq
                    ),
                });
            }
        }
    }
    Ok(Verdict::Intact { events: last })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, child_id: Option<&str>, child_ids: Option<&str>) -> PendingEvent {
        PendingEvent {
            id: id.into(),
            at: chrono::DateTime::from_timestamp(1_780_000_000, 0).map(|t| t.naive_utc()).unwrap_or_default(),
            subject: "worker".into(),
            org_type: "authority".into(),
            org: "E08000035".into(),
            action: if child_ids.is_some() { "host_view.read" } else { "child.read" }.into(),
            child_id: child_id.map(Into::into),
            request_id: Some(format!("req-{id}")),
            child_ids: child_ids.map(Into::into),
        }
    }

    fn children(events: &[Unchained]) -> Vec<&str> {
        events.iter().map(|e| e.child_ids.as_deref().or(e.child_id.as_deref()).unwrap_or("-")).collect()
    }

    #[test]
    fn a_page_row_is_one_event_and_batches_count_its_children() {
        let pending = [row("1", None, Some("c b a")), row("2", Some("d"), None), row("3", None, None)];
        let events = unchained(&pending, 10);
        assert_eq!(children(&events), vec!["c b a", "d", "-"]);
        assert!(events[0].action == "host_view.read" && events[0].request_id.as_deref() == Some("req-1"));
        // A batch full after the page waits for the next transaction; a first row bigger than
        // the batch is still taken whole.
        assert_eq!(children(&unchained(&pending, 4)), vec!["c b a", "d"]);
        assert_eq!(children(&unchained(&pending, 2)), vec!["c b a"]);
    }

    #[test]
    fn a_page_events_list_of_children_is_part_of_its_hash() {
        let key = [7u8; 32];
        let mut e = AuditEvent {
            seq: 4,
            at: chrono::DateTime::from_timestamp(1_780_000_000, 0).map(|t| t.naive_utc()).unwrap_or_default(),
            subject: "worker".into(),
            org_type: "authority".into(),
            org: "E08000035".into(),
            action: "host_view.read".into(),
            child_id: None,
            request_id: Some("req".into()),
            prev_hash: GENESIS.into(),
            hash: String::new(),
            child_ids: Some("c b a".into()),
        };
        let page = hash(Some(&key), GENESIS, &e);
        e.child_ids = Some("c a".into());
        assert_ne!(hash(Some(&key), GENESIS, &e), page, "a child taken off the page");
        e.child_ids = None;
        assert_ne!(hash(Some(&key), GENESIS, &e), page);
        assert_eq!(children_of(None, Some("c b a c")).into_iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(children_of(Some("d"), None).into_iter().collect::<Vec<_>>(), ["d"]);
    }
}
