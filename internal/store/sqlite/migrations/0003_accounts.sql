-- Accounts for the API and dashboard: users, API tokens, browser
-- sessions, the audit log of writes, monitors created through the API,
-- and small settings. Secrets are never stored: passwords as argon2id
-- hashes (PHC strings), tokens and session ids as SHA-256 digests.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL UNIQUE,
    role                TEXT    NOT NULL,
    password_hash       TEXT    NOT NULL,
    must_change         INTEGER NOT NULL DEFAULT 0, -- the bootstrap admin's one-time password
    created             INTEGER NOT NULL,
    last_login          INTEGER,
    disabled            INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,        -- the first characters, to recognise a token
    hash       BLOB    NOT NULL UNIQUE, -- SHA-256 of the whole token
    role       TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    created    INTEGER NOT NULL,
    expires    INTEGER,                 -- NULL: never
    last_used  INTEGER,
    revoked    INTEGER
);

CREATE TABLE sessions (
    id        INTEGER PRIMARY KEY,
    hash      BLOB    NOT NULL UNIQUE, -- SHA-256 of the cookie value
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf      TEXT    NOT NULL,
    created   INTEGER NOT NULL,
    expires   INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    time    INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    object  TEXT    NOT NULL,
    detail  TEXT    NOT NULL,
    remote  TEXT    NOT NULL,
    status  INTEGER NOT NULL
);
CREATE INDEX audit_log_time ON audit_log (time);

CREATE TABLE runtime_monitors (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    spec       TEXT    NOT NULL, -- JSON of the monitor, the config file's keys
    created_by TEXT    NOT NULL,
    created    INTEGER NOT NULL
);
