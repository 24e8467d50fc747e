//! Synthetic data for load tests: issues in parent–child chains, prompt reviews, a
//! project key, review tasks escalated or with their verdict deliveries pending, written
//! straight through the store in one transaction (seeding 100,000 issues through HTTP
//! would take longer than the benchmark it serves). `loop-bench` seeds every scenario
//! with it.

use std::path::Path;

use rusqlite::Connection;
use serde_json::json;

use crate::clock::{Clock, SystemClock, Timestamp};
use crate::domain::credentials;
use crate::domain::enums::{AuthorType, IssueStatus, IssueType, TaskStatus};
use crate::domain::prompt::defaults;
use crate::domain::review::resolution::Resolution;
use crate::domain::review::task;
use crate::service::verdicts;
use crate::store::{self, issues, project_keys, projects, prompt_reviews, review_tasks};

/// Synthetic data to seed a database with.
#[derive(Debug, Default)]
pub struct Seed {
    /// Issues in all: roots, each followed by nine children.
    pub issues: usize,
    /// How many of them are `todo` (dispatch candidates); the rest are done or backlog.
    pub todo: usize,
    /// Prompt reviews, spread over the default templates' versions.
    pub reviews: usize,
    /// A review-API project key (`lq_…`, see [`new_project_key`]) to store, for a new
    /// project.
    pub project_key: Option<String>,
    /// Review tasks with this callback URL: `escalated` of them waiting for an admin,
    /// `delivering` of them resolved with their verdict delivery still pending.
    pub review: Option<ReviewSeed>,
}

/// Review tasks to seed, each with a `callback_url` at the bench's own receiver.
#[derive(Debug)]
pub struct ReviewSeed {
    /// Where their verdicts are delivered.
    pub callback_url: String,
    /// Tasks escalated to an admin, with no delivery yet.
    pub escalated: usize,
    /// Tasks resolved, with their verdict delivery pending.
    pub delivering: usize,
}

impl Seed {
    /// `issues` issues and nothing else.
    pub fn issues(issues: usize) -> Self {
        Self {
            issues,
            ..Self::default()
        }
    }

    /// The dashboard scenarios' data: 100,000 issues, 5,000 of them `todo`, and 1,000
    /// prompt reviews.
    pub fn dashboard() -> Self {
        Self {
            issues: 100_000,
            todo: 5_000,
            reviews: 1_000,
            ..Self::default()
        }
    }

    /// Writes the seed into the database at `path` (created and migrated as needed)
    /// through the store, in one transaction.
    pub fn write(&self, path: &Path) -> Result<Seeded, String> {
        let mut conn = store::open(path).map_err(fail("open the database"))?;
        let now = SystemClock.now();
        store::migrate(&mut conn, now)?;
        let tx = conn.transaction().map_err(fail("begin"))?;
        let kinds = [
            IssueType::Signal,
            IssueType::Hypothesis,
            IssueType::Plan,
            IssueType::Task,
            IssueType::Monitor,
        ];
        let mut root = String::new();
        for i in 0..self.issues {
            // `todo` issues spread evenly through the table; creation spread over 60 days.
            let status = if (i + 1) * self.todo / self.issues > i * self.todo / self.issues {
                IssueStatus::Todo
            } else if i % 2 == 0 {
                IssueStatus::Done
            } else {
                IssueStatus::Backlog
            };
            let issue = issues::NewIssue {
                description: Some("Seeded for the benchmark".to_owned()),
                parent_id: (i % 10 != 0).then(|| root.clone()),
                ..issues::NewIssue::new(
                    format!("Seeded issue {i}"),
                    kinds[i % kinds.len()],
                    status,
                    i64::try_from(i % 5).unwrap_or(0),
                )
            };
            let age = i64::try_from(i % 60).unwrap_or(0) * 86_400_000;
            let stored = issues::insert(&tx, &issue, now.plus_millis(-age))
                .map_err(fail("seed an issue"))?;
            if i % 10 == 0 {
                root = stored.id;
            }
        }
        let versions = defaults::TEMPLATES.map(|t| t.version_id);
        for i in 0..self.reviews {
            let score = i64::try_from(i % 5).unwrap_or(0) + 1;
            let review = prompt_reviews::NewReview {
                version_id: versions[i % versions.len()].to_owned(),
                issue_id: format!("issue-{i}"),
                clarity: score,
                completeness: 6 - score,
                relevance: 3,
                feedback: Some("Seeded review".to_owned()),
                author_type: AuthorType::Agent,
            };
            prompt_reviews::insert(&tx, &review, now).map_err(fail("seed a review"))?;
        }
        if let Some(key) = &self.project_key {
            let project = project(&tx, "Bench", now)?;
            let new_key = project_keys::NewProjectKey {
                project_id: &project,
                name: "bench",
                prefix: &credentials::key_prefix(key),
                key_hash: &credentials::key_hash(key),
            };
            project_keys::insert(&tx, &new_key, now).map_err(fail("seed a project key"))?;
        }
        let escalated_task_ids = match &self.review {
            Some(review) => seed_review_tasks(&tx, review, now)?,
            None => Vec::new(),
        };
        tx.commit().map_err(fail("commit the seed"))?;
        Ok(Seeded { escalated_task_ids })
    }
}

/// What a seed wrote that its user needs to know.
#[derive(Debug, Default)]
pub struct Seeded {
    /// The review tasks left escalated, for an admin to resolve.
    pub escalated_task_ids: Vec<String>,
}

/// Describes a failed seeding step.
fn fail<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> String {
    move |e| format!("{what}: {e}")
}

/// A new review-API project key (`lq_…`) to seed with.
pub fn new_project_key() -> Result<String, String> {
    credentials::generate_project_key().map_err(|e| format!("no randomness: {e}"))
}

/// Creates a project named `name`; answers its id.
fn project(conn: &Connection, name: &str, now: Timestamp) -> Result<String, String> {
    let no_randomness = |e: getrandom::Error| format!("no randomness: {e}");
    let secrets = projects::ProjectSecrets {
        signing_secret: credentials::generate_signing_secret().map_err(no_randomness)?,
        decoy_seed: credentials::generate_decoy_seed().map_err(no_randomness)?,
    };
    let fields = projects::ProjectFields {
        name: Some(name.to_owned()),
        ..projects::ProjectFields::default()
    };
    let project = projects::insert(conn, &fields, &secrets, now)
        .map_err(|e| format!("seed a project: {e}"))?;
    Ok(project.id)
}

/// Seeds a project's review tasks: escalated ones (no delivery yet), then resolved ones
/// whose verdict deliveries are pending, each queued through `verdicts::resolve` as a
/// live resolution would queue it.
fn seed_review_tasks(
    conn: &Connection,
    seed: &ReviewSeed,
    now: Timestamp,
) -> Result<Vec<String>, String> {
    let mut escalated = Vec::new();
    let project = project(conn, "Deliveries", now)?;
    let mut body = serde_json::Map::new();
    body.insert("module".to_owned(), json!("swiper"));
    body.insert("payload".to_owned(), json!({"content": "x"}));
    body.insert("callback_url".to_owned(), json!(seed.callback_url));
    let task = task::parse(&body, 86_400).map_err(|e| format!("a seeded task: {e:?}"))?;
    for i in 0..seed.escalated + seed.delivering {
        let stored =
            review_tasks::insert(conn, &project, &task, None, now).map_err(fail("seed a task"))?;
        let escalate = Resolution {
            status: TaskStatus::Escalated,
            verdict: None,
            choice: None,
            reason: Some("seeded".to_owned()),
            detail: None,
            escalated: true,
            timed_out: false,
        };
        if i < seed.escalated {
            // Escalated only: no verdict, so no delivery and no engine signal yet.
            review_tasks::resolve(conn, &stored.id, TaskStatus::Pending, &escalate, None, now)
                .map_err(fail("escalate a seeded task"))?;
            escalated.push(stored.id);
        } else {
            verdicts::resolve(conn, &stored.id, TaskStatus::Pending, &escalate, None, now)
                .map_err(|e| format!("resolve a seeded task: {e:?}"))?;
        }
    }
    Ok(escalated)
}
