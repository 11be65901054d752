-- The reception log (来访接待) and the service log (legal and psychological services).
-- Keep in step with ../postgres/0015_logs.sql. `at` is when the visit or service happened
-- (unix ms), `recorded_at` when it was logged; `name`, `phone` and `person` are personal data.
CREATE TABLE reception_visits (
    id          INTEGER PRIMARY KEY,
    town_id     BIGINT NOT NULL REFERENCES org_units (id),
    at          BIGINT NOT NULL,
    place       TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    visitors    BIGINT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    phone       TEXT,
    note        TEXT NOT NULL DEFAULT '',
    received_by BIGINT NOT NULL REFERENCES users (id),
    case_id     BIGINT REFERENCES cases (id),
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX reception_visits_town_at ON reception_visits (town_id, at);
CREATE INDEX reception_visits_case ON reception_visits (case_id) WHERE case_id IS NOT NULL;

CREATE TABLE service_records (
    id          INTEGER PRIMARY KEY,
    town_id     BIGINT NOT NULL REFERENCES org_units (id),
    at          BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    person      TEXT NOT NULL DEFAULT '',
    given_by    BIGINT NOT NULL REFERENCES users (id),
    minutes     BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    case_id     BIGINT REFERENCES cases (id),
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at BIGINT NOT NULL
);
CREATE INDEX service_records_town_at ON service_records (town_id, at);
