-- 0001: the initial schema. Times are INTEGER Unix nanoseconds (UTC);
-- addresses are BLOBs of 4 (IPv4) or 16 (IPv6) bytes.

-- series is one endpoint seen from one location; every other table
-- refers to it by id so an address is stored once, not per row.
CREATE TABLE series (
    id       INTEGER PRIMARY KEY,
    addr     BLOB    NOT NULL,
    protocol TEXT    NOT NULL,
    port     INTEGER NOT NULL,
    location TEXT    NOT NULL,
    UNIQUE (addr, protocol, port, location)
);

CREATE TABLE observations (
    id        INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    time      INTEGER NOT NULL,
    state     TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    rtt       INTEGER NOT NULL,
    service   TEXT,
    source    TEXT    NOT NULL,
    origin    TEXT    NOT NULL,
    scan_id   INTEGER NOT NULL
);
CREATE INDEX observations_series_time ON observations (series_id, time);
CREATE INDEX observations_time ON observations (time);

CREATE TABLE states (
    series_id   INTEGER PRIMARY KEY REFERENCES series(id),
    state       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    since       INTEGER NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    consecutive INTEGER NOT NULL,
    last_rtt    INTEGER NOT NULL,
    service     TEXT
);

CREATE TABLE changes (
    id        INTEGER PRIMARY KEY,
    series_id INTEGER NOT NULL REFERENCES series(id),
    time      INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    from_val  TEXT    NOT NULL,
    to_val    TEXT    NOT NULL
);
CREATE INDEX changes_series_time ON changes (series_id, time);
CREATE INDEX changes_time ON changes (time);

CREATE TABLE findings (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,
    severity  TEXT    NOT NULL,
    series_id INTEGER NOT NULL REFERENCES series(id),
    rule      TEXT    NOT NULL,
    message   TEXT    NOT NULL,
    labels    TEXT,
    opened    INTEGER NOT NULL,
    resolved  INTEGER
);
-- At most one open finding per key.
CREATE UNIQUE INDEX findings_open_key ON findings (kind, series_id, rule) WHERE resolved IS NULL;
CREATE INDEX findings_opened ON findings (opened);

CREATE TABLE scans (
    id       INTEGER PRIMARY KEY,
    job      TEXT    NOT NULL,
    started  INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    result   TEXT
);

CREATE TABLE rollup_minute (
    series_id INTEGER NOT NULL REFERENCES series(id),
    start     INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    up        INTEGER NOT NULL,
    max_rtt   INTEGER NOT NULL,
    sketch    BLOB    NOT NULL,
    PRIMARY KEY (series_id, start)
) WITHOUT ROWID;
CREATE INDEX rollup_minute_start ON rollup_minute (start);

CREATE TABLE rollup_hour (
    series_id INTEGER NOT NULL REFERENCES series(id),
    start     INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    up        INTEGER NOT NULL,
    max_rtt   INTEGER NOT NULL,
    sketch    BLOB    NOT NULL,
    PRIMARY KEY (series_id, start)
) WITHOUT ROWID;
CREATE INDEX rollup_hour_start ON rollup_hour (start);
