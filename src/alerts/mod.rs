//! Alerts: notifications the registry raises itself when a clock runs out, so nobody has to
//! poll a list to find what needs doing today: a return interview overdue, a child missing for
//! long or newly repeat missing, a quarterly return due soon, late or missing, a notification
//! unacknowledged or undelivered. The `worker` checks the clocks on a schedule; each alert is
//! written once (its key is unique in the database) through `notifications::service`, so it
//! reaches inboxes, webhooks and other nodes like every notification.

pub mod repo;
pub mod service;
pub mod worker;
