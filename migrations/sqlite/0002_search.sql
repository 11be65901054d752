-- Indexed free-text search (GET /api/cases?q=, for roles that may see parties): a case's
-- summary, facts and request, and its parties' names, in FTS5 tables with the trigram
-- tokenizer, which needs no word breaks and so works for Chinese: a query of three or more
-- characters matches any substring through the index (shorter queries fall back to LIKE,
-- bounded by the query's length limit and the search budget). Both tables index rows of
-- their content table (`content=`), kept in step by triggers.

CREATE VIRTUAL TABLE case_search USING fts5(
    summary, facts, request,
    content = 'cases', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO case_search (case_search) VALUES ('rebuild');

CREATE TRIGGER case_search_insert AFTER INSERT ON cases BEGIN
    INSERT INTO case_search (rowid, summary, facts, request)
    VALUES (new.id, new.summary, new.facts, new.request);
END;
CREATE TRIGGER case_search_delete AFTER DELETE ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, summary, facts, request)
    VALUES ('delete', old.id, old.summary, old.facts, old.request);
END;
CREATE TRIGGER case_search_update AFTER UPDATE OF summary, facts, request ON cases BEGIN
    INSERT INTO case_search (case_search, rowid, summary, facts, request)
    VALUES ('delete', old.id, old.summary, old.facts, old.request);
    INSERT INTO case_search (rowid, summary, facts, request)
    VALUES (new.id, new.summary, new.facts, new.request);
END;

CREATE VIRTUAL TABLE party_search USING fts5(
    name,
    content = 'parties', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO party_search (party_search) VALUES ('rebuild');

CREATE TRIGGER party_search_insert AFTER INSERT ON parties BEGIN
    INSERT INTO party_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER party_search_delete AFTER DELETE ON parties BEGIN
    INSERT INTO party_search (party_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER party_search_update AFTER UPDATE OF name ON parties BEGIN
    INSERT INTO party_search (party_search, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO party_search (rowid, name) VALUES (new.id, new.name);
END;
