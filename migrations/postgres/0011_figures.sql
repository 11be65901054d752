-- The dashboard's counts (`backend/src/db/figures.rs`) are grouped range scans of a period,
-- by registration or by closing. These indexes hold every column those queries read, so a
-- year of a town's cases is counted from the index alone, never from the table. They begin as
-- the indexes they replace did, which served the same ranges.
DROP INDEX cases_registered;
CREATE INDEX cases_received_figures ON cases
    (town_id, registered_at, kind, category, village_id, channel, handler_kind, handler_id, risk_flags);
DROP INDEX cases_closed_at;
CREATE INDEX cases_closed_figures ON cases
    (town_id, closed_at, kind, category, village_id, channel, handler_kind, handler_id,
     outcome, rating, registered_at, due_on, routed_at);
CREATE INDEX police_notices_town ON police_notices (town_id, case_id);
