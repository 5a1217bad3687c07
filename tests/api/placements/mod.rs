//! Placements: registering one (and what makes it valid), ending it and moving the child,
//! amending it, and the child's timeline.

mod amendments;
mod lifecycle;
mod timeline;
mod validation;
mod warnings;
