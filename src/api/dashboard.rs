//! `/api/dashboard` (docs/engine-api.md#dashboard, docs/decisions.md#closing-the-loop, docs/decisions.md#dashboard-numbers): is the loop healthy?

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use crate::app::Ctx;
use crate::domain::dispatch::DAY_MS;
use crate::domain::jsnum;
use crate::domain::sign_off;
use crate::domain::validate::FieldError;
use crate::http::{ApiError, Reply, Request};
use crate::store::dashboard;
use crate::store::issues::Issue;
use crate::store::relations::Relation;
use crate::store::templates::{Template, Version};

/// Activity chains shown when no `limit` is given.
const DEFAULT_ACTIVITY_LIMIT: i64 = 20;

/// `GET /api/dashboard/stats`: issue, goal and dispatch counts, and (beyond the
/// original) the sign-off gauges: issues awaiting a person, and how much of the agents'
/// work people approved.
pub fn stats(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let db = ctx.db();
    let issues = dashboard::issue_stats(db)?;
    let (goals, active_goals, achieved_goals) = dashboard::goal_stats(db)?;
    let completed = dashboard::completed_since(db, ctx.now().plus_millis(-DAY_MS))?;
    let sign_off = dashboard::sign_off_stats(db)?;
    let approval_rate = sign_off::approval_rate(sign_off.approved, sign_off.flagged);
    Ok(Reply::data(json!({
        "issues": {"total": issues.total, "byStatus": issues.by_status, "byType": issues.by_type},
        "goals": {"total": goals, "active": active_goals, "achieved": achieved_goals},
        "dispatch": {"queueDepth": issues.queue_depth, "activeCount": issues.active, "completedLast24h": completed},
        "signOff": {
            "awaiting": sign_off.awaiting,
            "approved": sign_off.approved,
            "flagged": sign_off.flagged,
            "approvalRate": approval_rate.map(jsnum::to_json),
        },
    })))
}

/// `GET /api/dashboard/setup` (Loop's extension): how far this server is from a working
/// loop, for the web app's first-run checklist: how many issues there are, how many
/// signals have ever arrived and how many issues an agent has ever claimed.
pub fn setup(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let db = ctx.db();
    let progress = dashboard::setup_progress(db)?;
    Ok(Reply::data(json!({
        "issues": progress.issues,
        "signals": progress.signals,
        "claims": progress.claims,
    })))
}

/// A child issue with its outgoing relations.
#[derive(Serialize)]
struct Child {
    issue: Issue,
    relations: Vec<Relation>,
}

/// A root issue with its children and when anything in it last changed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChainView {
    root: Issue,
    children: Vec<Child>,
    latest_activity: String,
}

/// `GET /api/dashboard/activity?limit=N`: the most recently updated root issues with
/// their children, most recent activity first. `limit` is any whole number from 0 up
/// (docs/engine-api.md#dashboard: the original has no upper bound either); anything else,
/// which the original took for "no limit" or answered 500, is a 400
/// (docs/decisions.md#no-500-for-a-clients-mistake).
pub fn activity(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let limit = match request.query("limit")? {
        None => DEFAULT_ACTIVITY_LIMIT,
        Some(raw) => jsnum::parse_integer(raw)
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                ApiError::Validation(vec![FieldError::new(
                    "limit",
                    "Expected a whole number of chains, 0 or more",
                )])
            })?,
    };
    let mut chains: Vec<ChainView> = dashboard::chains(ctx.db(), Some(limit))?
        .into_iter()
        .map(|chain| {
            let latest_activity = chain
                .children
                .iter()
                .map(|(child, _)| child.updated_at.as_str())
                .chain([chain.root.updated_at.as_str()])
                .max()
                .unwrap_or_default()
                .to_owned();
            ChainView {
                children: chain
                    .children
                    .into_iter()
                    .map(|(issue, relations)| Child { issue, relations })
                    .collect(),
                root: chain.root,
                latest_activity,
            }
        })
        .collect();
    // Stable: roots already come most recently updated first.
    chains.sort_by(|a, b| b.latest_activity.cmp(&a.latest_activity));
    let total = i64::try_from(chains.len()).unwrap_or(i64::MAX);
    Ok(Reply::listing(chains, total))
}

/// Review averages across a template's versions.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReviewSummary {
    total_reviews: i64,
    #[serde(serialize_with = "jsnum::serialize_option")]
    avg_clarity: Option<f64>,
    #[serde(serialize_with = "jsnum::serialize_option")]
    avg_completeness: Option<f64>,
    #[serde(serialize_with = "jsnum::serialize_option")]
    avg_relevance: Option<f64>,
    #[serde(serialize_with = "jsnum::serialize_option")]
    composite_score: Option<f64>,
}

/// How people judged the work one prompt version produced.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionApproval {
    version_id: String,
    version: i64,
    approved: i64,
    flagged: i64,
    #[serde(serialize_with = "jsnum::serialize_option")]
    approval_rate: Option<f64>,
}

/// One template's health.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Health {
    template: Template,
    active_version: Option<Version>,
    recent_versions: Vec<Version>,
    review_summary: ReviewSummary,
    needs_attention: bool,
    sign_off_by_version: Vec<VersionApproval>,
}

/// Below this review score a template needs attention.
const ATTENTION_SCORE: f64 = 3.0;
/// Below this completion rate a template needs attention.
const ATTENTION_COMPLETION: f64 = 0.5;

/// `GET /api/dashboard/prompts`: every live template's versions, reviews and whether it
/// needs attention, and (beyond the original) the approval rate people gave the work of
/// each of its versions that has settled sign-offs, newest version first.
pub fn prompts(ctx: &mut Ctx<'_>, _: &Request) -> Result<Reply, ApiError> {
    let mut approvals: HashMap<String, Vec<VersionApproval>> = HashMap::new();
    for tally in dashboard::sign_offs_by_version(ctx.db())? {
        approvals
            .entry(tally.template_id)
            .or_default()
            .push(VersionApproval {
                version_id: tally.version_id,
                version: tally.version,
                approved: tally.approved,
                flagged: tally.flagged,
                approval_rate: sign_off::approval_rate(tally.approved, tally.flagged),
            });
    }
    let mut data = Vec::new();
    for health in dashboard::template_health(ctx.db())? {
        // The active version is looked for among the recent ones, as in the original.
        let active = health.recent_versions.iter().find(|v| v.status == "active");
        let composite_score = active.and_then(|v| v.review_score);
        let needs_attention = composite_score.is_some_and(|s| s < ATTENTION_SCORE)
            || active
                .and_then(|v| v.completion_rate)
                .is_some_and(|r| r < ATTENTION_COMPLETION);
        let active_version = active.cloned();
        let sign_off_by_version = approvals.remove(&health.template.id).unwrap_or_default();
        data.push(Health {
            template: health.template,
            active_version,
            review_summary: ReviewSummary {
                total_reviews: health.total_reviews,
                avg_clarity: health.averages.map(|a| a.0),
                avg_completeness: health.averages.map(|a| a.1),
                avg_relevance: health.averages.map(|a| a.2),
                composite_score,
            },
            recent_versions: health.recent_versions,
            needs_attention,
            sign_off_by_version,
        });
    }
    Ok(Reply::data(data))
}
