//! Notifications: what a host LA is told and when, the statutory clocks, the inbox and
//! acknowledgements; the inbox and webhooks of a home.

mod inbox;
mod london;
mod provider;
mod statutory;
