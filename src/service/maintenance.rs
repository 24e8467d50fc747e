//! The background round the server runs every `maintenance_interval`: lapsed dispatch
//! claims go back to `todo`, and overdue gate tasks get their `on_timeout` outcome (with
//! their verdict deliveries, which wake the delivery thread).

use crate::app::Ctx;
use crate::error::ApiError;
use crate::service::verdicts;
use crate::store::{dispatch, review_tasks};

/// Returns every claim whose lease lapsed to `todo`; answers how many (and counts them
/// in the metrics). An idle round reads first, so that it never takes the writer lock.
pub fn expire_leases(ctx: &mut Ctx<'_>) -> Result<usize, ApiError> {
    if !dispatch::any_lapsed_lease(ctx.db(), ctx.now())? {
        return Ok(0);
    }
    let expired = ctx.write(|tx, now| Ok(dispatch::expire_leases(tx, now)?))?;
    ctx.app().metrics.leases_expired(expired);
    Ok(expired)
}

/// Resolves every pending gate task whose deadline passed; answers how many. An idle
/// round reads first, so that it never takes the writer lock.
pub fn time_out_gates(ctx: &mut Ctx<'_>) -> Result<usize, ApiError> {
    if !review_tasks::any_overdue_gate(ctx.db(), ctx.now())? {
        return Ok(0);
    }
    let (timed_out, queued) = ctx.write(verdicts::time_out_overdue_gates)?;
    ctx.app().outbox.notify(queued);
    Ok(timed_out)
}
