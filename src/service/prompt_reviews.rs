//! Prompt reviews (agents' own, and people's verdicts on agents' work): recording one
//! moves its version's EWMA score in the same transaction, and opens an improvement issue for the template when the reviews say it
//! needs one (and none is open yet).

use rusqlite::Connection;

use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{IssueStatus, IssueType};
use crate::domain::prompt::review;
use crate::error::ApiError;
use crate::store::issues::{self, NewIssue};
use crate::store::labels;
use crate::store::prompt_reviews::{self, NewReview, Review};
use crate::store::templates::{self, Version};

/// Records a review of a prompt version.
pub fn create(ctx: &mut Ctx<'_>, new: &NewReview) -> Result<Review, ApiError> {
    ctx.write(|tx, now| record(tx, new, now))
}

/// Records a review of a prompt version inside the caller's transaction: an agent's
/// through [`create`], or a person's verdict on an agent's work (a sign-off).
pub fn record(conn: &Connection, new: &NewReview, now: Timestamp) -> Result<Review, ApiError> {
    let version = templates::find_version(conn, &new.version_id)?
        .ok_or(ApiError::NotFound("Version not found"))?;
    let review = prompt_reviews::insert(conn, new, now)?;
    let composite = review::composite(new.clarity, new.completeness, new.relevance);
    let score = review::next_score(version.review_score, composite);
    templates::set_review_score(conn, &version.id, score)?;
    let count = prompt_reviews::count_for_version(conn, &version.id)?;
    if review::needs_improvement(score, count) {
        open_improvement_issue(conn, &version, score, count, now)?;
    }
    Ok(review)
}

/// Opens the improvement issue for `version`'s template unless one is already open.
fn open_improvement_issue(
    conn: &Connection,
    version: &Version,
    score: f64,
    count: i64,
    now: Timestamp,
) -> Result<(), ApiError> {
    let Some(template) = templates::find_any(conn, &version.template_id)? else {
        return Ok(());
    };
    if issues::open_with_title_prefix(conn, &review::improvement_title_prefix(&template.slug))? {
        return Ok(());
    }
    let text = review::improvement_issue(
        &template.slug,
        &template.name,
        version.version,
        &version.id,
        score,
        count,
    );
    let issue = issues::insert(
        conn,
        &NewIssue {
            description: Some(text.description),
            ..NewIssue::new(text.title, IssueType::Task, IssueStatus::Todo, 3)
        },
        now,
    )?;
    let label_ids = review::IMPROVEMENT_LABELS
        .iter()
        .map(|(name, color)| labels::find_or_create(conn, name, color, now))
        .collect::<Result<Vec<_>, _>>()?;
    issues::add_labels(conn, &issue.id, &label_ids)?;
    Ok(())
}
