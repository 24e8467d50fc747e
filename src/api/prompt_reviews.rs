//! `POST /api/prompt-reviews` (docs/engine-api.md#prompt-reviews, docs/decisions.md#closing-the-loop): records a review (see
//! [`service::prompt_reviews`]).

use super::{ANY_LENGTH, validated};
use crate::app::Ctx;
use crate::domain::enums::AuthorType;
use crate::domain::validate::Input;
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::store::prompt_reviews::NewReview;

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
    let review = service::prompt_reviews::create(ctx, &new)?;
    Ok(Reply::created(review))
}
