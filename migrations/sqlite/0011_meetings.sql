-- Joint meetings (联席会议): the center with its departments. `starts_at` is the local time
-- the meeting starts (`YYYY-MM-DDTHH:MM:SS` text, the center's time zone, as typed); the
-- period it reviews is two dates. `version` grows with every change (the minutes are edited
-- by one person at a time: a stale version gets 409).
CREATE TABLE meetings (
    id          INTEGER PRIMARY KEY,
    town_id     BIGINT NOT NULL REFERENCES org_units (id),
    title       TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    status      TEXT NOT NULL,
    minutes     TEXT NOT NULL DEFAULT '',
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    held_at     BIGINT,
    version     BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX meetings_town ON meetings (town_id, starts_at);

-- Who is invited: departments and people, and whether they came.
CREATE TABLE meeting_departments (
    meeting_id    BIGINT NOT NULL REFERENCES meetings (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    attended      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, department_id)
);
CREATE INDEX meeting_departments_department ON meeting_departments (department_id);
CREATE TABLE meeting_people (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    attended   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (meeting_id, user_id)
);

-- The agenda: cases, each once, with the reasons it was put there (comma-separated
-- `AgendaReason` wire names; `added` when the lead added it by hand).
CREATE TABLE meeting_items (
    id         INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    reasons    TEXT NOT NULL,
    added_by   BIGINT NOT NULL REFERENCES users (id),
    UNIQUE (meeting_id, case_id)
);

-- Decisions against an item: who (`who_kind` mediator/department, `who_id`) does what by
-- when; `urging_id` is the urging it became (NULL: a task on the timeline).
CREATE TABLE meeting_decisions (
    id         INTEGER PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    item_id    BIGINT NOT NULL REFERENCES meeting_items (id),
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    who_kind   TEXT NOT NULL,
    who_id     BIGINT NOT NULL,
    what       TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    urging_id  BIGINT REFERENCES case_urgings (id),
    decided_by BIGINT NOT NULL REFERENCES users (id),
    decided_at BIGINT NOT NULL
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions (meeting_id, id);

-- Which of the three mediations a department belongs to, for 三调对接 (people / administrative
-- / judicial; NULL: none of them, e.g. a service room).
ALTER TABLE departments ADD COLUMN mediation TEXT;
UPDATE departments SET mediation = 'judicial' WHERE name LIKE '%法庭%' OR name LIKE '%法院%';
UPDATE departments SET mediation = 'people' WHERE name LIKE '%司法所%' OR name LIKE '%调委会%';
UPDATE departments SET mediation = 'administrative'
    WHERE mediation IS NULL AND (kind = 'police' OR name LIKE '%国土%' OR name LIKE '%市场监管%'
        OR name LIKE '%自然资源%' OR name LIKE '%人社%' OR name LIKE '%劳动%');
