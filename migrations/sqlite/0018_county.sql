-- One county, many towns: a case transferred from one town's center to another's (移交, the
-- matter not within the first town's jurisdiction), and a town's escalation of a case to the
-- county (上报县级) with the county's instruction (县级批示). Keep in step with
-- ../postgres/0018_county.sql.

CREATE TABLE case_transfers (
    id        INTEGER PRIMARY KEY,
    case_id   BIGINT NOT NULL REFERENCES cases (id),
    from_town BIGINT NOT NULL REFERENCES org_units (id),
    to_town   BIGINT NOT NULL REFERENCES org_units (id),
    reason    TEXT NOT NULL,
    by_user   BIGINT NOT NULL REFERENCES users (id),
    at        BIGINT NOT NULL
);
CREATE INDEX case_transfers_case ON case_transfers (case_id);

CREATE TABLE county_escalations (
    id            INTEGER PRIMARY KEY,
    case_id       BIGINT NOT NULL REFERENCES cases (id),
    town_id       BIGINT NOT NULL REFERENCES org_units (id),
    reason        TEXT NOT NULL,
    by_user       BIGINT NOT NULL REFERENCES users (id),
    at            BIGINT NOT NULL,
    instruction   TEXT,
    instructed_by BIGINT REFERENCES users (id),
    instructed_at BIGINT
);
CREATE INDEX county_escalations_case ON county_escalations (case_id, id);
-- At most one escalation of a case waits for the county at a time.
CREATE UNIQUE INDEX county_escalations_pending ON county_escalations (case_id)
    WHERE instructed_at IS NULL;
