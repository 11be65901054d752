-- The resident's rating of a closed case's result (满意度): given once, through the public
-- look-up; `rated_at` (milliseconds) dates it for the center's satisfaction figures.
ALTER TABLE cases ADD COLUMN rating TEXT;
ALTER TABLE cases ADD COLUMN rating_comment TEXT;
ALTER TABLE cases ADD COLUMN rated_at BIGINT;
CREATE INDEX cases_closed_at ON cases (town_id, closed_at);
