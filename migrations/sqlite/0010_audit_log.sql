-- The audit log: actions on many cases at once that the per-case `access_log` cannot hold,
-- first the ledger exports (who, when, what period and filter, masked or not, how many rows).
-- `detail` is a JSON object whose shape depends on `action`.
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    town_id BIGINT NOT NULL REFERENCES org_units (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    at      BIGINT NOT NULL,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
);
CREATE INDEX audit_log_town ON audit_log (town_id, at);
