-- The case clock's suspensions and extensions, the police notice of a risky matter, and the
-- message thread between the center and the handlers.

-- While a case is suspended: since when (the open pause's first day), for the card.
ALTER TABLE cases ADD COLUMN suspended_on TEXT;
ALTER TABLE cases ADD COLUMN suspend_reason TEXT;

-- Suspensions (中止): the clock stands from `from_on` up to the day before `until_on` (the day
-- it resumed); an open one has no `until_on`.
CREATE TABLE case_pauses (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    from_on     TEXT NOT NULL,
    until_on    TEXT,
    reason_kind TEXT NOT NULL,
    reason      TEXT NOT NULL,
    by_user     BIGINT NOT NULL REFERENCES users (id),
    at          BIGINT NOT NULL,
    resumed_by  BIGINT REFERENCES users (id),
    resumed_at  BIGINT
);
CREATE INDEX case_pauses_case ON case_pauses (case_id, id);

-- Extensions (延期): asked by the handler, decided by the center lead.
CREATE TABLE case_extensions (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    days         BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    consent      BIGINT NOT NULL DEFAULT 0,
    requested_by BIGINT NOT NULL REFERENCES users (id),
    requested_at BIGINT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    decided_by   BIGINT REFERENCES users (id),
    decided_at   BIGINT,
    decision     TEXT
);
CREATE INDEX case_extensions_case ON case_extensions (case_id, id);

-- A matter at risk of turning criminal or of a group incident is reported to the police
-- station the same day (人民调解法 Art. 25); the board shows it until the station
-- acknowledges. `department_id` is NULL when the town has no police station on record.
CREATE TABLE police_notices (
    id              INTEGER PRIMARY KEY,
    case_id         BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    town_id         BIGINT NOT NULL REFERENCES org_units (id),
    department_id   BIGINT REFERENCES departments (id),
    at              BIGINT NOT NULL,
    acknowledged_by BIGINT REFERENCES users (id),
    acknowledged_at BIGINT
);
CREATE INDEX police_notices_department ON police_notices (department_id, id);

-- The station is a department kind of its own.
UPDATE departments SET kind = 'police' WHERE name LIKE '%派出所%';
