-- Alerting: the durable outbox of notifications, acknowledgements of
-- findings, and silences.

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    key          TEXT    NOT NULL UNIQUE, -- idempotency key: one notification per key, ever
    receiver     TEXT    NOT NULL,
    route        TEXT    NOT NULL,
    incident     TEXT    NOT NULL,
    event        TEXT    NOT NULL,
    payload      TEXT    NOT NULL,        -- the rendered message, JSON
    state        TEXT    NOT NULL,        -- pending, delivered, dead
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    last_error   TEXT    NOT NULL DEFAULT '',
    created      INTEGER NOT NULL,
    done         INTEGER                  -- delivered or dead at
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'pending';
CREATE INDEX outbox_created ON outbox (created);

ALTER TABLE findings ADD COLUMN acked INTEGER;
ALTER TABLE findings ADD COLUMN acked_by TEXT;

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    matchers   TEXT    NOT NULL, -- JSON [{"name","value","op"}]
    starts     INTEGER NOT NULL,
    ends       INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    created    INTEGER NOT NULL
);
CREATE INDEX silences_ends ON silences (ends);
