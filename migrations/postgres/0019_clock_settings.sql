-- The administrator's default clocks per track (a track not here follows its standard rule,
-- `shared::deadline::Track::standard`). New cases take them; a case keeps the rule it started
-- with (its own clock columns). Keep in step with ../sqlite/0019_clock_settings.sql (PostgreSQL).
CREATE TABLE clock_settings (
    track      TEXT PRIMARY KEY,
    days       BIGINT NOT NULL,
    unit       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users (id)
);
