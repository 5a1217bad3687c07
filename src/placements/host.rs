//! The host view: children placed in an LA's area on a date, by any LA.

use super::model::PlacedChild;
use crate::db::AnyConnection;
use crate::db::schema::{authorities, children, placements, settings};
use crate::error::ApiError;
use chrono::NaiveDate;
use diesel::prelude::*;

type Row = (
    (String, String, String, NaiveDate, String),
    (String, String, String, Option<String>, Option<String>, String),
    (NaiveDate, Option<NaiveDate>, bool, Option<f64>),
);

/// Placements in `host` open on `on` (started on or before, not ended by then), newest first.
pub fn placed_children(
    conn: &mut AnyConnection,
    host: &str,
    on: NaiveDate,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> Result<Vec<PlacedChild>, ApiError> {
    let mut q = placements::table
        .inner_join(children::table)
        .inner_join(authorities::table.on(authorities::code.eq(placements::placing_la)))
        .left_join(settings::table.on(settings::urn.nullable().eq(placements::urn)))
        .filter(placements::host_area.eq(host.to_string()))
        .filter(placements::start_date.le(on))
        .filter(placements::end_date.is_null().or(placements::end_date.gt(on)))
        .select((
            (children::id, children::given_name, children::family_name, children::date_of_birth, children::sex),
            (
                placements::placing_la,
                authorities::name,
                placements::id,
                placements::urn,
                settings::name.nullable(),
                placements::place,
            ),
            (placements::start_date, placements::end_date, placements::emergency, placements::distance_miles),
        ))
        .into_boxed();
    if let Some((d, id)) = after {
        q = q.filter(placements::start_date.lt(d).or(placements::start_date.eq(d).and(placements::id.lt(id))));
    }
    let rows: Vec<Row> = q.order((placements::start_date.desc(), placements::id.desc())).limit(limit + 1).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, p, d)| PlacedChild {
            child_id: c.0,
            given_name: c.1,
            family_name: c.2,
            date_of_birth: c.3,
            sex: c.4,
            placing_la: p.0,
            placing_la_name: p.1,
            placement_id: p.2,
            urn: p.3,
            setting_name: p.4,
            place: p.5,
            start_date: d.0,
            end_date: d.1,
            emergency: d.2,
            distance_miles: d.3,
        })
        .collect())
}
