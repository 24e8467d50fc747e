//! Prompt review scores (docs/engine-api.md#prompt-reviews): the EWMA of review composites, and when a
//! version's reviews call for an improvement issue.

use crate::domain::jsnum;

/// Weight of the newest review in the moving average.
pub const EWMA_ALPHA: f64 = 0.3;
/// Reviews needed before an improvement issue can be raised.
pub const REVIEW_MIN_SAMPLES: i64 = 3;
/// A score below this (after enough reviews) raises an improvement issue.
pub const REVIEW_SCORE_THRESHOLD: f64 = 3.5;
/// This many reviews raise an improvement issue whatever the score.
pub const REVIEW_COUNT_THRESHOLD: i64 = 15;

/// The mean of one review's three scores.
pub fn composite(clarity: i64, completeness: i64, relevance: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let sum = (clarity + completeness + relevance) as f64;
    sum / 3.0
}

/// The version's new score after a review with composite `composite`.
pub fn next_score(previous: Option<f64>, composite: f64) -> f64 {
    match previous {
        None => composite,
        Some(previous) => EWMA_ALPHA * composite + (1.0 - EWMA_ALPHA) * previous,
    }
}

/// Whether a version with this score and review count needs an improvement issue.
pub fn needs_improvement(score: f64, review_count: i64) -> bool {
    review_count >= REVIEW_MIN_SAMPLES
        && (score < REVIEW_SCORE_THRESHOLD || review_count >= REVIEW_COUNT_THRESHOLD)
}

/// The title every improvement issue of template `slug` starts with (the de-duplication
/// key; the trailing ` (` keeps `task` from matching `task-execution`'s issue).
pub fn improvement_title_prefix(slug: &str) -> String {
    format!("Improve prompt template: {slug} (")
}

/// What the improvement issue for a version says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImprovementIssue {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
}

/// The improvement issue for version `version` (id `version_id`) of template `slug`
/// (`name`), now scored `score` over `review_count` reviews.
pub fn improvement_issue(
    slug: &str,
    name: &str,
    version: i64,
    version_id: &str,
    score: f64,
    review_count: i64,
) -> ImprovementIssue {
    let title = format!(
        "{}avg review {}/5, {review_count} reviews since v{version})",
        improvement_title_prefix(slug),
        jsnum::to_fixed(score, 1)
    );
    let description = [
        "## Prompt Improvement Required".to_owned(),
        String::new(),
        format!("Template **{slug}** ({name}) has degraded quality."),
        String::new(),
        format!("- EWMA Score: {}/5", jsnum::to_fixed(score, 2)),
        format!("- Review Count: {review_count}"),
        format!("- Version: v{version}"),
        format!("- Version ID: {version_id}"),
        String::new(),
        "## Action Required".to_owned(),
        String::new(),
        "1. Review recent feedback on this template".to_owned(),
        "2. Create a new version addressing the issues".to_owned(),
        "3. Promote the new version to active".to_owned(),
    ]
    .join("\n");
    ImprovementIssue { title, description }
}

/// The labels every improvement issue carries: `(name, colour)`.
pub const IMPROVEMENT_LABELS: [(&str, &str); 2] =
    [("prompt-improvement", "#f59e0b"), ("meta", "#6b7280")];

#[cfg(test)]
mod tests {
    use super::*;

    fn approx(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn ewma_sequences_from_the_spec() {
        let first = next_score(None, composite(3, 3, 3));
        assert!(approx(first, 3.0));
        assert!(approx(next_score(Some(first), composite(5, 5, 5)), 3.6));
        let first = next_score(None, composite(4, 5, 3));
        assert!(approx(first, 4.0));
        assert!(approx(next_score(Some(first), composite(2, 2, 2)), 3.4));
    }

    #[test]
    fn improvement_thresholds() {
        assert!(!needs_improvement(1.0, 2));
        assert!(needs_improvement(3.49, 3));
        assert!(!needs_improvement(3.5, 3));
        assert!(!needs_improvement(5.0, 14));
        assert!(needs_improvement(5.0, 15));
    }

    #[test]
    fn improvement_issue_text() {
        let issue = improvement_issue("task-execution", "Task Execution", 1, "ver_1", 7.0 / 3.0, 3);
        assert_eq!(
            issue.title,
            "Improve prompt template: task-execution (avg review 2.3/5, 3 reviews since v1)"
        );
        assert!(issue.description.starts_with("## Prompt Improvement Required\n\nTemplate **task-execution** (Task Execution) has degraded quality.\n\n- EWMA Score: 2.33/5\n- Review Count: 3\n- Version: v1\n- Version ID: ver_1\n"));
        assert!(
            issue
                .description
                .ends_with("3. Promote the new version to active")
        );
        assert!(
            issue
                .title
                .starts_with(&improvement_title_prefix("task-execution"))
        );
        assert!(!issue.title.starts_with(&improvement_title_prefix("task")));
    }
}
