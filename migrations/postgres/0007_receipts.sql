-- Each town's center as its receipts name it (name, address, phone), and the query code of a
-- case none of whose applicants gave a phone (the receipt prints it; the public look-up takes
-- it in place of the phone's last four digits).
CREATE TABLE centers (
    town_id BIGINT PRIMARY KEY REFERENCES org_units (id),
    name    TEXT NOT NULL,
    address TEXT NOT NULL,
    phone   TEXT NOT NULL
);
ALTER TABLE cases ADD COLUMN query_code TEXT;
