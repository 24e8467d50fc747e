//! The audit chain (docs/reviewer-quality.md, "The audit log"): one record per
//! decision, per project, each holding the SHA-256 of the record before it and of its
//! own canonical header. The header holds ids, the decision and its scoring; the free
//! text and expectations (choice, reason, the golden answer, the planted error) are
//! the record's `content`, which the header covers by its SHA-256 only, so that
//! deleting a task can erase them without breaking the chain.

use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::plant::Change;
use crate::domain::enums::{AuditKind, Decision, Module, Severity, WireEnum};

/// The first line of every canonical header: the name of this format.
pub const FORMAT: &str = "loop-audit-v1";

/// The `prev_hash` of a project's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One record of a project's chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Opaque id.
    pub id: String,
    /// The project whose chain it is in.
    pub project_id: String,
    /// Its place in the chain, from 1.
    pub seq: i64,
    /// When the decision was made.
    pub at: String,
    /// Who decided.
    pub reviewer_id: String,
    /// A task or a decoy.
    pub kind: AuditKind,
    /// The task's or the decoy's id.
    pub item_id: String,
    /// A decoy's source task.
    pub source_task_id: Option<String>,
    /// The lease it was decided under.
    pub assignment_id: String,
    /// Approve, flag or escalate.
    pub decision: Decision,
    /// `true` approved, `false` flagged, `None` escalated.
    pub verdict: Option<bool>,
    /// Whether the task is a golden task.
    pub golden: bool,
    /// Golden tasks and decoys: whether the decision was right (`None`: not scored).
    pub correct: Option<bool>,
    /// XP it earned.
    pub xp: i64,
    /// The reviewer's streak after it.
    pub streak: i64,
    /// The card's number in the reviewer's draws in this project (`None` for cards
    /// dealt before draws existed).
    pub draw_seq: Option<i64>,
    /// The decoy rate the card was drawn at (parts per million).
    pub decoy_rate_ppm: Option<i64>,
    /// Whether the draw made the card a probe.
    pub probe: Option<bool>,
    /// The free text and expectations, as JSON (`None` once erased).
    pub content: Option<String>,
    /// SHA-256 of `content`, kept when it is erased.
    pub content_sha256: String,
    /// When `content` was erased (not covered by the hash).
    pub erased_at: Option<String>,
    /// The previous record's `hash` ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256 of [`Record::canonical`].
    pub hash: String,
}

/// `true`, `false`, or empty for `None`.
fn flag(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// A number, or empty for `None`.
fn number(value: Option<i64>) -> String {
    value.map(|n| n.to_string()).unwrap_or_default()
}

impl Record {
    /// The canonical header: `loop-audit-v1`, then one `name=value` line per field in a
    /// fixed order, each ending with a newline; booleans `true`/`false`, absent values
    /// empty. No value can hold a newline (they are ids, times, numbers and names).
    pub fn canonical(&self) -> String {
        let lines = [
            ("id", self.id.clone()),
            ("project_id", self.project_id.clone()),
            ("seq", self.seq.to_string()),
            ("prev_hash", self.prev_hash.clone()),
            ("at", self.at.clone()),
            ("reviewer_id", self.reviewer_id.clone()),
            ("kind", self.kind.as_str().to_owned()),
            ("item_id", self.item_id.clone()),
            (
                "source_task_id",
                self.source_task_id.clone().unwrap_or_default(),
            ),
            ("assignment_id", self.assignment_id.clone()),
            ("decision", self.decision.as_str().to_owned()),
            ("verdict", flag(self.verdict).to_owned()),
            ("golden", flag(Some(self.golden)).to_owned()),
            ("correct", flag(self.correct).to_owned()),
            ("xp", self.xp.to_string()),
            ("streak", self.streak.to_string()),
            ("draw_seq", number(self.draw_seq)),
            ("decoy_rate_ppm", number(self.decoy_rate_ppm)),
            ("probe", flag(self.probe).to_owned()),
            ("content_sha256", self.content_sha256.clone()),
        ];
        let mut text = format!("{FORMAT}\n");
        for (name, value) in lines {
            text.push_str(name);
            text.push('=');
            text.push_str(&value);
            text.push('\n');
        }
        text
    }

    /// SHA-256 of the canonical header.
    pub fn computed_hash(&self) -> String {
        sha256_hex(self.canonical().as_bytes())
    }

    /// Places the record after `head`, the number and hash of its chain's last record
    /// (`None`: the chain is empty), and seals it with its hash.
    pub fn link(&mut self, head: Option<(i64, String)>) {
        let (seq, prev_hash) = head.map_or((1, GENESIS.to_owned()), |(seq, hash)| (seq + 1, hash));
        self.seq = seq;
        self.prev_hash = prev_hash;
        self.hash = self.computed_hash();
    }

    /// What is wrong with this record as the record number `seq` of its chain, after a
    /// record whose hash is `prev_hash` (`None`: nothing).
    pub fn problem(&self, seq: i64, prev_hash: &str) -> Option<String> {
        if self.seq != seq {
            return Some(format!(
                "record {seq} is missing before it (it is numbered {}): a record was removed or moved",
                self.seq
            ));
        }
        if self.prev_hash != prev_hash {
            return Some(format!(
                "its prev_hash {} is not the hash of the record before it ({prev_hash})",
                self.prev_hash
            ));
        }
        let computed = self.computed_hash();
        if self.hash != computed {
            return Some(format!(
                "it was changed: its hash is {} but its fields hash to {computed}",
                self.hash
            ));
        }
        match &self.content {
            Some(content) if sha256_hex(content.as_bytes()) != self.content_sha256 => Some(
                "its content (choice, reason, expectation) was changed: it no longer matches content_sha256"
                    .to_owned(),
            ),
            None if self.erased_at.is_none() => {
                Some("its content is missing but it was never erased".to_owned())
            }
            _ => None,
        }
    }
}

/// A decoy's planted error, as its audit record keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct PlantedRecord<'a> {
    /// The game the decoy was played as.
    pub game: Module,
    /// The change.
    pub change: &'a Change,
    /// SHA-256 of what the reviewer was shown ([`super::plant::Shown::digest`]).
    pub shown_sha256: &'a str,
}

/// The erasable part of a record.
#[derive(Debug, Clone, Serialize)]
pub struct Content<'a> {
    /// The module's choice.
    pub choice: Option<&'a str>,
    /// Why it was flagged or escalated.
    pub reason: Option<&'a str>,
    /// How bad a flagged problem is.
    pub severity: Option<Severity>,
    /// What the right decision was: a golden task's answer, `"flag"` for a decoy.
    pub expected: Option<&'a Value>,
    /// A decoy's planted error.
    pub planted: Option<PlantedRecord<'a>>,
}

impl Content<'_> {
    /// The stored text (compact JSON, keys in this order) and its SHA-256.
    pub fn sealed(&self) -> (String, String) {
        let text = serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned());
        let digest = sha256_hex(text.as_bytes());
        (text, digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> Record {
        let content = r#"{"choice":null,"reason":"wrong","severity":"medium","expected":null,"planted":null}"#;
        let mut record = Record {
            id: "r1".to_owned(),
            project_id: "p".to_owned(),
            seq: 1,
            at: "2026-01-01T00:00:00.000Z".to_owned(),
            reviewer_id: "u".to_owned(),
            kind: AuditKind::Task,
            item_id: "t".to_owned(),
            source_task_id: None,
            assignment_id: "a".to_owned(),
            decision: Decision::Flag,
            verdict: Some(false),
            golden: false,
            correct: None,
            xp: 10,
            streak: 1,
            draw_seq: Some(0),
            decoy_rate_ppm: Some(50_000),
            probe: Some(false),
            content: Some(content.to_owned()),
            content_sha256: sha256_hex(content.as_bytes()),
            erased_at: None,
            prev_hash: GENESIS.to_owned(),
            hash: String::new(),
        };
        record.hash = record.computed_hash();
        record
    }

    #[test]
    fn the_canonical_header_is_the_documented_text() {
        let record = record();
        let expected = format!(
            "loop-audit-v1\nid=r1\nproject_id=p\nseq=1\nprev_hash={GENESIS}\nat=2026-01-01T00:00:00.000Z\n\
             reviewer_id=u\nkind=task\nitem_id=t\nsource_task_id=\nassignment_id=a\ndecision=flag\n\
             verdict=false\ngolden=false\ncorrect=\nxp=10\nstreak=1\ndraw_seq=0\ndecoy_rate_ppm=50000\n\
             probe=false\ncontent_sha256={}\n",
            record.content_sha256
        );
        assert_eq!(record.canonical(), expected);
        assert_eq!(record.hash, sha256_hex(expected.as_bytes()));
        assert_eq!(record.problem(1, GENESIS), None);
    }

    #[test]
    fn any_change_is_named() {
        let good = record();
        let mut changed = good.clone();
        changed.xp = 1000;
        assert!(
            changed
                .problem(1, GENESIS)
                .is_some_and(|p| p.contains("changed"))
        );
        let mut reason = good.clone();
        reason.content = Some(reason.content.unwrap_or_default().replace("wrong", "fine"));
        assert!(
            reason
                .problem(1, GENESIS)
                .is_some_and(|p| p.contains("content"))
        );
        assert!(
            good.problem(2, GENESIS)
                .is_some_and(|p| p.contains("missing"))
        );
        assert!(
            good.problem(1, "x")
                .is_some_and(|p| p.contains("prev_hash"))
        );
        let mut erased = good.clone();
        erased.content = None;
        assert!(erased.problem(1, GENESIS).is_some());
        erased.erased_at = Some("2026-01-02T00:00:00.000Z".to_owned());
        assert_eq!(
            erased.problem(1, GENESIS),
            None,
            "erasure keeps the chain whole"
        );
    }
}
