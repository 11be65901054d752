-- Indexed free-text search (GET /api/cases?q=, for roles that may see parties): trigram GIN
-- indexes (pg_trgm) on the lower-cased summary, facts, request and party names, which the
-- planner uses for the list's `LOWER(column) LIKE '%…%'` — for Chinese too, as trigrams need
-- no word breaks. pg_trgm is a trusted extension: the database's owner may create it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_summary_trgm ON cases USING gin (LOWER(summary) gin_trgm_ops);
CREATE INDEX cases_facts_trgm ON cases USING gin (LOWER(facts) gin_trgm_ops);
CREATE INDEX cases_request_trgm ON cases USING gin (LOWER(request) gin_trgm_ops);
CREATE INDEX parties_name_trgm ON parties USING gin (LOWER(name) gin_trgm_ops);
