//! Children: how a placing LA registers a child, what stops a duplicate, who sees the record
//! and who may change it.

mod duplicates;
mod motherhood;
mod registration;
mod updates;
mod visibility;
