//! Reads recorded by group commit, on SQLite. A request's database work runs under
//! [`deferring`]: the reads it records ([`super::read`]) are kept with its result instead of
//! being written one `INSERT` each; the request then hands them to the [`Recorder`] and waits,
//! without holding its thread, until they are committed, before its answer is sent.
//!
//! The recorder's thread writes every read waiting at that moment to the read journal (a file of
//! its own beside the database: [`super::journal`]) in one commit; a second thread chains the
//! journal and the database's pending events when asked (by a server, every 200 ms). SQLite has one writer at a time, and
//! a commit to the database makes every other connection drop its page cache: reads committed
//! together, to another file, queue behind no lock of the database and leave its readers their
//! caches. PostgreSQL keeps the pending table, whose inserts run side by side.

use super::{AuditKey, chain, journal};
use crate::db::AnyConnection;
use crate::db::rows::audit::PendingEvent;
use crate::error::ApiError;
use std::cell::RefCell;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

thread_local! {
    /// The reads recorded by the database work running on this thread under [`deferring`].
    static DEFERRED: RefCell<Option<Vec<PendingEvent>>> = const { RefCell::new(None) };
}

/// Runs `f`, keeping the reads it records when `on`: they are returned with its result, for
/// [`Recorder::record`], instead of being written by `f`.
pub fn deferring<T>(on: bool, f: impl FnOnce() -> T) -> (T, Vec<PendingEvent>) {
    if !on {
        return (f(), Vec::new());
    }
    let outer = DEFERRED.with(|d| d.replace(Some(Vec::new())));
    let out = f();
    let reads = DEFERRED.with(|d| d.replace(outer)).unwrap_or_default();
    (out, reads)
}

/// Keeps these events for the work running under [`deferring`]; gives them back when there is
/// none, to be written directly.
pub(super) fn defer(events: Vec<PendingEvent>) -> Result<(), Vec<PendingEvent>> {
    DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(kept) => {
            kept.extend(events);
            Ok(())
        }
        None => Err(events),
    })
}

/// Reads to commit, and who to tell whether they were.
struct Job {
    reads: Vec<PendingEvent>,
    done: oneshot::Sender<bool>,
}

/// A request to chain everything waiting, answered with how many events were chained.
type ChainNow = oneshot::Sender<Result<usize, String>>;

/// How often the journal's writer deletes the rows the chain has taken.
const TIDY_EVERY: Duration = Duration::from_millis(200);

/// The handle requests give their reads to. Its two threads (one commits reads to the journal,
/// one chains) stop when it is dropped, which waits for them: the chaining one chains what is
/// left first, and both close their connections.
pub struct Recorder {
    jobs: Option<mpsc::Sender<Job>>,
    chain_now: Option<mpsc::Sender<ChainNow>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // Closing the channels is what stops the threads.
        self.jobs.take();
        self.chain_now.take();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Recorder {
    /// Opens the read journal of the database at `url` (creating it if absent) and starts the
    /// threads, each with a connection of its own; None for a database without a file (in
    /// memory), whose reads are written as they are made.
    pub fn start(url: &str, key: AuditKey) -> Result<Option<Recorder>, ApiError> {
        let open = || crate::db::connect(url).map_err(|e| ApiError::Internal(e.to_string()));
        let (mut writer, mut chainer) = (open()?, open()?);
        if !journal::open(&mut writer)? || !journal::open(&mut chainer)? {
            return Ok(None);
        }
        let (jobs, waiting) = mpsc::channel();
        let (chain_now, asked) = mpsc::channel();
        let spawn = |name: &str, work: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(work)
                .map_err(|e| ApiError::Internal(format!("cannot start the audit recorder: {e}")))
        };
        let threads = vec![
            spawn("audit-recorder", Box::new(move || record(writer, waiting)))?,
            spawn("audit-chainer", Box::new(move || chain(chainer, key, asked)))?,
        ];
        Ok(Some(Recorder { jobs: Some(jobs), chain_now: Some(chain_now), threads }))
    }

    /// Returns once the reads are committed to the journal; refuses the request when they
    /// cannot be (see [`super::unrecorded`]).
    pub async fn record(&self, reads: Vec<PendingEvent>) -> Result<(), ApiError> {
        if reads.is_empty() {
            return Ok(());
        }
        let (done, committed) = oneshot::channel();
        let jobs = self.jobs.as_ref().ok_or_else(super::refusal)?;
        jobs.send(Job { reads, done }).map_err(|_| super::refusal())?;
        match committed.await {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(super::refusal()),
        }
    }

    /// Chains every event waiting (the journal's and the database's), now: how many.
    pub async fn chain(&self) -> Result<usize, ApiError> {
        let (done, chained) = oneshot::channel();
        let gone = || ApiError::Internal("the audit recorder has stopped".into());
        self.chain_now.as_ref().ok_or_else(gone)?.send(done).map_err(|_| gone())?;
        chained.await.map_err(|_| gone())?.map_err(ApiError::Internal)
    }
}

/// The journal's writer: commits the reads of every job waiting in one transaction, answers
/// them, and now and then deletes the rows the chain has taken.
fn record(mut conn: AnyConnection, waiting: mpsc::Receiver<Job>) {
    let mut tidy = Instant::now() + TIDY_EVERY;
    loop {
        match waiting.recv_timeout(tidy.saturating_duration_since(Instant::now())) {
            Ok(first) => {
                let (mut reads, mut answers) = (Vec::new(), Vec::new());
                for job in std::iter::once(first).chain(waiting.try_iter()) {
                    reads.extend(job.reads);
                    answers.push(job.done);
                }
                let committed = match journal::insert(&mut conn, &reads) {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::error!(error = %e, reads = reads.len(), "reads could not be recorded in the audit log; refusing them");
                        false
                    }
                };
                for done in answers {
                    // A request that gave up waiting has nothing left to answer.
                    let _ = done.send(committed);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        if Instant::now() >= tidy {
            if let Err(e) = journal::forget_chained(&mut conn) {
                tracing::error!(error = %e, "deleting chained reads from the journal failed; will retry");
            }
            tidy = Instant::now() + TIDY_EVERY;
        }
    }
}

/// The chaining thread: chains everything waiting whenever asked (every 200 ms by a server's
/// audit task); at the end, chains what is left.
fn chain(mut conn: AnyConnection, key: AuditKey, asked: mpsc::Receiver<ChainNow>) {
    while let Ok(done) = asked.recv() {
        let _ = done.send(chain::chain_pending(&mut conn, &key).map_err(|e| e.to_string()));
    }
    if let Err(e) = chain::chain_pending(&mut conn, &key) {
        tracing::error!(error = %e, "final chaining of audit events failed");
    }
}
