-- Supervision (督办): the department's response clock, the last decline shown on the board,
-- escalation steps taken (once per case and level, kept across restarts), urgings, in-app
-- notifications and the residents' SMS outbox.

-- While a case waits in Routed for its handler to accept: the last day to answer. After a
-- decline or an expired response: who declined and why (shown on the card until re-routed).
ALTER TABLE cases ADD COLUMN response_due_on TEXT;
ALTER TABLE cases ADD COLUMN returned_by TEXT;
ALTER TABLE cases ADD COLUMN return_reason TEXT;

-- The account the server acts as (timeouts, escalations): never signs in.
INSERT INTO users (username, password_hash, display_name, role, active, created_at)
VALUES ('system', '!', '系统', 'admin', 0, 0);

-- Escalation steps taken: due_soon (handler reminded), overdue (center lead), overdue_7
-- (the village's town leader). The key makes each step happen once.
CREATE TABLE case_escalations (
    case_id BIGINT NOT NULL REFERENCES cases (id),
    level   TEXT NOT NULL,
    at      BIGINT NOT NULL,
    PRIMARY KEY (case_id, level)
);

-- The lead's urgings (督办单): what, by when, and the handler's acknowledgement.
CREATE TABLE case_urgings (
    id              INTEGER PRIMARY KEY,
    case_id         BIGINT NOT NULL REFERENCES cases (id),
    by_user         BIGINT NOT NULL REFERENCES users (id),
    at              BIGINT NOT NULL,
    what            TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    acknowledged_by BIGINT REFERENCES users (id),
    acknowledged_at BIGINT
);
CREATE INDEX case_urgings_case ON case_urgings (case_id, id);

-- In-app notifications, per person.
CREATE TABLE notifications (
    id      INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    case_id BIGINT REFERENCES cases (id),
    kind    TEXT NOT NULL,
    text    TEXT NOT NULL,
    at      BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

-- Text messages for residents, for an operator's gateway to send (Concord sends nothing).
CREATE TABLE sms_outbox (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT REFERENCES cases (id),
    phone      TEXT NOT NULL,
    text       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending',
    created_at BIGINT NOT NULL,
    sent_at    BIGINT
);
CREATE INDEX sms_outbox_status ON sms_outbox (status, id);
