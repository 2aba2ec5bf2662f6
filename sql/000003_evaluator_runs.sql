-- The run ledger: one row per evaluator run, written in its own transaction so
-- that halted and failed runs (whose work rolled back) still leave a record.
CREATE TABLE IF NOT EXISTS fhq_calendar.evaluator_runs (
  run_id            uuid PRIMARY KEY,
  as_of_date        date NOT NULL,
  mode              text NOT NULL CHECK (mode IN ('daily', 'backfill', 'dry-run', 'check')),
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  outcome           text NOT NULL DEFAULT 'RUNNING'
                      CHECK (outcome IN ('RUNNING', 'DONE', 'HALTED', 'FAILED')),
  exit_code         integer,
  tests_evaluated   integer,
  escalations       integer,
  resolutions       integer,
  alerts            integer,
  phase_ms          jsonb NOT NULL DEFAULT '{}'::jsonb,
  error             text,
  pid               integer NOT NULL DEFAULT pg_backend_pid()
);

CREATE INDEX IF NOT EXISTS evaluator_runs_mode_date_idx
  ON fhq_calendar.evaluator_runs (mode, as_of_date);
