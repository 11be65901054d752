-- Accounts and passwords: a password the administrator issued must be changed at the next
-- sign-in; the administrator's changes are kept in admin_audit (who, when, what, the changed
-- fields before and after as JSON). Keep in step with ../postgres/0017_accounts.sql.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at BIGINT;

CREATE TABLE admin_audit (
    id       INTEGER PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_audit_at ON admin_audit (at);
