// The SQLite schema as an ordered list of migrations. Migration N brings a database from
// schema version N-1 to N (PRAGMA user_version); open applies the missing ones in one
// transaction. Never edit a released migration: append a new one.
#pragma once

#include <string_view>

namespace qpan::sqlite_schema {

inline constexpr std::string_view kMigrations[] = {
    // 1: org units, catalogue, data values, audit trail, import batches.
    R"sql(
CREATE TABLE org_unit (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL,
  level       TEXT NOT NULL,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL,
  parent_code TEXT NOT NULL DEFAULT '',
  valid_from  TEXT NOT NULL DEFAULT '',   -- ISO date; '' = in force before records start
  valid_until TEXT NOT NULL DEFAULT '',   -- first day no longer in force; '' = still
  search_key  TEXT NOT NULL,              -- accent- and case-folded name
  UNIQUE (code, valid_from)
);
CREATE INDEX org_unit_by_parent ON org_unit (parent_code);

-- A unit code as data values refer to it; the version is the one in force in the period.
CREATE TABLE unit_key (
  id   INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE
);

CREATE TABLE org_unit_lineage (
  old_code  TEXT NOT NULL,
  new_code  TEXT NOT NULL,
  effective TEXT NOT NULL,
  kind      TEXT NOT NULL CHECK (kind IN ('full', 'partial')),
  share     REAL CHECK (share IS NULL OR (share > 0 AND share <= 1)),
  PRIMARY KEY (old_code, new_code, effective)
) WITHOUT ROWID;

CREATE TABLE disaggregation (
  id      INTEGER PRIMARY KEY,
  code    TEXT NOT NULL UNIQUE,
  name_vi TEXT NOT NULL,
  name_en TEXT NOT NULL
);

CREATE TABLE disaggregation_option (
  id                INTEGER PRIMARY KEY,
  disaggregation_id INTEGER NOT NULL REFERENCES disaggregation (id),
  code              TEXT NOT NULL,
  name_vi           TEXT NOT NULL,
  name_en           TEXT NOT NULL,
  sort_order        INTEGER NOT NULL,
  UNIQUE (disaggregation_id, code)
);

CREATE TABLE data_element (
  id                INTEGER PRIMARY KEY,
  code              TEXT NOT NULL UNIQUE,
  name_vi           TEXT NOT NULL,
  name_en           TEXT NOT NULL,
  value_type        TEXT NOT NULL,
  aggregation       TEXT NOT NULL,
  disaggregation_id INTEGER REFERENCES disaggregation (id),
  description       TEXT NOT NULL DEFAULT ''
);

-- Names of whoever stored values, interned: a national import repeats a few names
-- millions of times.
CREATE TABLE actor (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

CREATE TABLE import_batch (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  source      TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  imported_at INTEGER NOT NULL,
  created     INTEGER NOT NULL DEFAULT 0,
  updated     INTEGER NOT NULL DEFAULT 0,
  unchanged   INTEGER NOT NULL DEFAULT 0
);

-- One row per value. The writer checks every id against the catalogue and units before it
-- writes, so the table declares no foreign keys: checking them again here would double the
-- cost of a national import. Key order (period, unit, element, option, attribute) keeps a form
-- (one unit, one period) together and makes a month's import an append.
CREATE TABLE data_value (
  period       INTEGER NOT NULL,   -- Period::key()
  unit_id      INTEGER NOT NULL,   -- unit_key.id
  element_id   INTEGER NOT NULL,   -- data_element.id
  option_id    INTEGER NOT NULL,   -- disaggregation_option.id; 0 = total
  attribute_id INTEGER NOT NULL,   -- 0 = default
  value        NOT NULL,           -- INTEGER, REAL or TEXT by the element's value type
  stored_by    INTEGER NOT NULL,   -- actor.id
  last_updated INTEGER NOT NULL,   -- Unix seconds, UTC
  comment      TEXT,
  followup     INTEGER NOT NULL DEFAULT 0,
  version      INTEGER NOT NULL DEFAULT 1,
  import_id    INTEGER,            -- import_batch.id; NULL when entered one by one
  PRIMARY KEY (period, unit_id, element_id, option_id, attribute_id)
) WITHOUT ROWID;

-- Every superseded state of a value: written when a value is updated or deleted, holding
-- what it was. With the current row it gives each value's whole history (the first state
-- is its creation) without storing every new value twice.
CREATE TABLE data_value_audit (
  id           INTEGER PRIMARY KEY,
  period       INTEGER NOT NULL,
  unit_id      INTEGER NOT NULL,
  element_id   INTEGER NOT NULL,
  option_id    INTEGER NOT NULL,
  attribute_id INTEGER NOT NULL,
  value        NOT NULL,
  stored_by    INTEGER NOT NULL,
  last_updated INTEGER NOT NULL,
  comment      TEXT,
  followup     INTEGER NOT NULL,
  version      INTEGER NOT NULL,
  import_id    INTEGER,
  action       TEXT NOT NULL CHECK (action IN ('update', 'delete')),
  changed_by   TEXT NOT NULL,
  changed_at   INTEGER NOT NULL
);
CREATE INDEX data_value_audit_by_key
  ON data_value_audit (period, unit_id, element_id, option_id, attribute_id, version);
)sql",
    // 2: packs — which pack defined an element, its subject area, and the pack's other
    // definitions (data sets, indicators, rules, evaluation sets, registries, templates)
    // kept as their JSON text.
    R"sql(
ALTER TABLE data_element ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE data_element ADD COLUMN pack TEXT;  -- NULL: imported on its own

CREATE TABLE pack (
  code        TEXT PRIMARY KEY,
  version     TEXT NOT NULL,
  name_vi     TEXT NOT NULL,
  name_en     TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  loaded_at   INTEGER NOT NULL
);

CREATE TABLE pack_definition (
  kind       TEXT NOT NULL,
  code       TEXT NOT NULL,
  pack       TEXT NOT NULL REFERENCES pack (code),
  definition TEXT NOT NULL,  -- the JSON object as written in the pack
  PRIMARY KEY (kind, code)
) WITHOUT ROWID;
)sql",
    // 3: accounts — users with one role and one org-unit scope, their sessions and API
    // tokens, and failed logins (for throttling). Secrets are kept only as hashes: argon2id
    // for passwords, BLAKE2b for session and API tokens (256 random bits each, so a fast
    // hash is enough and a copy of the database holds no live credential).
    R"sql(
CREATE TABLE user_account (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,   -- lower-case ASCII [a-z0-9._-]
  display_name  TEXT NOT NULL,          -- NFC
  role          TEXT NOT NULL,          -- commune_entry, district_reviewer, province_admin, viewer
  scope_code    TEXT NOT NULL,          -- root of the org-unit subtree the user may touch
  password_hash TEXT NOT NULL,          -- crypto_pwhash_str (argon2id)
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL
);

CREATE TABLE user_session (
  id             INTEGER PRIMARY KEY,
  token_hash     TEXT NOT NULL UNIQUE,  -- hex BLAKE2b-256 of the session token
  user_id        INTEGER NOT NULL REFERENCES user_account (id),
  created_at     INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,      -- for the idle expiry
  expires_at     INTEGER NOT NULL,      -- absolute end
  remote_address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX user_session_by_user ON user_session (user_id);
CREATE INDEX user_session_by_last_seen ON user_session (last_seen_at);

CREATE TABLE api_token (
  id           INTEGER PRIMARY KEY,
  token_hash   TEXT NOT NULL UNIQUE,    -- hex BLAKE2b-256 of the token
  user_id      INTEGER NOT NULL REFERENCES user_account (id),
  name         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER                  -- NULL while active; revoked tokens stay for the record
);
CREATE UNIQUE INDEX api_token_active_name ON api_token (user_id, name) WHERE revoked_at IS NULL;

-- One row per failed login, kept for the throttling window and lockout, then pruned.
-- `username` is what was typed (lower-cased, at most 64 bytes), known account or not.
CREATE TABLE login_failure (
  id        INTEGER PRIMARY KEY,
  username  TEXT NOT NULL,
  address   TEXT NOT NULL,
  failed_at INTEGER NOT NULL
);
CREATE INDEX login_failure_by_username ON login_failure (username, failed_at);
CREATE INDEX login_failure_by_address ON login_failure (address, failed_at);
CREATE INDEX login_failure_by_time ON login_failure (failed_at);
)sql",
    // 4: approvals — the workflow state of a data set for one unit and period (draft →
    // submitted → approved or returned → locked; qpan/workflow.h has the rules) and every
    // transition as an event. A missing row means draft. Units by unit_key, like values, so
    // a state survives a change of the unit's name or parent.
    R"sql(
CREATE TABLE approval (
  data_set   TEXT NOT NULL,      -- the pack's data set code
  unit_id    INTEGER NOT NULL REFERENCES unit_key (id),
  period     INTEGER NOT NULL,   -- Period::key()
  state      TEXT NOT NULL
             CHECK (state IN ('draft', 'submitted', 'approved', 'returned', 'locked')),
  changed_by TEXT NOT NULL,      -- username of the last transition
  changed_at INTEGER NOT NULL,   -- Unix seconds
  comment    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (data_set, unit_id, period)
) WITHOUT ROWID;
-- The workflow keeps the approved and locked keys in memory to refuse writes; it loads them
-- by state.
CREATE INDEX approval_by_state ON approval (state);

CREATE TABLE approval_event (
  id         INTEGER PRIMARY KEY,
  data_set   TEXT NOT NULL,
  unit_id    INTEGER NOT NULL REFERENCES unit_key (id),
  period     INTEGER NOT NULL,
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'return', 'lock', 'unlock')),
  actor      TEXT NOT NULL,
  at         INTEGER NOT NULL,
  comment    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX approval_event_by_key ON approval_event (data_set, period, unit_id, id);
)sql",
    // 5: accounts — a scope is a unit version: its code and the day the code is resolved at
    // (qpan/accounts.h). Accounts made before get the day they were created (UTC, the day
    // the CLI calls today).
    R"sql(
ALTER TABLE user_account ADD COLUMN scope_at TEXT NOT NULL DEFAULT '';  -- ISO date
UPDATE user_account SET scope_at = date(created_at, 'unixepoch');
)sql",
    // 6: registry records (qpan/registry_store.h) and their audit trail. Fields are a JSON
    // object of machine-form texts, as the pack's registry declares them.
    R"sql(
CREATE TABLE registry_record (
  id         INTEGER PRIMARY KEY,
  registry   TEXT NOT NULL,      -- the pack's registry code
  unit_id    INTEGER NOT NULL REFERENCES unit_key (id),  -- the owner
  fields     TEXT NOT NULL,      -- {"partner": "van_nam", "date_from": "2021-12-20", …}
  version    INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,   -- Unix seconds
  updated_by TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
-- Counting reads a unit's records of one registry; lists page by id.
CREATE INDEX registry_record_by_unit ON registry_record (registry, unit_id, id);

CREATE TABLE registry_record_audit (
  id         INTEGER PRIMARY KEY,
  record_id  INTEGER NOT NULL,   -- no foreign key: a deleted record keeps its trail
  registry   TEXT NOT NULL,
  unit_id    INTEGER NOT NULL REFERENCES unit_key (id),
  action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  fields     TEXT NOT NULL,      -- the state after the change; for a delete, the last state
  version    INTEGER NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at INTEGER NOT NULL,
  source     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX registry_record_audit_by_record ON registry_record_audit (record_id, id);
)sql",
    // 7: the change log (qpan/change_log.h). The sequence is gap-free: SQLite gives an INTEGER
    // PRIMARY KEY the largest + 1, writers take turns (BEGIN IMMEDIATE), a rolled-back entry
    // leaves no number behind, and entries are never deleted. Values keep their key in
    // columns and their states as stored; values created together (a bulk import's chunk) are
    // one entry of kind 'values', packed in `after` (store/packed_values.h); other kinds name
    // their subject and keep text.
    // change_log_start says when the log began and whether values were stored before it
    // (what was known before then cannot be told).
    R"sql(
CREATE TABLE change_log (
  seq          INTEGER PRIMARY KEY,
  at           INTEGER NOT NULL,   -- Unix milliseconds, never less than the entry before
  actor        INTEGER NOT NULL,   -- actor.id
  kind         TEXT NOT NULL,      -- value, approval, record, units, catalogue, pack, account
  period       INTEGER,            -- a value's key
  unit_id      INTEGER,
  element_id   INTEGER,
  option_id    INTEGER,
  attribute_id INTEGER,
  subject      TEXT,               -- other kinds: what changed
  before,                          -- a value as stored (NULL: none); other kinds: text
  after
);

CREATE TABLE change_log_start (
  at            INTEGER NOT NULL,  -- Unix milliseconds
  values_before INTEGER NOT NULL   -- 1 when values were stored before the log began
);
INSERT INTO change_log_start (at, values_before)
  SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), EXISTS (SELECT 1 FROM data_value);
)sql",
};

}  // namespace qpan::sqlite_schema
