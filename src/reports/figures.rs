//! The figures a report can hold, the records behind each, and which report holds which.

use super::model::{HostFigures, PlacingFigures, ProviderFigures};

/// Whose report: the role follows the path, the organisation is always the caller's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An LA about the children it placed and the notices it sent.
    Placing,
    /// An LA about the children placed in its area and the settings there.
    Host,
    /// A provider about its settings.
    Provider,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Placing => "placing",
            Role::Host => "host",
            Role::Provider => "provider",
        }
    }
    /// The figures of this role's report, in report order.
    pub fn figures(self) -> &'static [Figure] {
        match self {
            Role::Placing => PlacingFigures::FIGURES,
            Role::Host => HostFigures::FIGURES,
            Role::Provider => ProviderFigures::FIGURES,
        }
    }
}

/// What kind of record stands behind a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Statutory placement notifications (`placement.started`, `placement.ended`).
    Notifications,
    /// Admissions recorded by homes with no placement registered at the time.
    Admissions,
    /// Expected quarterly returns: one per setting per quarter.
    Returns,
    /// Missing-from-care episodes.
    Episodes,
    /// Children with repeat episodes.
    RepeatChildren,
}

impl Source {
    /// The `record_type` of its records.
    pub fn record_type(self) -> &'static str {
        match self {
            Source::Notifications => "notification",
            Source::Admissions => "admission",
            Source::Returns => "quarterly_return",
            Source::Episodes => "missing_episode",
            Source::RepeatChildren => "child",
        }
    }
}

macro_rules! figures {
    ($($variant:ident = $name:literal => $source:ident,)*) => {
        /// One figure of a report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Figure { $($variant,)* }

        impl Figure {
            pub const ALL: &'static [Figure] = &[$(Figure::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Figure::$variant => $name,)* }
            }
            pub fn source(self) -> Source {
                match self { $(Figure::$variant => Source::$source,)* }
            }
        }
    };
}

figures! {
    Notifications = "notifications" => Notifications,
    NotificationsOnTime = "notifications_on_time" => Notifications,
    NotificationsLate = "notifications_late" => Notifications,
    NotificationsAcknowledgementOverdue = "notifications_acknowledgement_overdue" => Notifications,
    UnnotifiedPlacements = "unnotified_placements" => Admissions,
    UnnotifiedPlacementsUnresolved = "unnotified_placements_unresolved" => Admissions,
    ReturnsExpected = "returns_expected" => Returns,
    ReturnsOnTime = "returns_on_time" => Returns,
    ReturnsLate = "returns_late" => Returns,
    ReturnsMissing = "returns_missing" => Returns,
    ReturnsNotYetDue = "returns_not_yet_due" => Returns,
    Episodes = "episodes" => Episodes,
    EpisodesMissing = "episodes_missing" => Episodes,
    EpisodesAway = "episodes_away" => Episodes,
    EpisodesEnded = "episodes_ended" => Episodes,
    ReturnInterviewsOffered = "return_interviews_offered" => Episodes,
    ReturnInterviewsAccepted = "return_interviews_accepted" => Episodes,
    ReturnInterviewsCompletedWithin72h = "return_interviews_completed_within_72h" => Episodes,
    SafeAndWellChecks = "safe_and_well_checks" => Episodes,
    EpisodesFirstReportedInReturn = "episodes_first_reported_in_return" => Episodes,
    ChildrenWithRepeatEpisodes = "children_with_repeat_episodes" => RepeatChildren,
}

impl Figure {
    /// The figure of `role`'s report with this name.
    pub fn of_role(role: Role, name: &str) -> Option<Figure> {
        role.figures().iter().copied().find(|f| f.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_every_figure_is_in_some_report() {
        let mut names: Vec<&str> = Figure::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Figure::ALL.len());
        for f in Figure::ALL {
            assert!(
                [Role::Placing, Role::Host, Role::Provider].iter().any(|r| r.figures().contains(f)),
                "{} is in no report",
                f.name()
            );
        }
    }

    #[test]
    fn the_report_fields_are_the_figure_names_in_order() {
        let report =
            PlacingFigures::build(|f| super::super::model::FigureValue { value: 0, records_href: f.name().into() });
        let json = serde_json::to_value(&report).expect("json");
        for f in PlacingFigures::FIGURES {
            assert_eq!(json[f.name()]["records_href"], f.name());
        }
        assert_eq!(json.as_object().map(|o| o.len()), Some(PlacingFigures::FIGURES.len()));
        let host = serde_json::to_value(HostFigures::build(|f| super::super::model::FigureValue {
            value: 0,
            records_href: f.name().into(),
        }))
        .expect("json");
        assert_eq!(host.as_object().map(|o| o.len()), Some(HostFigures::FIGURES.len()));
        for f in HostFigures::FIGURES {
            assert_eq!(host[f.name()]["records_href"], f.name());
        }
        let provider = serde_json::to_value(ProviderFigures::build(|f| super::super::model::FigureValue {
            value: 0,
            records_href: f.name().into(),
        }))
        .expect("json");
        assert_eq!(provider.as_object().map(|o| o.len()), Some(ProviderFigures::FIGURES.len()));
        for f in ProviderFigures::FIGURES {
            assert_eq!(provider[f.name()]["records_href"], f.name());
        }
    }
}
