//! `POST /api/prompt-reviews` (loop-api.md §8.1, DECISIONS 11): records a review, moves
//! the version's EWMA score in the same transaction, and opens an improvement issue when
//! the reviews say the template needs one.

use rusqlite::Connection;

use super::{ANY_LENGTH, validated};
use crate::app::Ctx;
use crate::clock::Timestamp;
use crate::domain::enums::{AuthorType, IssueStatus, IssueType};
use crate::domain::prompt::review;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::store::issues::{self, NewIssue};
use crate::store::labels;
use crate::store::prompt_reviews::{self, NewReview};
use crate::store::templates::{self, Version};

/// Records a review (a missing `authorType` means an agent wrote it).
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let version_id = input.required_str("versionId", 1, ANY_LENGTH);
    let issue_id = input.required_str("issueId", 1, ANY_LENGTH);
    let score = |input: &mut Input<'_>, key: &str| {
        if input.has(key) {
            input.opt_int(key, 1, 5)
        } else {
            input.fail(key, "Invalid input: expected number, received undefined");
            None
        }
    };
    let clarity = score(&mut input, "clarity");
    let completeness = score(&mut input, "completeness");
    let relevance = score(&mut input, "relevance");
    let feedback = input.opt_str("feedback", 0, ANY_LENGTH);
    let author_type = input
        .opt_enum::<AuthorType>("authorType")
        .unwrap_or(AuthorType::Agent);
    input.finish()?;
    let new = NewReview {
        version_id,
        issue_id,
        clarity: validated(clarity, "clarity")?,
        completeness: validated(completeness, "completeness")?,
        relevance: validated(relevance, "relevance")?,
        feedback,
        author_type,
    };
    let review = ctx.write(|tx, now| {
        let version = templates::find_version(tx, &new.version_id)?
            .ok_or(ApiError::NotFound("Version not found"))?;
        let review = prompt_reviews::insert(tx, &new, now)?;
        let composite = review::composite(new.clarity, new.completeness, new.relevance);
        let score = review::next_score(version.review_score, composite);
        templates::set_review_score(tx, &version.id, score)?;
        let count = prompt_reviews::count_for_version(tx, &version.id)?;
        if review::needs_improvement(score, count) {
            open_improvement_issue(tx, &version, score, count, now)?;
        }
        Ok(review)
    })?;
    Ok(Reply::created(review))
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
            title: text.title,
            description: Some(text.description),
            kind: IssueType::Task,
            status: IssueStatus::Todo,
            priority: 3,
            parent_id: None,
            project_id: None,
            signal_source: None,
            signal_payload: None,
            hypothesis: None,
            completed_at: None,
        },
        now,
    )?;
    let label_ids = review::IMPROVEMENT_LABELS
        .iter()
        .map(|(name, color)| labels::find_or_create(conn, name, color, now))
        .collect::<rusqlite::Result<Vec<_>>>()?;
    issues::add_labels(conn, &issue.id, &label_ids)?;
    Ok(())
}
