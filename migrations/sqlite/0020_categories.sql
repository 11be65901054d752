-- The administrator's categories: a category renamed for new cases, or retired (not offered
-- for new cases). A case keeps the name its category had when it was registered
-- (`cases.category_zh`, `cases.category_en`; NULL: the standard name). Keep in step with
-- ../postgres/0020_categories.sql.
CREATE TABLE category_settings (
    category   TEXT PRIMARY KEY,
    name_zh    TEXT,
    name_en    TEXT,
    retired    BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users (id)
);
ALTER TABLE cases ADD COLUMN category_zh TEXT;
ALTER TABLE cases ADD COLUMN category_en TEXT;
