//! The audit chain and reviewers' scores (docs/reviewer-quality.md): every decision, on
//! a task or a decoy, is scored and appended to its project's chain in the transaction
//! that records it; the chain can be read, and verified — its hashes, the draws that
//! made probes, and the errors planted in decoys — by the admin API and `loop audit
//! verify`.

use std::ops::ControlFlow;

use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use crate::clock::Timestamp;
use crate::domain::enums::{AuditKind, Decision, WireEnum};
use crate::domain::review::audit::{Content, PlantedRecord, Record};
use crate::domain::review::decision::Outcome;
use crate::domain::review::draw;
use crate::domain::review::plant::Change;
use crate::domain::review::scoring::{self, Scored, Stats, Tally};
use crate::error::ApiError;
use crate::service::decoys;
use crate::store::audit::Standing;
use crate::store::review_queue::Dealt;
use crate::store::users::{self, User};
use crate::store::{audit, projects, review_tasks, reviewer_scores, task_reviews};

/// A decision about to be recorded.
pub struct Judged<'a> {
    /// The project whose chain records it.
    pub project_id: &'a str,
    /// A task or a decoy.
    pub kind: AuditKind,
    /// The task's or the decoy's id.
    pub item_id: &'a str,
    /// A decoy's source task.
    pub source_task_id: Option<&'a str>,
    /// The lease it was made under.
    pub assignment_id: &'a str,
    /// What was decided.
    pub outcome: &'a Outcome,
    /// On a golden task.
    pub golden: bool,
    /// Golden tasks and decoys: right or wrong (`None`: not scored).
    pub correct: Option<bool>,
    /// The right answer: a golden task's answer, `"flag"` for a decoy.
    pub expected: Option<&'a Value>,
    /// A decoy's planted error.
    pub planted: Option<PlantedRecord<'a>>,
    /// The draw that dealt the card.
    pub dealt: Option<Dealt>,
}

/// What recording a decision earned the reviewer.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// XP awarded (negative for a wrong golden answer or a missed decoy).
    pub xp_awarded: i64,
    /// The streak after it.
    pub streak: i64,
    /// The reviewer's totals after it, over every project.
    pub totals: Tally,
    /// Badges this decision earned.
    pub new_badges: Vec<&'static str>,
}

/// Scores `judged`, a decision of `reviewer_id`, appends it to its project's chain and
/// updates the reviewer's totals: inside the transaction that records the decision.
pub fn record(
    conn: &Connection,
    reviewer_id: &str,
    judged: &Judged<'_>,
    now: Timestamp,
) -> Result<Recorded, ApiError> {
    let before = reviewer_scores::get(conn, reviewer_id)?;
    let decoy = judged.kind == AuditKind::Decoy;
    let (xp, streak) = scoring::award(before.streak, judged.correct, decoy);
    let outcome = judged.outcome;
    let (content, content_sha256) = Content {
        choice: outcome.choice.as_deref(),
        reason: outcome.reason.as_deref(),
        severity: outcome.severity,
        expected: judged.expected,
        planted: judged.planted.clone(),
    }
    .sealed();
    let mut record = Record {
        id: crate::store::new_id(),
        project_id: judged.project_id.to_owned(),
        seq: 0,
        at: now.to_string(),
        reviewer_id: reviewer_id.to_owned(),
        kind: judged.kind,
        item_id: judged.item_id.to_owned(),
        source_task_id: judged.source_task_id.map(str::to_owned),
        assignment_id: judged.assignment_id.to_owned(),
        decision: outcome.decision,
        verdict: outcome.verdict,
        golden: judged.golden,
        correct: judged.correct,
        xp,
        streak,
        draw_seq: judged.dealt.map(|d| d.seq),
        decoy_rate_ppm: judged.dealt.map(|d| d.decoy_rate_ppm),
        probe: judged.dealt.map(|d| d.probe),
        content: Some(content),
        content_sha256,
        erased_at: None,
        prev_hash: String::new(),
        hash: String::new(),
    };
    audit::append(conn, &mut record)?;
    let totals = before.after(&Scored {
        decoy,
        golden: judged.golden,
        correct: judged.correct,
        xp,
        streak,
    });
    reviewer_scores::put(conn, reviewer_id, &totals)?;
    let had = scoring::badges(&before);
    let new_badges = scoring::badges(&totals)
        .into_iter()
        .filter(|badge| !had.contains(badge))
        .collect();
    Ok(Recorded {
        xp_awarded: xp,
        streak,
        totals,
        new_badges,
    })
}

/// The first thing wrong in a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The record's number in the chain.
    pub seq: i64,
    /// The record's id.
    pub record_id: String,
    /// What is wrong with it.
    pub problem: String,
}

/// What verifying a project's chain found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// The project.
    pub project_id: String,
    /// Whether everything checked out.
    pub ok: bool,
    /// Records checked (up to the first break).
    pub records: i64,
    /// The last record's number and hash: kept outside the database, they show later
    /// that no record was removed from the end.
    pub head: Option<Head>,
    /// Records whose draw was recomputed from the seed.
    pub draws_recomputed: i64,
    /// Decoys whose planted error was recomputed from their source task.
    pub plants_recomputed: i64,
    /// Decoys whose source task or content was deleted since (nothing to recompute from).
    pub plants_erased: i64,
    /// The first problem, if any.
    pub first_break: Option<Break>,
}

/// The last record of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Head {
    /// Its number.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

/// A decoy record's planted error as its content keeps it.
#[derive(serde::Deserialize)]
struct PlantedContent {
    game: String,
    change: Change,
    shown_sha256: String,
}

/// The draw problem of `record` under `seed`, if any: its probe flag must be what the
/// seed recomputes, and a decoy must have been a probe.
fn draw_problem(seed: &str, record: &Record) -> Option<String> {
    let (Some(seq), Some(rate), Some(probe)) =
        (record.draw_seq, record.decoy_rate_ppm, record.probe)
    else {
        return (record.kind == AuditKind::Decoy)
            .then(|| "it is a decoy without the draw that dealt it".to_owned());
    };
    let recomputed = draw::draw(seed, &record.project_id, &record.reviewer_id, seq).is_probe(rate);
    if recomputed != probe {
        return Some(format!(
            "its draw {seq} at a decoy rate of {rate} ppm says probe = {probe}, but the seed recomputes {recomputed}"
        ));
    }
    (record.kind == AuditKind::Decoy && !probe)
        .then(|| "it is a decoy that its draw did not make a probe".to_owned())
}

/// What is wrong with a decoy record's planted error: it must recompute, with the same
/// change and what was shown, from the source task and the draw. Nothing when the source
/// task or the record's content was deleted since (`erased` is then set).
fn plant_problem(
    conn: &Connection,
    seed: &str,
    record: &Record,
    erased: &mut bool,
) -> Result<Option<String>, ApiError> {
    let source = match &record.source_task_id {
        Some(id) => review_tasks::find_by_id(conn, id)?,
        None => None,
    };
    let content: Option<Value> = record
        .content
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok());
    let planted = content
        .and_then(|c| c.get("planted").cloned())
        .and_then(|p| serde_json::from_value::<PlantedContent>(p).ok());
    let (Some(source), Some(planted), Some(seq)) = (source, planted, record.draw_seq) else {
        *erased = true;
        return Ok(None);
    };
    let draw = draw::draw(seed, &record.project_id, &record.reviewer_id, seq);
    let recomputed = decoys::planted(&source, &draw)?;
    let matches = recomputed.as_ref().is_some_and(|(shown, change)| {
        *change == planted.change
            && shown.digest() == planted.shown_sha256
            && shown.view.game.as_str() == planted.game
    });
    Ok((!matches)
        .then(|| "its planted error does not recompute from its source task and draw".to_owned()))
}

/// Verifies the chain of `project_id`: each record's number, link and hash, the content
/// it covers, the draw of each card (recomputed from the project's seed) and the error
/// planted in each decoy (recomputed from its source task, while it exists). Stops at
/// the first break.
pub fn verify(conn: &Connection, project_id: &str) -> Result<Verification, ApiError> {
    let seed = projects::quality_settings(conn, project_id)?
        .map(|s| s.decoy_seed)
        .unwrap_or_default();
    let mut result = Verification {
        project_id: project_id.to_owned(),
        ok: true,
        records: 0,
        head: None,
        draws_recomputed: 0,
        plants_recomputed: 0,
        plants_erased: 0,
        first_break: None,
    };
    let mut prev_hash = crate::domain::review::audit::GENESIS.to_owned();
    audit::for_each(conn, project_id, |record| -> Result<_, ApiError> {
        let mut problem = record.problem(result.records + 1, &prev_hash);
        if problem.is_none() {
            problem = draw_problem(&seed, &record);
            result.draws_recomputed += i64::from(record.draw_seq.is_some());
        }
        if problem.is_none() && record.kind == AuditKind::Decoy {
            let mut erased = false;
            problem = plant_problem(conn, &seed, &record, &mut erased)?;
            if erased {
                result.plants_erased += 1;
            } else {
                result.plants_recomputed += 1;
            }
        }
        if let Some(problem) = problem {
            result.ok = false;
            result.first_break = Some(Break {
                seq: record.seq,
                record_id: record.id,
                problem,
            });
            return Ok(ControlFlow::Break(()));
        }
        result.records += 1;
        prev_hash.clone_from(&record.hash);
        result.head = Some(Head {
            seq: record.seq,
            hash: record.hash,
        });
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(result)
}

/// Verifies the chain of every project that has one.
pub fn verify_all(conn: &Connection) -> Result<Vec<Verification>, ApiError> {
    audit::project_ids(conn)?
        .iter()
        .map(|id| verify(conn, id))
        .collect()
}

/// A record as the admin API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Its place in the project's chain, from 1.
    pub seq: i64,
    /// Opaque id.
    pub id: String,
    /// The project.
    pub project_id: String,
    /// When the decision was made.
    pub at: String,
    /// Who decided.
    pub reviewer: ReviewerRef,
    /// `task` or `decoy`.
    pub kind: AuditKind,
    /// The task's id (`None` for a decoy).
    pub task_id: Option<String>,
    /// The decoy's id (`None` for a task).
    pub decoy_id: Option<String>,
    /// A decoy's source task.
    pub source_task_id: Option<String>,
    /// The lease it was decided under.
    pub assignment_id: String,
    /// Approve, flag or escalate.
    pub decision: Decision,
    /// `true` approved, `false` flagged, `None` escalated.
    pub verdict: Option<bool>,
    /// The module's choice (`None` once erased).
    pub choice: Option<Value>,
    /// Why it was flagged or escalated (`None` once erased).
    pub reason: Option<Value>,
    /// Whether it was a decoy.
    pub decoy: bool,
    /// Whether it was a golden task.
    pub golden: bool,
    /// The right answer (golden answer, `"flag"` for a decoy; `None` once erased).
    pub expected: Option<Value>,
    /// What the reviewer answered: the decision.
    pub actual: Decision,
    /// Golden tasks and decoys: whether the answer was right (`None`: not scored).
    pub correct: Option<bool>,
    /// XP it earned.
    pub xp: i64,
    /// The streak after it.
    pub streak: i64,
    /// The draw that dealt the card.
    pub draw: Option<DrawShown>,
    /// A decoy's planted error (`None` once erased).
    pub planted: Option<Value>,
    /// Whether its content was erased (its task was deleted).
    pub erased: bool,
    /// SHA-256 of its content.
    pub content_sha256: String,
    /// The previous record's hash.
    pub prev_hash: String,
    /// SHA-256 of its canonical header.
    pub hash: String,
}

/// A user by id and handle.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewerRef {
    /// Opaque id.
    pub id: String,
    /// Public name.
    pub handle: String,
}

/// The draw of a card, as a record shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DrawShown {
    /// The card's number in the reviewer's draws in the project.
    pub seq: i64,
    /// The decoy rate then (0 to 1).
    pub decoy_rate: f64,
    /// Whether the draw made it a probe.
    pub probe: bool,
}

/// A rate in parts per million as a share from 0 to 1.
#[allow(clippy::cast_precision_loss)]
pub fn rate(ppm: i64) -> f64 {
    ppm as f64 / draw::PPM as f64
}

impl Entry {
    /// The admin's view of `record`, decided by `handle`.
    pub fn of(record: Record, handle: String) -> Self {
        let content: Value = record
            .content
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok())
            .unwrap_or(Value::Null);
        let part = |key: &str| content.get(key).filter(|v| !v.is_null()).cloned();
        let decoy = record.kind == AuditKind::Decoy;
        Self {
            seq: record.seq,
            project_id: record.project_id,
            at: record.at,
            reviewer: ReviewerRef {
                id: record.reviewer_id,
                handle,
            },
            kind: record.kind,
            task_id: (!decoy).then(|| record.item_id.clone()),
            decoy_id: decoy.then_some(record.item_id),
            source_task_id: record.source_task_id,
            assignment_id: record.assignment_id,
            decision: record.decision,
            verdict: record.verdict,
            choice: part("choice"),
            reason: part("reason"),
            decoy,
            golden: record.golden,
            expected: part("expected"),
            actual: record.decision,
            correct: record.correct,
            xp: record.xp,
            streak: record.streak,
            draw: match (record.draw_seq, record.decoy_rate_ppm, record.probe) {
                (Some(seq), Some(ppm), Some(probe)) => Some(DrawShown {
                    seq,
                    decoy_rate: rate(ppm),
                    probe,
                }),
                _ => None,
            },
            planted: part("planted"),
            erased: record.erased_at.is_some(),
            content_sha256: record.content_sha256,
            prev_hash: record.prev_hash,
            hash: record.hash,
            id: record.id,
        }
    }
}

/// The signed-in reviewer's own metrics, over every project.
pub fn own_stats(conn: &Connection, user_id: &str) -> Result<Stats, ApiError> {
    let (consensus_reviews, consensus_agreed) = task_reviews::agreement(conn, user_id)?;
    Ok(Stats::of(&Tally {
        consensus_reviews,
        consensus_agreed,
        ..reviewer_scores::get(conn, user_id)?
    }))
}

/// A person's standing in a project, as the admin's reviewer list shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Reviewer {
    /// The user.
    pub user: User,
    /// Whether they are a reviewer of the project (owners and admins may decide in any).
    pub member: bool,
    /// Their metrics in the project, read from its audit chain.
    pub stats: Stats,
}

impl Reviewer {
    fn of(standing: Standing) -> Self {
        Self {
            user: standing.user,
            member: standing.member,
            stats: Stats::of(&standing.tally),
        }
    }
}

/// Everyone who reviews project `project_id` or has decided in it, with their metrics
/// there (one query for all of them).
pub fn reviewers(conn: &Connection, project_id: &str) -> Result<Vec<Reviewer>, ApiError> {
    Ok(audit::standings(conn, project_id, None)?
        .into_iter()
        .map(Reviewer::of)
        .collect())
}

/// One reviewer of a project in detail: their metrics and the probes they met.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewerDetail {
    /// Who, and their metrics.
    #[serde(flatten)]
    pub reviewer: Reviewer,
    /// The decoys and golden tasks they decided, newest first.
    pub probes: Vec<Entry>,
}

/// User `user_id` in project `project_id`, with at most `limit` of the probes they met;
/// `None` when there is no such user.
pub fn reviewer(
    conn: &Connection,
    project_id: &str,
    user_id: &str,
    limit: i64,
) -> Result<Option<ReviewerDetail>, ApiError> {
    let standing = match audit::standings(conn, project_id, Some(user_id))?.pop() {
        Some(standing) => standing,
        None => match users::find(conn, user_id)? {
            Some(user) => Standing {
                user,
                member: false,
                tally: Tally::default(),
            },
            None => return Ok(None),
        },
    };
    let probes = audit::probes_of(conn, project_id, user_id, limit)?
        .into_iter()
        .map(|(record, handle)| Entry::of(record, handle))
        .collect();
    Ok(Some(ReviewerDetail {
        reviewer: Reviewer::of(standing),
        probes,
    }))
}

/// Records of `project_id`'s chain in order: after record number `after`, made after
/// `since` when given, at most `limit`.
pub fn entries(
    conn: &Connection,
    project_id: &str,
    after: i64,
    since: Option<Timestamp>,
    limit: i64,
) -> Result<Vec<Entry>, ApiError> {
    Ok(audit::list(conn, project_id, after, since, limit)?
        .into_iter()
        .map(|(record, handle)| Entry::of(record, handle))
        .collect())
}
