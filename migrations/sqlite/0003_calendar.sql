-- The working-day calendar: public holidays and make-up working days (调休), one row per date,
-- and the years whose schedule has been entered (a year missing here is warned about, never
-- silently counted Monday to Friday). Dates are 'YYYY-MM-DD' text. The official schedules that
-- ship with Concord are inserted by the server at start for years not yet entered.
CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE calendar_years (
    year       BIGINT PRIMARY KEY,
    entered_by BIGINT,
    entered_at BIGINT NOT NULL
);
