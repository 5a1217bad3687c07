//! The shared child record: one record per real child across all LAs, created by the LA
//! responsible for the child, seen by others only as DESIGN §6 allows, with the missing flags
//! every view of a child carries.

pub mod access;
pub mod matching;
pub mod model;
pub mod nicknames;
pub mod repo;
pub mod routes;
pub mod service;
