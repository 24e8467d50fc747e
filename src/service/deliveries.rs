//! Verdict deliveries: what an attempt's outcome does to its delivery (delivered,
//! retried on the schedule, given up, or — for a 410 Gone — given up with its hook
//! subscription removed), and manual redelivery, which starts a new series of attempts
//! with the same body.

use crate::app::Ctx;
use crate::domain::review::delivery::{self, Judgement};
use crate::error::ApiError;
use crate::store::deliveries::{self, Attempt, AttemptOutcome, Delivery};
use crate::store::review_hooks;

/// What an attempt got: the receiver's status (`None`: no answer), its `Retry-After`
/// seconds, and a description of what went wrong (empty on success).
pub struct Answered {
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Seconds the receiver asked to wait (429, 503).
    pub retry_after: Option<i64>,
    /// What went wrong (empty on success).
    pub error: String,
}

/// Records how `attempt` went, judged by the configured retry schedule, and counts it in
/// the metrics; answers the outcome: `delivered`, `retry` or `failed`.
pub fn record_attempt(
    ctx: &mut Ctx<'_>,
    attempt: &Attempt,
    answered: &Answered,
) -> Result<&'static str, ApiError> {
    let judgement = delivery::judge(
        &ctx.config().webhook_retry_schedule,
        attempt.number,
        answered.status,
        answered.retry_after,
    );
    let (status, error) = (answered.status, &answered.error);
    let label = match &judgement {
        Judgement::Delivered => "delivered",
        Judgement::RetryIn(_) => "retry",
        Judgement::GiveUp | Judgement::Gone => "failed",
    };
    ctx.write(|tx, now| {
        let outcome = match judgement {
            Judgement::Delivered => AttemptOutcome::Delivered(status.unwrap_or(200)),
            Judgement::RetryIn(seconds) => AttemptOutcome::Retry {
                status,
                error: error.clone(),
                at: now.plus_millis(seconds.saturating_mul(1000)),
            },
            Judgement::GiveUp => AttemptOutcome::Failed {
                status,
                error: error.clone(),
            },
            Judgement::Gone => {
                if let Some(hook_id) = &attempt.hook_id {
                    review_hooks::delete_by_id(tx, hook_id)?;
                }
                AttemptOutcome::Failed {
                    status,
                    error: "the receiver answered 410 Gone; no more attempts".to_owned(),
                }
            }
        };
        Ok(deliveries::record(
            tx,
            &attempt.id,
            attempt.number,
            &outcome,
            now,
        )?)
    })?;
    ctx.app().metrics.delivery_attempt(label);
    Ok(label)
}

/// Starts delivery `id` of project `project_id` over (signed with the project's current
/// secret) and wakes the delivery thread; 404 when there is none.
pub fn redeliver(ctx: &mut Ctx<'_>, project_id: &str, id: &str) -> Result<Delivery, ApiError> {
    let delivery = ctx
        .write(|tx, now| Ok(deliveries::redeliver(tx, project_id, id, now)?))?
        .ok_or(ApiError::NotFound("delivery not found"))?;
    ctx.app().outbox.notify(vec![delivery.id.clone()]);
    Ok(delivery)
}
