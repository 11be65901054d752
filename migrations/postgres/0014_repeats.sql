-- Repeat matters (重复信访) (PostgreSQL). Keep in step with ../sqlite/0014_repeats.sql.
-- Each party's phone and ID number by the key they are compared by (`shared::repeats`: a
-- phone's digits; an ID number's letters and digits in capitals), indexed, so that the
-- intake's search for earlier cases with the same number is one index look-up per number.
ALTER TABLE parties ADD COLUMN phone_key TEXT;
ALTER TABLE parties ADD COLUMN id_key TEXT;
UPDATE parties SET phone_key = replace(replace(phone, '-', ''), ' ', '')
    WHERE phone IS NOT NULL AND length(replace(replace(phone, '-', ''), ' ', '')) >= 7;
UPDATE parties SET id_key = upper(replace(id_number, ' ', ''))
    WHERE id_number IS NOT NULL AND length(replace(id_number, ' ', '')) >= 8;
CREATE INDEX parties_phone_key ON parties (phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX parties_id_key ON parties (id_key) WHERE id_key IS NOT NULL;

-- The earlier case a matter repeats, as the clerk linked it.
ALTER TABLE cases ADD COLUMN repeat_of BIGINT REFERENCES cases (id);
CREATE INDEX cases_repeat_of ON cases (repeat_of) WHERE repeat_of IS NOT NULL;
