//! Children: how a placing LA registers a child, what stops a duplicate, who sees the record
//! and who may change it, passing it to another LA.

mod duplicates;
mod merge;
mod motherhood;
mod registration;
mod transfer;
mod uasc;
mod updates;
mod visibility;
