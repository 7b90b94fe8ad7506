-- What the end-to-end tests' checks read in SQLite's dialect, made readable on a PostgreSQL
-- database: lib.sh's sql runs this on its own connection before the check, so qpan's
-- connections never see it. SQLite's one dynamically typed value column (PostgreSQL keeps
-- value_int, value_real and value_text; `value` here is the number, NULL for text), the
-- change log's `before` and `after` (as text), and functions SQLite has and PostgreSQL names
-- otherwise: group_concat, sums of truth values (SQLite's are 0 and 1), strftime.
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS sqlite_compat;

-- (Once qpan made the tables: a database may be queried before `qpan init`.)
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['data_value', 'data_value_audit'] LOOP
    IF to_regclass('public.' || name) IS NOT NULL THEN
      EXECUTE format('CREATE OR REPLACE VIEW sqlite_compat.%I AS SELECT t.*, '
                     'coalesce(t.value_int::numeric, t.value_real::numeric) AS value FROM public.%I t', name, name);
    END IF;
  END LOOP;
  -- The change log's state before and after, in one column each as SQLite keeps them.
  IF to_regclass('public.change_log') IS NOT NULL THEN
    CREATE OR REPLACE VIEW sqlite_compat.change_log AS
      SELECT seq, at, actor, kind, period, unit_id, element_id, option_id, attribute_id, subject,
             coalesce(before_int::text, before_real::text, before) AS before,
             coalesce(after_int::text, after_real::text, after) AS after, packed
      FROM public.change_log;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION sqlite_compat.concat_step(joined text, v anyelement, separator text) RETURNS text
  LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN v IS NULL THEN joined WHEN joined IS NULL THEN v::text ELSE joined || separator || v::text END $$;
CREATE OR REPLACE AGGREGATE sqlite_compat.group_concat(anyelement, text) (SFUNC = sqlite_compat.concat_step, STYPE = text);
CREATE OR REPLACE FUNCTION sqlite_compat.concat_comma(joined text, v anyelement) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT sqlite_compat.concat_step(joined, v, ',') $$;
CREATE OR REPLACE AGGREGATE sqlite_compat.group_concat(anyelement) (SFUNC = sqlite_compat.concat_comma, STYPE = text);

CREATE OR REPLACE FUNCTION sqlite_compat.add_truth(total bigint, v boolean) RETURNS bigint
  LANGUAGE sql IMMUTABLE AS $$ SELECT total + CASE WHEN v THEN 1 ELSE 0 END $$;
CREATE OR REPLACE AGGREGATE sqlite_compat.sum(boolean) (SFUNC = sqlite_compat.add_truth, STYPE = bigint, INITCOND = '0');

-- strftime of a Unix time as the checks write it (ISO 8601, UTC), and nothing else.
CREATE OR REPLACE FUNCTION sqlite_compat.strftime(format text, t bigint, modifier text) RETURNS text
  LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF format <> '%Y-%m-%dT%H:%M:%SZ' OR modifier <> 'unixepoch' THEN
    RAISE EXCEPTION 'sqlite_compat.strftime: only (''%%Y-%%m-%%dT%%H:%%M:%%SZ'', t, ''unixepoch''), not (%, %)', format, modifier;
  END IF;
  RETURN to_char(to_timestamp(t) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
END $$;

SET search_path = sqlite_compat, public;
