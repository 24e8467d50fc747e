//! The closed vocabularies of the engine API (docs/engine-api.md#enumerations), with their exact wire
//! spellings.

/// A closed set of values that travel as fixed strings.
pub trait WireEnum: Sized + Copy + 'static {
    /// Every value, in the order the spec lists them (used in error messages).
    const ALL: &'static [Self];
    /// The wire spelling.
    fn as_str(self) -> &'static str;
    /// The value spelled `text`, if any (exact, case-sensitive).
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }
}

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl WireEnum for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// What kind of work an issue is.
    IssueType {
        /// Something observed in production.
        Signal => "signal",
        /// A belief to validate.
        Hypothesis => "hypothesis",
        /// A plan to decompose.
        Plan => "plan",
        /// A unit of work.
        Task => "task",
        /// A recurring check.
        Monitor => "monitor",
    }
);

wire_enum!(
    /// Where an issue is in its life.
    IssueStatus {
        /// Not yet looked at.
        Triage => "triage",
        /// Accepted, not scheduled.
        Backlog => "backlog",
        /// Ready to be dispatched.
        Todo => "todo",
        /// Claimed by an agent or a person.
        InProgress => "in_progress",
        /// Finished.
        Done => "done",
        /// Abandoned.
        Canceled => "canceled",
    }
);

wire_enum!(
    /// Whether a project's agents may mark their own work done.
    SignOffMode {
        /// Agents mark issues done themselves (the original's behaviour).
        Off => "off",
        /// Every issue goes to a person before it is done.
        Required => "required",
        /// A fixed share of issues (see the module's rule) goes to a person.
        Sampled => "sampled",
    }
);

wire_enum!(
    /// Where an issue's latest review request stands.
    ReviewStatus {
        /// Waiting for a person (escalated reviews included).
        Pending => "pending",
        /// A person approved the work; the issue is done.
        Approved => "approved",
        /// A person flagged the work; the issue went back to `todo`.
        Flagged => "flagged",
    }
);

wire_enum!(
    /// How one issue relates to another (read "issue <type> related issue").
    RelationType {
        /// This issue blocks the related one.
        Blocks => "blocks",
        /// This issue waits for the related one.
        BlockedBy => "blocked_by",
        /// Informational link.
        Related => "related",
        /// This issue duplicates the related one.
        Duplicate => "duplicate",
    }
);

wire_enum!(
    /// Who wrote a comment, version or review.
    AuthorType {
        /// A person.
        Human => "human",
        /// An AI agent.
        Agent => "agent",
    }
);

wire_enum!(
    /// Where a project is in its life.
    ProjectStatus {
        /// Not planned yet.
        Backlog => "backlog",
        /// Planned.
        Planned => "planned",
        /// Being worked on.
        Active => "active",
        /// On hold.
        Paused => "paused",
        /// Finished.
        Completed => "completed",
        /// Abandoned.
        Canceled => "canceled",
    }
);

wire_enum!(
    /// How a project is doing (set by people, never computed).
    ProjectHealth {
        /// Fine.
        OnTrack => "on_track",
        /// At risk.
        AtRisk => "at_risk",
        /// Off track.
        OffTrack => "off_track",
    }
);

wire_enum!(
    /// Where a goal is in its life.
    GoalStatus {
        /// Being pursued.
        Active => "active",
        /// Reached.
        Achieved => "achieved",
        /// Given up.
        Abandoned => "abandoned",
    }
);

wire_enum!(
    /// How bad a signal is.
    Severity {
        /// Minor.
        Low => "low",
        /// Worth a look.
        Medium => "medium",
        /// Serious.
        High => "high",
        /// Drop everything.
        Critical => "critical",
    }
);

impl Severity {
    /// The priority of the issue a signal of this severity creates: critical → 1 (urgent)
    /// … low → 4.
    pub fn issue_priority(self) -> i64 {
        match self {
            Self::Critical => 1,
            Self::High => 2,
            Self::Medium => 3,
            Self::Low => 4,
        }
    }
}

wire_enum!(
    /// The review game a task is played in (docs/review-api.md#games).
    Module {
        /// Approve or flag, one card at a time.
        Swiper => "swiper",
        /// Pick the better of two.
        Versus => "versus",
        /// Classify into a bucket.
        Sorter => "sorter",
        /// Find the error in long text.
        Detective => "detective",
        /// Confirm or correct fields.
        Fixer => "fixer",
        /// Mask sensitive data.
        Redact => "redact",
        /// Check a claim against its source.
        Grounding => "grounding",
    }
);

wire_enum!(
    /// Whether the automation waits for the verdict (docs/review-api.md#modes-and-timeouts).
    ReviewMode {
        /// The automation waits; the task has a deadline.
        Gate => "gate",
        /// Background quality review; no deadline.
        Monitor => "monitor",
    }
);

wire_enum!(
    /// What a gate task's deadline does when nobody decided in time.
    OnTimeout {
        /// Escalate to an admin (fail closed).
        Escalate => "escalate",
        /// Resolve as flagged.
        Reject => "reject",
        /// Resolve as approved.
        Approve => "approve",
    }
);

wire_enum!(
    /// Where a review task is (docs/review-api.md#statuses); no other value ever exists.
    TaskStatus {
        /// Waiting for reviews.
        Pending => "pending",
        /// Resolved with a verdict.
        Reviewed => "reviewed",
        /// Handed to an admin.
        Escalated => "escalated",
    }
);

wire_enum!(
    /// What one reviewer decided about a task (docs/review-api.md#games).
    Decision {
        /// Accept (or pick, classify, confirm…).
        Approve => "approve",
        /// Reject, with a reason.
        Flag => "flag",
        /// Ask for a second opinion: the task goes to an admin.
        Escalate => "escalate",
    }
);

wire_enum!(
    /// A user's role in the instance (docs/review-api.md#people-and-sessions, docs/decisions.md#users-and-roles).
    UserRole {
        /// Everything, including other owners.
        Owner => "owner",
        /// Users, projects, keys and escalations.
        Admin => "admin",
        /// Decides tasks in the projects they belong to.
        Reviewer => "reviewer",
        /// Reads results, never decides.
        Viewer => "viewer",
    }
);

impl UserRole {
    /// Whether the role administers the instance (owner or admin).
    pub fn is_admin(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }

    /// Whether the role may decide tasks.
    pub fn may_review(self) -> bool {
        self != Self::Viewer
    }
}

wire_enum!(
    /// What kind of sensitive data a redaction masks (docs/review-api.md#games).
    RedactLabel {
        /// An email address.
        Email => "email",
        /// A phone number.
        Phone => "phone",
        /// A payment card number.
        Card => "card",
        /// A password, token or key.
        Secret => "secret",
        /// A person's name.
        Name => "name",
        /// A postal address.
        Address => "address",
        /// Anything else.
        Other => "other",
    }
);

wire_enum!(
    /// What an audit record is about (docs/reviewer-quality.md).
    AuditKind {
        /// A review task.
        Task => "task",
        /// A decoy: a planted copy of a card.
        Decoy => "decoy",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_spellings_only() {
        assert_eq!(
            IssueStatus::parse("in_progress"),
            Some(IssueStatus::InProgress)
        );
        assert_eq!(IssueStatus::parse("cancelled"), None);
        assert_eq!(IssueStatus::parse("Todo"), None);
        assert_eq!(IssueStatus::parse(" todo"), None);
        for status in IssueStatus::ALL {
            assert_eq!(IssueStatus::parse(status.as_str()), Some(*status));
        }
    }
}
