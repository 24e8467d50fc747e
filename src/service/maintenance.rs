//! The background round the server runs every `maintenance_interval`: lapsed dispatch
//! claims go back to `todo`, and overdue gate tasks get their `on_timeout` outcome (with
//! their verdict deliveries, which wake the delivery thread).

use crate::app::Ctx;
use crate::error::ApiError;
use crate::service::verdicts;
use crate::store::{dispatch, review_tasks};

/// Returns every claim whose lease lapsed to `todo`; answers how many.
pub fn expire_leases(ctx: &mut Ctx<'_>) -> Result<usize, ApiError> {
    ctx.write(|tx, now| Ok(dispatch::expire_leases(tx, now)?))
}

/// Resolves every pending gate task whose deadline passed. An idle round reads first,
/// so that it never takes the writer lock.
pub fn time_out_gates(ctx: &mut Ctx<'_>) -> Result<(), ApiError> {
    if !review_tasks::any_overdue_gate(ctx.db(), ctx.now())? {
        return Ok(());
    }
    let queued = ctx.write(verdicts::time_out_overdue_gates)?;
    ctx.app().outbox.notify(queued);
    Ok(())
}
