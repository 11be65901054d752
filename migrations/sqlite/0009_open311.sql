-- Open311 GeoReport v2: the client programs the administrator issued an API key to (the key
-- itself is never stored, only its SHA-256), and the requests they posted: each is a case, with
-- the opaque id and the token the protocol answers with (never the case code, which with the
-- phone's last digits opens the public look-up).
CREATE TABLE open311_clients (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    key_hint   TEXT NOT NULL,
    batch      BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    revoked_at BIGINT
);

CREATE TABLE open311_requests (
    request_id   TEXT PRIMARY KEY,
    token        TEXT NOT NULL UNIQUE,
    case_id      BIGINT NOT NULL UNIQUE REFERENCES cases (id),
    client_id    BIGINT NOT NULL REFERENCES open311_clients (id),
    requested_at BIGINT NOT NULL
);
CREATE INDEX open311_requests_at ON open311_requests (requested_at);
