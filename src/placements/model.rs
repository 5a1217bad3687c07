use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A legal status and the date it took effect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct LegalStatusPeriod {
    pub effective_from: NaiveDate,
    /// SSDA903 `LS` code.
    #[schema(example = "C2")]
    pub legal_status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Placement {
    pub id: String,
    pub child_id: String,
    /// ONS code of the LA that made the placement.
    pub placing_la: String,
    /// Ofsted URN of the setting or agency, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// Name of the setting, for placements in a registered setting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting_name: Option<String>,
    /// Where the child lives: an English LA's ONS code, or WAL, SCO, NIR. Derived from the postcode.
    pub host_area: String,
    /// True when the host area is not the placing LA.
    pub out_of_area: bool,
    pub postcode: String,
    /// SSDA903 `PLACE`.
    pub place: String,
    /// SSDA903 `PLACE_PROVIDER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_provider: Option<String>,
    /// Legal status in force at the end of the placement, or today for an open one.
    pub legal_status: String,
    /// Every legal status during the placement, oldest first.
    pub legal_statuses: Vec<LegalStatusPeriod>,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    /// SSDA903 `REC`, reason the placement ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rec: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_place_change: Option<String>,
    /// An emergency placement may be notified up to 5 working days after it starts.
    pub emergency: bool,
    /// Straight-line miles from the child's home postcode (DfE method); absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_miles: Option<f64>,
    /// When the host LA is homed on another registry node: that node, when it received the
    /// `placement.started` notification, and the receipt it signed (reg 13(4) proof). Shown to
    /// the placing LA reading one placement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_notification: Option<HostNotification>,
    /// DfE rules the placement breaks that are accepted on the day (registering it without the
    /// child's home postcode, 392b; more than 350 miles from home, 454; recorded open after the
    /// child turned 18, other than under V2 in a children's home, until its end is recorded,
    /// 359): in the response to registering it only; the export's validation lists them until
    /// they are put right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::ssda903::Warning>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The notice of a placement to a host LA on another registry node.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct HostNotification {
    pub notification_id: String,
    pub node: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlacement {
    pub child_id: String,
    /// URN of the setting (its postcode and host area are used), or of a fostering or adoption agency.
    #[schema(example = "SC123456")]
    pub urn: Option<String>,
    /// Where the child lives, for placements not in a registered setting.
    pub postcode: Option<String>,
    /// Optional check: the host LA you expect; refused when the postcode says otherwise.
    pub host_la: Option<String>,
    #[schema(example = "K2")]
    pub place: String,
    #[schema(example = "PR4")]
    pub place_provider: Option<String>,
    #[schema(example = "C2")]
    pub legal_status: String,
    pub start_date: NaiveDate,
    #[serde(default)]
    pub emergency: bool,
}

/// Corrections to a placement; absent fields stay as they are. A move to a new home is not an
/// amendment: end this placement and start another.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacementPatch {
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub urn: Option<Option<String>>,
    pub postcode: Option<String>,
    pub host_la: Option<String>,
    pub place: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub place_provider: Option<Option<String>>,
    pub start_date: Option<NaiveDate>,
    pub emergency: Option<bool>,
    /// Corrections to the end of an ended placement.
    pub end_date: Option<NaiveDate>,
    pub rec: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub reason_place_change: Option<Option<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndPlacement {
    /// The day the child left (may be in the future, for notice of a planned end).
    pub end_date: NaiveDate,
    /// SSDA903 `REC`; `X1` when care continues in another placement.
    #[schema(example = "X1")]
    pub rec: String,
    /// SSDA903 `REASON_PLACE_CHANGE`; required with `X1` except after a temporary placement.
    #[schema(example = "CARPL")]
    pub reason_place_change: Option<String>,
    /// Ends the missing episodes that started in this placement and are still open; a placement
    /// cannot end while one is open (DfE rule 575).
    pub end_open_missing_episodes: Option<crate::missing::model::EpisodeEnd>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLegalStatus {
    pub effective_from: NaiveDate,
    #[schema(example = "C1")]
    pub legal_status: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlacementQuery {
    /// Only this child's placements.
    pub child_id: Option<String>,
    /// Only placements open on this date (YYYY-MM-DD).
    #[param(value_type = Option<NaiveDate>)]
    pub open_on: Option<crate::http::query::Date>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
