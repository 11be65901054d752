-- The mediation agreement (调解协议书) of a case and what follows it.
--
-- One agreement per case: `form` is an `AgreementForm` (written, or oral as recorded by the
-- mediator). `text` is the mediator's part as JSON (`shared::agreement::AgreementText`); the
-- number, the committee and the case's parties complete the signed text, whose SHA-256 each
-- signature carries. `version` grows with every change. `voided` counts the changes that
-- voided signatures. `effective_on` is set when the last signature or the seal completes it.
-- The judicial confirmation (`confirm_*`) and the performance (`performance*`) are recorded
-- later; `confirm_reminded` and `perform_reminded` mark the supervisor's one reminder each.
CREATE TABLE agreements (
    case_id          BIGINT PRIMARY KEY REFERENCES cases (id),
    town_id          BIGINT NOT NULL REFERENCES org_units (id),
    form             TEXT NOT NULL,
    number           TEXT NOT NULL,
    committee        TEXT NOT NULL,
    text             TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    voided           BIGINT NOT NULL DEFAULT 0,
    sealed_at        BIGINT,
    sealed_by        TEXT,
    effective_on     TEXT,
    performance_due  TEXT,
    confirm_applied_on TEXT,
    confirm_court    TEXT,
    confirm_ruling   TEXT,
    confirm_ruled_on TEXT,
    confirm_reminded BIGINT NOT NULL DEFAULT 0,
    performance      TEXT,
    performance_note TEXT NOT NULL DEFAULT '',
    performance_on   TEXT,
    perform_reminded BIGINT NOT NULL DEFAULT 0,
    created_by       BIGINT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (town_id, number)
);
CREATE INDEX agreements_effective ON agreements (effective_on);

-- The numbers given per town and year (瓜调协〔2026〕12号): one row, bumped by each new
-- agreement (the row lock orders agreements drafted together).
CREATE TABLE agreement_numbers (
    town_id BIGINT NOT NULL REFERENCES org_units (id),
    year    BIGINT NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (town_id, year)
);

-- Signatures: `signer` is `party:<position>` or `mediator`; `method` a `SignMethod`;
-- `strokes` the drawn strokes as JSON (`[]` for a fingerprint taken on paper); `text_hash`
-- the SHA-256 of the signed text as the signatory saw it. A change to the text voids every
-- signature (`voided_at`); only one signature per signer is in force at a time.
CREATE TABLE agreement_signatures (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES agreements (case_id),
    signer      TEXT NOT NULL,
    name        TEXT NOT NULL,
    method      TEXT NOT NULL,
    strokes     TEXT NOT NULL,
    text_hash   TEXT NOT NULL,
    signed_at   BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    voided_at   BIGINT
);
CREATE UNIQUE INDEX agreement_signatures_in_force
    ON agreement_signatures (case_id, signer) WHERE voided_at IS NULL;

-- Follow-up visits (回访): one scheduled whenever a case closes (`due_on`: a week later, or the
-- day after the agreement's performance deadline), recorded by staff (`done_on`, `way` a
-- `FollowUpWay`, `satisfaction` a `Satisfaction`, the remaining `risks`). `reminded` marks the
-- supervisor's one reminder when it falls due.
CREATE TABLE follow_ups (
    id           INTEGER PRIMARY KEY,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    town_id      BIGINT NOT NULL REFERENCES org_units (id),
    closed_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    done_on      TEXT,
    way          TEXT,
    satisfaction TEXT,
    risks        TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT,
    recorded_at  BIGINT,
    reminded     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX follow_ups_case ON follow_ups (case_id, id);
CREATE INDEX follow_ups_due ON follow_ups (due_on) WHERE done_on IS NULL;
