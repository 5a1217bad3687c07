//! The host view: the children other LAs have placed in an area, as the host LA sees them.

mod flags;
mod listing;
