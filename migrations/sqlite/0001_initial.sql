-- Concord's first schema (SQLite). Keep in step with ../postgres/0001_initial.sql.
-- Instants are unix milliseconds (UTC); dates are 'YYYY-MM-DD' text; booleans are 0/1.

-- The org tree: county → town → village → area → group. `town_id` is the town a unit belongs
-- to (the unit itself for a town, NULL for the county), so a town's subtree is one lookup.
-- `code` is a town's short letter code used in archive numbers (瓜州 → GZ).
CREATE TABLE org_units (
    id        INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES org_units (id),
    level     TEXT NOT NULL,
    name      TEXT NOT NULL,
    town_id   BIGINT REFERENCES org_units (id),
    code      TEXT
);
CREATE INDEX org_units_town ON org_units (town_id);
CREATE INDEX org_units_parent ON org_units (parent_id);

-- Departments and service rooms of a town's center that cases are routed to.
CREATE TABLE departments (
    id            INTEGER PRIMARY KEY,
    town_id       BIGINT NOT NULL REFERENCES org_units (id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    response_days BIGINT NOT NULL DEFAULT 3,
    active        BIGINT NOT NULL DEFAULT 1,
    UNIQUE (town_id, name)
);

-- User accounts. `password_hash` is an argon2id PHC string. `town_id` is NULL only for the
-- deployment's administrator, who works for no single town.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    town_id       BIGINT REFERENCES org_units (id),
    department_id BIGINT REFERENCES departments (id),
    org_unit_id   BIGINT REFERENCES org_units (id),
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL
);
CREATE INDEX users_town_role ON users (town_id, role);

-- A mediator's specialties (dispute categories).
CREATE TABLE mediator_specialties (
    user_id  BIGINT NOT NULL REFERENCES users (id),
    category TEXT NOT NULL,
    PRIMARY KEY (user_id, category)
);

-- Sessions: only the SHA-256 of the random cookie token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Failed sign-ins, for throttling (per username and address, and per address).
CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_user_ip ON login_failures (username, ip, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Cases. Lists that are small and always read whole are kept as text:
-- `risk_flags` is comma-separated wire names, `cooperating` comma-separated handler refs
-- (`mediator:3,department:5`), `applicant_last4` space-separated last four phone digits of the
-- applicants (for the public status look-up). The clock keeps the rule the case started with
-- (`clock_track`, `clock_days`, `clock_unit`), its start, pauses and extensions; `due_on` is
-- derived from them and stored for the board's sort. `version` grows by one on every change
-- (optimistic locking).
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    town_id          BIGINT NOT NULL REFERENCES org_units (id),
    kind             TEXT NOT NULL,
    category         TEXT NOT NULL,
    channel          TEXT NOT NULL,
    risk             TEXT NOT NULL,
    risk_flags       TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL,
    facts            TEXT NOT NULL DEFAULT '',
    request          TEXT NOT NULL DEFAULT '',
    village_id       BIGINT NOT NULL REFERENCES org_units (id),
    area_id          BIGINT REFERENCES org_units (id),
    group_id         BIGINT REFERENCES org_units (id),
    stage            TEXT NOT NULL,
    handler_kind     TEXT,
    handler_id       BIGINT,
    cooperating      TEXT NOT NULL DEFAULT '',
    outcome          TEXT,
    outcome_summary  TEXT,
    route_told       TEXT,
    archive_no       TEXT UNIQUE,
    retention_years  BIGINT,
    clock_track      TEXT NOT NULL,
    clock_days       BIGINT NOT NULL,
    clock_unit       TEXT NOT NULL,
    clock_started_on TEXT NOT NULL,
    paused_days      BIGINT NOT NULL DEFAULT 0,
    extension_days   BIGINT NOT NULL DEFAULT 0,
    due_on           TEXT NOT NULL,
    registered_at    BIGINT NOT NULL,
    registered_by    BIGINT NOT NULL REFERENCES users (id),
    routed_at        BIGINT,
    handling_at      BIGINT,
    closed_at        BIGINT,
    archived_at      BIGINT,
    applicant_last4  TEXT NOT NULL DEFAULT '',
    version          BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_board ON cases (town_id, stage, due_on);
CREATE INDEX cases_handler ON cases (handler_kind, handler_id, stage);
CREATE INDEX cases_registered ON cases (town_id, registered_at);

-- Parties of a case, in the order entered.
CREATE TABLE parties (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    position   BIGINT NOT NULL,
    side       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    gender     TEXT,
    ethnicity  TEXT,
    age        BIGINT,
    occupation TEXT,
    id_number  TEXT,
    phone      TEXT,
    address    TEXT
);
CREATE INDEX parties_case ON parties (case_id, position);

-- The append-only event log of a case: its timeline and audit trail. Rows are never updated
-- or deleted. The actor's name and role are copied so history reads as it happened.
-- `details` is a JSON array of [label, value] pairs.
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    at         BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL REFERENCES users (id),
    actor_name TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    kind       TEXT NOT NULL,
    from_stage TEXT,
    to_stage   TEXT,
    text       TEXT,
    details    TEXT NOT NULL DEFAULT '[]',
    is_public  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- Reads of unmasked personal data by someone who does not handle the case (PIPL audit).
CREATE TABLE access_log (
    id      INTEGER PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    at      BIGINT NOT NULL,
    what    TEXT NOT NULL
);
CREATE INDEX access_log_case ON access_log (case_id, at);

-- A counter per town that grows with every change to one of its cases; servers compare it to
-- decide whether their cached board is still current (several servers may share a database).
CREATE TABLE town_revisions (
    town_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    rev     BIGINT NOT NULL
);

-- The last archive number given per town and year (GZ-2026-0042).
CREATE TABLE archive_counters (
    town_id BIGINT NOT NULL REFERENCES org_units (id),
    year    BIGINT NOT NULL,
    last_no BIGINT NOT NULL,
    PRIMARY KEY (town_id, year)
);
