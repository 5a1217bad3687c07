//! Registry nodes behaving as one registry: a placing LA on one node, the host LA and the home on
//! another. Every test runs two servers on two databases (SQLite, or PostgreSQL as every test).

mod delivery;
mod directory;
mod refusals;
mod the_loop;
