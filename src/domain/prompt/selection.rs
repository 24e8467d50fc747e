//! Which template an issue gets (docs/engine-api.md#template-selection, and the preview fallback of docs/engine-api.md#preview).

use super::conditions::{Conditions, IssueFacts};

/// What selection needs to know about one live template.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Its conditions.
    pub conditions: Conditions,
    /// Its ranking weight (higher wins).
    pub specificity: i64,
    /// Its own project id (a boost, not a filter).
    pub project_id: Option<String>,
    /// Whether it has an active version.
    pub has_active_version: bool,
}

/// The index of the template to use among `candidates` (in database order): among those
/// with an active version whose conditions match, templates of the issue's own project
/// first, then by specificity descending, ties keeping database order.
pub fn select(candidates: &[Candidate], facts: &IssueFacts) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.has_active_version && c.conditions.matches(facts))
        .min_by_key(|(i, c)| {
            let boosted = c.project_id.is_some() && c.project_id == facts.project_id;
            (!boosted, std::cmp::Reverse(c.specificity), *i)
        })
        .map(|(i, _)| i)
}

/// The preview's fallback when nothing matches: the first template (database order) with
/// an active version whose `conditions.type` is the issue's type, whatever its other
/// conditions say.
pub fn preview_fallback(candidates: &[Candidate], facts: &IssueFacts) -> Option<usize> {
    candidates.iter().position(|c| {
        c.has_active_version && c.conditions.kind.as_deref() == Some(facts.kind.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(kind: Option<&str>, specificity: i64, project: Option<&str>) -> Candidate {
        Candidate {
            conditions: Conditions {
                kind: kind.map(str::to_owned),
                ..Conditions::default()
            },
            specificity,
            project_id: project.map(str::to_owned),
            has_active_version: true,
        }
    }

    fn facts() -> IssueFacts {
        IssueFacts {
            kind: "signal".into(),
            project_id: Some("proj_1".into()),
            ..IssueFacts::default()
        }
    }

    #[test]
    fn higher_specificity_wins() {
        let list = [
            candidate(Some("signal"), 10, None),
            candidate(Some("signal"), 50, None),
        ];
        assert_eq!(select(&list, &facts()), Some(1));
    }

    #[test]
    fn the_issues_project_beats_any_specificity() {
        let list = [
            candidate(None, 100, None),
            candidate(None, 10, Some("proj_1")),
            candidate(None, 100, Some("other")),
        ];
        assert_eq!(select(&list, &facts()), Some(1));
    }

    #[test]
    fn ties_keep_database_order() {
        let list = [
            candidate(None, 10, None),
            candidate(Some("signal"), 10, None),
        ];
        assert_eq!(select(&list, &facts()), Some(0));
    }

    #[test]
    fn nothing_selected() {
        assert_eq!(select(&[], &facts()), None);
        assert_eq!(select(&[candidate(Some("task"), 10, None)], &facts()), None);
        let mut inactive = candidate(Some("signal"), 10, None);
        inactive.has_active_version = false;
        assert_eq!(select(&[inactive], &facts()), None);
    }

    #[test]
    fn preview_fallback_ignores_other_conditions() {
        let mut picky = candidate(Some("signal"), 10, None);
        picky.conditions.signal_source = Some("sentry".into());
        let list = [candidate(Some("task"), 10, None), picky];
        assert_eq!(select(&list, &facts()), None);
        assert_eq!(preview_fallback(&list, &facts()), Some(1));
    }
}
