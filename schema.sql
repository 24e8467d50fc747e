-- The whole Loop schema, embedded in the binary.
--
-- The file is a sequence of migrations. Each starts with a line
-- `-- migrate:N <what it does>`; a database at `PRAGMA user_version` = V gets every
-- migration with N > V applied in order, each in its own transaction, and then
-- `user_version` = N. Never edit a migration that has shipped: append a new one.
--
-- Conventions: ids are TEXT (UUIDs, or fixed ids for seeded rows); timestamps are TEXT
-- in RFC 3339 UTC with exactly three fractional digits (`2026-02-20T12:00:00.000Z`), so
-- they sort and compare as strings; JSON values are TEXT holding valid JSON.

-- migrate:1 work tracking: issues, labels, relations, comments, projects, goals, admin keys
CREATE TABLE issues (
    -- `number` doubles as the rowid: global, consecutive, never reused.
    number           INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    title            TEXT NOT NULL,
    description      TEXT,
    type             TEXT NOT NULL,
    status           TEXT NOT NULL,
    priority         INTEGER NOT NULL,
    parent_id        TEXT,
    project_id       TEXT,
    signal_source    TEXT,
    signal_payload   TEXT,
    hypothesis       TEXT,
    agent_session_id TEXT,
    agent_summary    TEXT,
    commits          TEXT,
    pull_requests    TEXT,
    completed_at     TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE INDEX issues_live_by_created ON issues(created_at) WHERE deleted_at IS NULL;
CREATE INDEX issues_live_by_status ON issues(status, created_at) WHERE deleted_at IS NULL;
CREATE INDEX issues_live_by_project ON issues(project_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX issues_live_by_parent ON issues(parent_id, created_at) WHERE deleted_at IS NULL;

CREATE TABLE labels (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    color      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);

-- Label ids are not validated (the original stores dangling ids and ignores them).
CREATE TABLE issue_labels (
    issue_id TEXT NOT NULL REFERENCES issues(id),
    label_id TEXT NOT NULL,
    PRIMARY KEY (issue_id, label_id)
) WITHOUT ROWID;
CREATE INDEX issue_labels_by_label ON issue_labels(label_id, issue_id);

CREATE TABLE issue_relations (
    id               TEXT PRIMARY KEY,
    type             TEXT NOT NULL,
    issue_id         TEXT NOT NULL REFERENCES issues(id),
    related_issue_id TEXT NOT NULL REFERENCES issues(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX issue_relations_by_issue ON issue_relations(issue_id);
CREATE INDEX issue_relations_by_related ON issue_relations(related_issue_id);

CREATE TABLE comments (
    id          TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    issue_id    TEXT NOT NULL REFERENCES issues(id),
    author_name TEXT NOT NULL,
    author_type TEXT NOT NULL,
    parent_id   TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX comments_by_issue ON comments(issue_id, created_at);

CREATE TABLE goals (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    description   TEXT,
    metric        TEXT,
    target_value  REAL,
    current_value REAL,
    unit          TEXT,
    status        TEXT NOT NULL,
    project_id    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT
);
CREATE INDEX goals_by_project ON goals(project_id);

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    status      TEXT NOT NULL,
    health      TEXT NOT NULL,
    goal_id     TEXT REFERENCES goals(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);

-- Engine admin keys: only the SHA-256 of each key is kept.
CREATE TABLE admin_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- migrate:2 signals: what arrived from the outside world, each with its triage issue
CREATE TABLE signals (
    id         TEXT PRIMARY KEY,
    source     TEXT NOT NULL,
    source_id  TEXT,
    type       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    payload    TEXT NOT NULL,
    issue_id   TEXT NOT NULL REFERENCES issues(id),
    created_at TEXT NOT NULL
);
CREATE INDEX signals_by_issue ON signals(issue_id);

-- migrate:3 prompt templates, their versions and the agents' reviews (the five default templates are seeded by the binary)
CREATE TABLE prompt_templates (
    id                TEXT PRIMARY KEY,
    slug              TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    description       TEXT,
    conditions        TEXT NOT NULL DEFAULT '{}',
    specificity       INTEGER NOT NULL DEFAULT 10,
    project_id        TEXT,
    active_version_id TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    deleted_at        TEXT
);

CREATE TABLE prompt_versions (
    id              TEXT PRIMARY KEY,
    template_id     TEXT NOT NULL REFERENCES prompt_templates(id),
    version         INTEGER NOT NULL,
    content         TEXT NOT NULL,
    changelog       TEXT,
    author_type     TEXT NOT NULL,
    author_name     TEXT NOT NULL,
    status          TEXT NOT NULL,
    usage_count     INTEGER NOT NULL DEFAULT 0,
    completion_rate REAL,
    avg_duration_ms REAL,
    review_score    REAL,
    created_at      TEXT NOT NULL,
    UNIQUE (template_id, version)
);

CREATE TABLE prompt_reviews (
    id           TEXT PRIMARY KEY,
    version_id   TEXT NOT NULL REFERENCES prompt_versions(id),
    issue_id     TEXT NOT NULL,
    clarity      INTEGER NOT NULL,
    completeness INTEGER NOT NULL,
    relevance    INTEGER NOT NULL,
    feedback     TEXT,
    author_type  TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX prompt_reviews_by_version ON prompt_reviews(version_id, created_at);

-- migrate:4 dispatch: the time-independent part of the score (see domain/dispatch.rs) indexed with age over todo issues, and claim leases
ALTER TABLE issues ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE issues ADD COLUMN goal_bonus INTEGER NOT NULL DEFAULT 0;
ALTER TABLE issues ADD COLUMN dispatch_static INTEGER NOT NULL DEFAULT 0;
ALTER TABLE issues ADD COLUMN claimed_at TEXT;
ALTER TABLE issues ADD COLUMN lease_seconds INTEGER;
ALTER TABLE issues ADD COLUMN lease_expires_at TEXT;
CREATE INDEX issues_dispatch ON issues(dispatch_static, created_ms, id) WHERE status = 'todo' AND deleted_at IS NULL;
CREATE INDEX issues_dispatch_by_project ON issues(project_id, dispatch_static, created_ms, id) WHERE status = 'todo' AND deleted_at IS NULL;
CREATE INDEX issues_leases ON issues(lease_expires_at) WHERE status = 'in_progress' AND lease_expires_at IS NOT NULL;
CREATE INDEX issue_relations_blocked_by ON issue_relations(issue_id, related_issue_id) WHERE type = 'blocked_by';

-- migrate:5 dashboard: live-issue counts by status and type kept by triggers, and indexes for the activity and completion queries
CREATE TABLE issue_counts (
    status TEXT NOT NULL,
    type   TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (status, type)
) WITHOUT ROWID;
INSERT INTO issue_counts (status, type, n)
    SELECT status, type, COUNT(*) FROM issues WHERE deleted_at IS NULL GROUP BY status, type;
CREATE TRIGGER issue_counts_insert AFTER INSERT ON issues WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO issue_counts (status, type, n) VALUES (NEW.status, NEW.type, 1)
        ON CONFLICT (status, type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_counts_update AFTER UPDATE OF status, type, deleted_at ON issues BEGIN
    UPDATE issue_counts SET n = n - 1
        WHERE OLD.deleted_at IS NULL AND status = OLD.status AND type = OLD.type;
    INSERT INTO issue_counts (status, type, n) SELECT NEW.status, NEW.type, 1 WHERE NEW.deleted_at IS NULL
        ON CONFLICT (status, type) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER issue_counts_delete AFTER DELETE ON issues WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE issue_counts SET n = n - 1 WHERE status = OLD.status AND type = OLD.type;
END;
CREATE INDEX issues_live_roots_by_update ON issues(updated_at) WHERE deleted_at IS NULL AND parent_id IS NULL;
CREATE INDEX issues_done_by_completion ON issues(completed_at) WHERE status = 'done' AND deleted_at IS NULL;
CREATE INDEX prompt_versions_by_template ON prompt_versions(template_id, version);

-- migrate:6 human review: project keys and signing secrets, review tasks, verdict hook subscriptions
-- A project's webhook signing secret is written by the binary when the project is
-- created; projects that existed before this migration get one here.
ALTER TABLE projects ADD COLUMN signing_secret TEXT;
ALTER TABLE projects ADD COLUMN default_gate_timeout_seconds INTEGER NOT NULL DEFAULT 86400;
UPDATE projects SET signing_secret = 'whsec_' || lower(hex(randomblob(32)));

-- Project API keys (`lq_…`): only the SHA-256 of the key is kept.
CREATE TABLE project_keys (
    id           TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX project_keys_by_project ON project_keys(project_id, created_at);

-- payload, card, answer and detail hold JSON text. A resolved task keeps its outcome in
-- verdict (0/1/NULL), verdict_choice, verdict_reason, detail, escalated and timed_out.
CREATE TABLE review_tasks (
    id               TEXT PRIMARY KEY,
    project_id       TEXT NOT NULL REFERENCES projects(id),
    module           TEXT NOT NULL,
    mode             TEXT NOT NULL,
    source           TEXT,
    external_id      TEXT,
    callback_url     TEXT,
    payload          TEXT NOT NULL,
    card             TEXT,
    reviews_required INTEGER NOT NULL,
    timeout_seconds  INTEGER,
    on_timeout       TEXT,
    golden           INTEGER NOT NULL DEFAULT 0,
    answer           TEXT,
    status           TEXT NOT NULL,
    verdict          INTEGER,
    verdict_choice   TEXT,
    verdict_reason   TEXT,
    detail           TEXT,
    escalated        INTEGER NOT NULL DEFAULT 0,
    timed_out        INTEGER NOT NULL DEFAULT 0,
    reviewer_id      TEXT,
    idempotency_key  TEXT,
    created_at       TEXT NOT NULL,
    expires_at       TEXT,
    reviewed_at      TEXT,
    UNIQUE (project_id, idempotency_key)
);
CREATE INDEX review_tasks_by_project ON review_tasks(project_id, created_at);
CREATE INDEX review_tasks_by_external_id ON review_tasks(project_id, external_id, created_at);
CREATE INDEX review_tasks_gate_deadlines ON review_tasks(expires_at) WHERE status = 'pending' AND expires_at IS NOT NULL;
CREATE INDEX review_tasks_resolved ON review_tasks(project_id, reviewed_at) WHERE status != 'pending';

CREATE TABLE review_hooks (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id),
    url        TEXT NOT NULL,
    event      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (project_id, url)
);

-- migrate:7 reviewers: users and their sessions, project membership, leases of tasks to reviewers, and their decisions
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    handle        TEXT NOT NULL,
    display_name  TEXT,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    deleted_at    TEXT
);
CREATE UNIQUE INDEX users_live_email ON users(email COLLATE NOCASE) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_live_handle ON users(handle COLLATE NOCASE) WHERE deleted_at IS NULL;

-- Only the SHA-256 of a session token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE project_reviewers (
    project_id TEXT NOT NULL REFERENCES projects(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;
CREATE INDEX project_reviewers_by_user ON project_reviewers(user_id, project_id);

-- A task leased to one reviewer: `leased` until decided, skipped or past its expiry.
-- `calibration` marks a resolved golden task served only to score the reviewer.
CREATE TABLE review_assignments (
    id               TEXT PRIMARY KEY,
    task_id          TEXT NOT NULL REFERENCES review_tasks(id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users(id),
    state            TEXT NOT NULL,
    calibration      INTEGER NOT NULL DEFAULT 0,
    leased_at        TEXT NOT NULL,
    lease_expires_at TEXT NOT NULL,
    ended_at         TEXT
);
CREATE INDEX review_assignments_by_task ON review_assignments(task_id, state, lease_expires_at);
CREATE INDEX review_assignments_by_user ON review_assignments(user_id, state, task_id);

-- One reviewer's decision. `counted` reviews take part in the task's consensus (a
-- calibration review after resolution does not); `golden_correct` scores golden tasks
-- (NULL: not golden, or an escalation, which abstains); `xp` and `streak` are what the
-- decision earned and the streak after it.
CREATE TABLE task_reviews (
    id             TEXT PRIMARY KEY,
    task_id        TEXT NOT NULL REFERENCES review_tasks(id) ON DELETE CASCADE,
    assignment_id  TEXT NOT NULL UNIQUE REFERENCES review_assignments(id) ON DELETE CASCADE,
    project_id     TEXT NOT NULL,
    reviewer_id    TEXT NOT NULL REFERENCES users(id),
    decision       TEXT NOT NULL,
    verdict        INTEGER,
    choice         TEXT,
    reason         TEXT,
    severity       TEXT,
    detail         TEXT,
    decision_ms    INTEGER NOT NULL,
    counted        INTEGER NOT NULL,
    golden_correct INTEGER,
    xp             INTEGER NOT NULL,
    streak         INTEGER NOT NULL,
    reviewed_at    TEXT NOT NULL,
    UNIQUE (task_id, reviewer_id)
);
CREATE INDEX task_reviews_by_reviewer ON task_reviews(reviewer_id, project_id);
CREATE INDEX review_tasks_pending_by_created ON review_tasks(created_at) WHERE status = 'pending';
CREATE INDEX review_tasks_golden_reviewed ON review_tasks(created_at) WHERE golden = 1 AND status = 'reviewed';
CREATE INDEX review_tasks_escalated ON review_tasks(reviewed_at) WHERE status = 'escalated';

-- migrate:8 issues: count priority-filtered listings along an index; index only the issues that have a project or a parent by them
CREATE INDEX issues_live_by_priority ON issues(priority, created_at) WHERE deleted_at IS NULL;
-- Every lookup by project or parent compares with a value, which implies IS NOT NULL, so
-- these indexes need no entry for the many issues without one: fewer pages to write
-- per new issue.
DROP INDEX issues_live_by_project;
CREATE INDEX issues_live_by_project ON issues(project_id, created_at) WHERE deleted_at IS NULL AND project_id IS NOT NULL;
DROP INDEX issues_live_by_parent;
CREATE INDEX issues_live_by_parent ON issues(parent_id, created_at) WHERE deleted_at IS NULL AND parent_id IS NOT NULL;

-- migrate:9 verdict delivery: an outbox of signed webhook POSTs, written with the verdict that causes them
-- `body` holds the exact bytes sent; `attempts` counts the current series (a manual
-- redelivery starts a new one); a pending delivery is due at `next_attempt_at`.
CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    project_id       TEXT NOT NULL REFERENCES projects(id),
    task_id          TEXT NOT NULL,
    url              TEXT NOT NULL,
    kind             TEXT NOT NULL,
    hook_id          TEXT,
    body             TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error       TEXT,
    next_attempt_at  TEXT,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT
);
CREATE INDEX deliveries_due ON deliveries(next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_project ON deliveries(project_id, created_at);
CREATE INDEX deliveries_by_task ON deliveries(task_id);

-- migrate:10 web app: review tasks counted by project and status, kept by triggers, for the admin's project list and the reviewers' project picker
CREATE TABLE review_task_counts (
    project_id TEXT NOT NULL,
    status     TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (project_id, status)
) WITHOUT ROWID;
INSERT INTO review_task_counts (project_id, status, n)
    SELECT project_id, status, COUNT(*) FROM review_tasks GROUP BY project_id, status;
CREATE TRIGGER review_task_counts_insert AFTER INSERT ON review_tasks BEGIN
    INSERT INTO review_task_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
        ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER review_task_counts_update AFTER UPDATE OF status ON review_tasks
    WHEN OLD.status != NEW.status BEGIN
    UPDATE review_task_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
    INSERT INTO review_task_counts (project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
        ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER review_task_counts_delete AFTER DELETE ON review_tasks BEGIN
    UPDATE review_task_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
END;

-- migrate:11 engine dashboard: full-text search over live issues (`GET /api/issues?q=`, kept in step by triggers), goal deadlines, signals by arrival
-- The index holds only live issues, keyed by `issues.number`; a soft delete removes the
-- issue, a change of title or description replaces it. Words are stemmed (porter) and
-- compared without case or accents.
CREATE VIRTUAL TABLE issues_fts USING fts5(
    title, description, tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO issues_fts (rowid, title, description)
    SELECT number, title, COALESCE(description, '') FROM issues WHERE deleted_at IS NULL;
CREATE TRIGGER issues_fts_insert AFTER INSERT ON issues WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO issues_fts (rowid, title, description)
        VALUES (NEW.number, NEW.title, COALESCE(NEW.description, ''));
END;
CREATE TRIGGER issues_fts_update AFTER UPDATE OF title, description, deleted_at ON issues BEGIN
    DELETE FROM issues_fts WHERE rowid = OLD.number;
    INSERT INTO issues_fts (rowid, title, description)
        SELECT NEW.number, NEW.title, COALESCE(NEW.description, '') WHERE NEW.deleted_at IS NULL;
END;
CREATE TRIGGER issues_fts_delete AFTER DELETE ON issues BEGIN
    DELETE FROM issues_fts WHERE rowid = OLD.number;
END;
-- Goals may have a deadline (a calendar date, `YYYY-MM-DD`).
ALTER TABLE goals ADD COLUMN deadline TEXT;
-- The signals page lists the newest first.
CREATE INDEX signals_by_created ON signals(created_at);

-- migrate:12 dispatch queue: live todo issues counted by project, kept by triggers, so the queue preview's total costs nothing per issue
CREATE TABLE todo_counts (
    project_id TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (project_id)
) WITHOUT ROWID;
-- Issues of no project count under ''.
INSERT INTO todo_counts (project_id, n)
    SELECT COALESCE(project_id, ''), COUNT(*) FROM issues WHERE status = 'todo' AND deleted_at IS NULL
    GROUP BY COALESCE(project_id, '');
CREATE TRIGGER todo_counts_insert AFTER INSERT ON issues
    WHEN NEW.status = 'todo' AND NEW.deleted_at IS NULL BEGIN
    INSERT INTO todo_counts (project_id, n) VALUES (COALESCE(NEW.project_id, ''), 1)
        ON CONFLICT (project_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER todo_counts_update AFTER UPDATE OF status, deleted_at, project_id ON issues BEGIN
    UPDATE todo_counts SET n = n - 1
        WHERE OLD.status = 'todo' AND OLD.deleted_at IS NULL AND project_id = COALESCE(OLD.project_id, '');
    INSERT INTO todo_counts (project_id, n) SELECT COALESCE(NEW.project_id, ''), 1
        WHERE NEW.status = 'todo' AND NEW.deleted_at IS NULL
        ON CONFLICT (project_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER todo_counts_delete AFTER DELETE ON issues
    WHEN OLD.status = 'todo' AND OLD.deleted_at IS NULL BEGIN
    UPDATE todo_counts SET n = n - 1 WHERE project_id = COALESCE(OLD.project_id, '');
END;

-- migrate:13 reviewer quality: decoy and golden rates, the decoy seed, the cards drawn for each reviewer, decoys, the audit chain and reviewers' scores
-- Rates are parts per million (50000 = 1 card in 20). The decoy seed keys the hash that
-- decides which cards are probes (docs/reviewer-quality.md): a project gets a random
-- one when it is created (the trigger) or, for projects older than this migration, here.
ALTER TABLE projects ADD COLUMN decoy_rate_ppm INTEGER NOT NULL DEFAULT 50000;
ALTER TABLE projects ADD COLUMN golden_rate_ppm INTEGER NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN decoy_seed TEXT NOT NULL DEFAULT '';
UPDATE projects SET decoy_seed = lower(hex(randomblob(32)));
CREATE TRIGGER projects_decoy_seed AFTER INSERT ON projects WHEN NEW.decoy_seed = '' BEGIN
    UPDATE projects SET decoy_seed = lower(hex(randomblob(32))) WHERE rowid = NEW.rowid;
END;

-- How many cards each reviewer has been dealt in each project: the next card is number
-- `next_seq` (from 0), the input of its draw.
CREATE TABLE reviewer_draws (
    project_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    next_seq   INTEGER NOT NULL,
    PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;

-- The draw a lease was dealt by (NULL for leases made before draws existed).
ALTER TABLE review_assignments ADD COLUMN draw_seq INTEGER;
ALTER TABLE review_assignments ADD COLUMN decoy_rate_ppm INTEGER;
ALTER TABLE review_assignments ADD COLUMN probe INTEGER;

-- A decoy: a copy of a recent real card with one planted error, dealt to one reviewer
-- and leased like a task. It is never a review task, so nothing that reads tasks can
-- see it. `card` and `view` are what the reviewer is shown; `planted` describes the
-- change (JSON); the three are erased (NULL) when the source task is deleted.
CREATE TABLE decoys (
    id               TEXT PRIMARY KEY,
    assignment_id    TEXT NOT NULL UNIQUE,
    project_id       TEXT NOT NULL REFERENCES projects(id),
    user_id          TEXT NOT NULL REFERENCES users(id),
    draw_seq         INTEGER NOT NULL,
    decoy_rate_ppm   INTEGER NOT NULL,
    source_task_id   TEXT NOT NULL,
    module           TEXT NOT NULL,
    game             TEXT NOT NULL,
    mode             TEXT NOT NULL,
    source           TEXT,
    card             TEXT,
    view             TEXT,
    planted          TEXT,
    created_at       TEXT NOT NULL,
    deadline         TEXT,
    state            TEXT NOT NULL,
    leased_at        TEXT NOT NULL,
    lease_expires_at TEXT NOT NULL,
    ended_at         TEXT
);
CREATE INDEX decoys_by_user ON decoys(user_id, state, lease_expires_at);
CREATE INDEX decoys_by_source ON decoys(source_task_id);

-- The audit chain: one record per decision, per project, append-only. `hash` is the
-- SHA-256 of the record's canonical header, which includes `prev_hash` (the previous
-- record's hash) and `content_sha256` (the SHA-256 of `content`, the record's free text
-- and expectations as JSON); deleting a task erases `content` (stamping `erased_at`)
-- and keeps the chain whole. The canonical form is in docs/reviewer-quality.md.
CREATE TABLE audit_records (
    id             TEXT PRIMARY KEY,
    project_id     TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    at             TEXT NOT NULL,
    reviewer_id    TEXT NOT NULL,
    kind           TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    source_task_id TEXT,
    assignment_id  TEXT NOT NULL,
    decision       TEXT NOT NULL,
    verdict        INTEGER,
    golden         INTEGER NOT NULL,
    correct        INTEGER,
    xp             INTEGER NOT NULL,
    streak         INTEGER NOT NULL,
    draw_seq       INTEGER,
    decoy_rate_ppm INTEGER,
    probe          INTEGER,
    content        TEXT,
    content_sha256 TEXT NOT NULL,
    erased_at      TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    UNIQUE (project_id, seq)
);
CREATE INDEX audit_records_by_reviewer ON audit_records(project_id, reviewer_id, seq);
CREATE INDEX audit_records_by_item ON audit_records(item_id);
CREATE INDEX audit_records_by_source ON audit_records(source_task_id) WHERE source_task_id IS NOT NULL;

-- Each reviewer's totals over every project, kept with each decision (the audit chain
-- holds the same numbers record by record).
CREATE TABLE reviewer_scores (
    user_id        TEXT PRIMARY KEY,
    reviews        INTEGER NOT NULL,
    xp             INTEGER NOT NULL,
    streak         INTEGER NOT NULL,
    best_streak    INTEGER NOT NULL,
    golden_scored  INTEGER NOT NULL,
    golden_correct INTEGER NOT NULL,
    decoys_seen    INTEGER NOT NULL,
    decoys_scored  INTEGER NOT NULL,
    decoys_caught  INTEGER NOT NULL
) WITHOUT ROWID;

-- migrate:14 human sign-off: a project's sign-off policy, the review state of issues and the prompt version behind their work, and one row per review requested
-- `sign_off` is `off`, `required` or `sampled` (then `sign_off_rate`, 0..1, is the share
-- of issues that need it; see domain/sign_off.rs for which ones).
ALTER TABLE projects ADD COLUMN sign_off TEXT NOT NULL DEFAULT 'off';
ALTER TABLE projects ADD COLUMN sign_off_rate REAL;
-- `prompt_version_id`: the version dispatch rendered at the latest claim. `review_status`
-- (`pending`, `approved`, `flagged`) and `review_task_id` follow the latest review
-- requested; `review_correction` holds the fields a fixer reviewer corrected (JSON).
ALTER TABLE issues ADD COLUMN prompt_version_id TEXT;
ALTER TABLE issues ADD COLUMN review_status TEXT;
ALTER TABLE issues ADD COLUMN review_task_id TEXT;
ALTER TABLE issues ADD COLUMN review_correction TEXT;
CREATE INDEX issues_awaiting_sign_off ON issues(review_task_id) WHERE review_status = 'pending' AND deleted_at IS NULL;

-- One review an issue's work was sent to: the task, the issue, the prompt version that
-- produced the work, and (once a verdict settles it) `approved` or `flagged`.
CREATE TABLE sign_offs (
    task_id           TEXT PRIMARY KEY REFERENCES review_tasks(id) ON DELETE CASCADE,
    issue_id          TEXT NOT NULL REFERENCES issues(id),
    prompt_version_id TEXT,
    outcome           TEXT,
    requested_at      TEXT NOT NULL,
    settled_at        TEXT
) WITHOUT ROWID;
CREATE INDEX sign_offs_by_issue ON sign_offs(issue_id);
CREATE INDEX sign_offs_settled_by_version ON sign_offs(prompt_version_id, outcome) WHERE outcome IS NOT NULL;

-- migrate:15 search index kept in batches: a write to an issue queues its number, and the index catches up off the request path
-- FTS5 writes its pending terms to disk at the end of every savepoint, and every write
-- runs in one, so indexing in the triggers made each new issue write a new index
-- segment (and merge them): a third of issue creation's cost. Now the triggers only
-- queue the issue's number; the index catches up in batches (the server's background
-- round, and any search first, so a search never misses a committed write).
CREATE TABLE issues_fts_pending (number INTEGER PRIMARY KEY);
DROP TRIGGER issues_fts_insert;
DROP TRIGGER issues_fts_update;
DROP TRIGGER issues_fts_delete;
CREATE TRIGGER issues_fts_queue_insert AFTER INSERT ON issues BEGIN
    INSERT INTO issues_fts_pending (number) VALUES (NEW.number) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER issues_fts_queue_update AFTER UPDATE OF title, description, deleted_at ON issues BEGIN
    INSERT INTO issues_fts_pending (number) VALUES (NEW.number) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER issues_fts_queue_delete AFTER DELETE ON issues BEGIN
    INSERT INTO issues_fts_pending (number) VALUES (OLD.number) ON CONFLICT DO NOTHING;
END;

-- migrate:16 the search index finds new issues past the highest number it has read, instead of a queue row for each
-- A new issue's number is above every earlier one (AUTOINCREMENT never reuses one), so
-- the index keeps the highest number it has read for new issues and finds the rest past
-- it along the table itself; only changes and deletions are still queued. One trigger
-- and one B-tree insert fewer per new issue, under the writer lock. Issues created before
-- this migration and not yet indexed stay in the queue.
CREATE TABLE issues_fts_read (
    one    INTEGER PRIMARY KEY CHECK (one = 1),
    number INTEGER NOT NULL
);
INSERT INTO issues_fts_read (one, number) SELECT 1, COALESCE(MAX(number), 0) FROM issues;
DROP TRIGGER issues_fts_queue_insert;
