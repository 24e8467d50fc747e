//! `/api/issues` (docs/engine-api.md#issues with docs/decisions.md#no-500-for-a-clients-mistake, docs/decisions.md#closing-the-loop).

use serde::Serialize;

use super::{ANY_LENGTH, page, validated};
use crate::app::Ctx;
use crate::domain::enums::{IssueStatus, IssueType, Module, WireEnum};
use crate::domain::issue::{read_commits, read_hypothesis, read_pull_requests};
use crate::domain::jsnum;
use crate::domain::validate::{FieldError, Input, enum_message};
use crate::http::{ApiError, Reply, Request};
use crate::service;
use crate::service::sign_off::ReviewRequest;
use crate::store::issues::{self, Changes, Filter, Issue, NewIssue, Sort, SortKey};
use crate::store::labels::{self, LabelRef};
use crate::store::relations::{self, Relation};

const NOT_FOUND: ApiError = ApiError::NotFound("Issue not found");

/// `GET /api/issues`: filtered, paginated, oldest first; with Loop's `q` (full-text
/// search, best match first), `sort`, and `reviewStatus` (e.g. `pending` for the issues
/// awaiting a person's sign-off) (docs/engine-api.md#issues).
pub fn list(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let page = page(request)?;
    let filter = read_filter(request)?;
    let sort = read_sort(request.query("sort")?)?;
    if let Some(query) = &filter.search {
        if let Some(problem) = issues::search_error(ctx.db(), query)? {
            return Err(FieldError::new("q", format!("Not a valid search: {problem}")).into());
        }
        service::issues::catch_up_search_index(ctx)?;
    }
    let (rows, total) = issues::list(ctx.db(), &filter, sort, page)?;
    Ok(Reply::listing(rows, total))
}

/// `sort=key` (ascending) or `sort=-key` (descending); absent or empty: the default.
fn read_sort(raw: Option<&str>) -> Result<Sort, ApiError> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Ok(Sort::default());
    };
    let (name, descending) = match raw.strip_prefix('-') {
        Some(name) => (name, true),
        None => (raw, false),
    };
    let key = SortKey::ALL
        .iter()
        .find(|(wire, _)| *wire == name)
        .map(|(_, key)| *key)
        .ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|(wire, _)| *wire).collect();
            FieldError::new(
                "sort",
                format!(
                    "\"{raw}\" is not a sort order. Expected one of {}, optionally prefixed with -",
                    names.join(", ")
                ),
            )
        })?;
    Ok(Sort {
        key: Some(key),
        descending,
    })
}

fn read_filter(request: &Request) -> Result<Filter, ApiError> {
    let mut errors = Vec::new();
    let non_empty = |name: &str| -> Result<Option<String>, ApiError> {
        Ok(request
            .query(name)?
            .filter(|v| !v.is_empty())
            .map(str::to_owned))
    };
    let priority = match request.query("priority")? {
        None => None,
        Some(raw) => match jsnum::parse_integer(raw) {
            Some(p) if (0..=4).contains(&p) => Some(p),
            _ => {
                errors.push(FieldError::new(
                    "priority",
                    "Expected a whole number from 0 to 4",
                ));
                None
            }
        },
    };
    let filter = Filter {
        statuses: enum_list(request.query("status")?, "status", &mut errors),
        types: enum_list(request.query("type")?, "type", &mut errors),
        project_id: non_empty("projectId")?,
        label_id: non_empty("labelId")?,
        parent_id: non_empty("parentId")?,
        priority,
        review_statuses: enum_list(request.query("reviewStatus")?, "reviewStatus", &mut errors),
        search: request
            .query("q")?
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_owned),
    };
    if errors.is_empty() {
        Ok(filter)
    } else {
        Err(errors.into())
    }
}

/// A comma-separated list of enum values (`todo,in_progress`); empty means "any".
fn enum_list<E: WireEnum>(raw: Option<&str>, name: &str, errors: &mut Vec<FieldError>) -> Vec<E> {
    let Some(raw) = raw.filter(|r| !r.is_empty()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for part in raw.split(',') {
        match E::parse(part) {
            Some(value) => out.push(value),
            None => errors.push(FieldError::new(
                name,
                format!("\"{part}\" is not valid. {}", enum_message(E::ALL)),
            )),
        }
    }
    out
}

/// `POST /api/issues`.
pub fn create(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let title = input.required_str("title", 1, 500);
    let kind = input.required_enum::<IssueType>("type");
    let description = input.opt_str("description", 0, ANY_LENGTH);
    let status = input
        .opt_enum::<IssueStatus>("status")
        .unwrap_or(IssueStatus::Triage);
    let priority = input.opt_int("priority", 0, 4).unwrap_or(0);
    let parent_id = input
        .opt_str("parentId", 0, ANY_LENGTH)
        .filter(|p| !p.is_empty());
    let project_id = input.opt_str("projectId", 0, ANY_LENGTH);
    let signal_source = input.opt_str("signalSource", 0, ANY_LENGTH);
    let signal_payload = input.opt_object_json("signalPayload");
    let hypothesis = read_hypothesis(&mut input, "hypothesis", false).flatten();
    let label_ids = input.opt_str_array("labelIds").unwrap_or_default();
    input.finish()?;
    let new = NewIssue {
        title,
        description,
        kind: validated(kind, "type")?,
        status,
        priority,
        parent_id,
        project_id,
        signal_source,
        signal_payload,
        hypothesis,
        completed_at: None,
    };
    Ok(Reply::created(service::issues::create(
        ctx, new, &label_ids,
    )?))
}

/// An issue with what the detail view embeds.
#[derive(Serialize)]
struct IssueDetail {
    #[serde(flatten)]
    issue: Issue,
    parent: Option<Issue>,
    children: Vec<Issue>,
    labels: Vec<LabelRef>,
    relations: Vec<Relation>,
}

/// `GET /api/issues/{id}`.
pub fn detail(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let db = ctx.db();
    let issue = issues::find_live(db, request.param("id"))?.ok_or(NOT_FOUND)?;
    let parent = match &issue.parent_id {
        Some(parent_id) => issues::find_live(db, parent_id)?,
        None => None,
    };
    let detail = IssueDetail {
        parent,
        children: issues::children(db, &issue.id)?,
        labels: labels::of_issue(db, &issue.id)?,
        relations: relations::outgoing(db, &issue.id)?,
        issue,
    };
    Ok(Reply::data(detail))
}

/// `PATCH /api/issues/{id}`; besides the original's fields it accepts `agentSummary`,
/// `agentSessionId`, `commits`, `pullRequests` and `labelIds` (replacing the labels), and keeps `completedAt` in step with
/// the `done` status (docs/decisions.md#closing-the-loop).
pub fn update(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let changes = Changes {
        title: input.opt_str("title", 1, 500),
        description: input.opt_str("description", 0, ANY_LENGTH),
        kind: input.opt_enum("type"),
        status: input.opt_enum("status"),
        priority: input.opt_int("priority", 0, 4),
        parent_id: input.nullable_str("parentId", 0, ANY_LENGTH),
        project_id: input.nullable_str("projectId", 0, ANY_LENGTH),
        signal_source: input.opt_str("signalSource", 0, ANY_LENGTH),
        signal_payload: input.opt_object_json("signalPayload"),
        hypothesis: read_hypothesis(&mut input, "hypothesis", true),
        agent_session_id: input.nullable_str("agentSessionId", 0, ANY_LENGTH),
        agent_summary: input.nullable_str("agentSummary", 0, ANY_LENGTH),
        commits: read_commits(&mut input, "commits"),
        pull_requests: read_pull_requests(&mut input, "pullRequests"),
        completed_at: None,
        lease_expires_at: None,
    };
    let label_ids = input.opt_str_array("labelIds");
    input.finish()?;
    let issue = service::issues::update(ctx, request.param("id"), changes, label_ids.as_deref())?;
    Ok(Reply::data(issue))
}

/// Fields shown on (or corrected in) a review card at most.
const MAX_REVIEW_FIELDS: usize = 50;

/// `POST /api/issues/{id}/review-request` `{summary?, module?, fields?}`: sends the
/// issue's work to a person (see [`service::sign_off::request`]); 201 with the issue,
/// now carrying `reviewStatus: "pending"` and the task's `reviewTaskId`.
pub fn review_request(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    let body = request.json_object()?;
    let mut input = Input::new(&body);
    let summary = input.opt_str("summary", 1, ANY_LENGTH);
    let fixer = match input.opt_enum::<Module>("module") {
        None | Some(Module::Swiper) => false,
        Some(Module::Fixer) => true,
        Some(_) => {
            input.fail(
                "module",
                "Invalid option: expected one of \"swiper\"|\"fixer\"",
            );
            false
        }
    };
    let fields = input.nested_array("fields", false, |field| {
        let mut out = serde_json::Map::new();
        out.insert("label".into(), field.required_str("label", 1, 200).into());
        if let Some(key) = field.opt_str("key", 1, 200) {
            out.insert("key".into(), key.into());
        }
        if !field.has("value") {
            field.fail(
                "value",
                "Invalid input: expected string, number, boolean or null, received undefined",
            );
        }
        out.insert(
            "value".into(),
            field.opt_scalar("value").unwrap_or_default(),
        );
        serde_json::Value::Object(out)
    });
    if fields
        .as_ref()
        .and_then(Option::as_ref)
        .is_some_and(|f| f.len() > MAX_REVIEW_FIELDS)
    {
        input.fail(
            "fields",
            format!("Too big: expected array to have <={MAX_REVIEW_FIELDS} items"),
        );
    }
    input.finish()?;
    let review = ReviewRequest {
        summary,
        fixer,
        fields: fields.flatten(),
    };
    let issue = service::sign_off::request(ctx, request.param("id"), &review)?;
    Ok(Reply::created(issue))
}

/// `DELETE /api/issues/{id}`: soft delete.
pub fn delete(ctx: &mut Ctx<'_>, request: &Request) -> Result<Reply, ApiError> {
    service::issues::delete(ctx, request.param("id"))?;
    Ok(Reply::empty(204))
}
