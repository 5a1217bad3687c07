//! Notifications: what a host LA is told and when, the statutory clocks, the inbox and
//! acknowledgements.

mod inbox;
mod statutory;
