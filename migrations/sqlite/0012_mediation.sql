-- The mediation room: the center's rooms, the sessions scheduled for cases, who mediates and
-- who is invited to each, and the mediators kept out of a case (回避).
--
-- `rooms.bookings` is a counter that every scheduling bumps for all the town's rooms before it
-- checks for clashes: on PostgreSQL that row lock makes two bookings in one town wait for each
-- other, so that two people booking the same room or mediator at once cannot both succeed.
CREATE TABLE rooms (
    id       INTEGER PRIMARY KEY,
    town_id  BIGINT NOT NULL REFERENCES org_units (id),
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    active   BIGINT NOT NULL DEFAULT 1,
    bookings BIGINT NOT NULL DEFAULT 0,
    UNIQUE (town_id, name)
);

-- A session: `starts_at` and `ends_at` are local times (`YYYY-MM-DDTHH:MM:SS` text, the
-- center's time zone) so that they compare as text; `status` a `SessionStatus`, `outcome` a
-- `SessionOutcome` once ended (`legal_route` when terminated, `next_session_id` when
-- continued). The sheet filled in at the table: `started_at` (unix ms, as the tablet saw
-- it), `consent_read`, and `turns`, the record as a JSON array of speaker turns. `version`
-- grows with every change to the sheet or the status: a stale save gets 409.
CREATE TABLE mediation_sessions (
    id              INTEGER PRIMARY KEY,
    case_id         BIGINT NOT NULL REFERENCES cases (id),
    town_id         BIGINT NOT NULL REFERENCES org_units (id),
    room_id         BIGINT NOT NULL REFERENCES rooms (id),
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    minutes         BIGINT NOT NULL,
    status          TEXT NOT NULL,
    outcome         TEXT,
    legal_route     TEXT,
    next_session_id BIGINT,
    end_note        TEXT NOT NULL DEFAULT '',
    consent_read    BIGINT NOT NULL DEFAULT 0,
    started_at      BIGINT,
    ended_at        BIGINT,
    turns           TEXT NOT NULL DEFAULT '[]',
    created_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX mediation_sessions_case ON mediation_sessions (case_id, starts_at);
CREATE INDEX mediation_sessions_town ON mediation_sessions (town_id, starts_at);
CREATE INDEX mediation_sessions_room ON mediation_sessions (room_id, starts_at);

CREATE TABLE session_mediators (
    session_id BIGINT NOT NULL REFERENCES mediation_sessions (id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_mediators_user ON session_mediators (user_id);

-- The parties invited, by their position in the case's parties, and their check-in
-- (an `Attendance`; `represented_by` names who came for them).
CREATE TABLE session_parties (
    session_id     BIGINT NOT NULL REFERENCES mediation_sessions (id),
    position       BIGINT NOT NULL,
    attendance     TEXT NOT NULL DEFAULT 'pending',
    represented_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, position)
);

-- 回避: a mediator who may not mediate the case (a party's relative, or otherwise not
-- impartial), with the reason.
CREATE TABLE case_exclusions (
    case_id     BIGINT NOT NULL REFERENCES cases (id),
    user_id     BIGINT NOT NULL REFERENCES users (id),
    reason      TEXT NOT NULL,
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);
