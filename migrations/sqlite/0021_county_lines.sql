-- A county department's line (条线): the categories whose cases it reads in every town
-- (`shared::workflow::may_read`), comma-separated (`labour,consumer`). Empty for every other
-- role. Keep in step with ../postgres/0021_county_lines.sql.
ALTER TABLE users ADD COLUMN county_line TEXT NOT NULL DEFAULT '';
