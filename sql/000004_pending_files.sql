-- Files of a run, staged in the run's own transaction and deleted once written
-- to disk. A run killed after its commit but before its files were written
-- leaves its rows here; the next run writes them first (README "Crash safety": the
-- runbook rows and the evidence their hashes name stand or fall together).
CREATE TABLE IF NOT EXISTS fhq_calendar.pending_files (
  path        text PRIMARY KEY,
  content     text NOT NULL,
  sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  run_id      uuid NOT NULL,
  staged_at   timestamptz NOT NULL DEFAULT now()
);
