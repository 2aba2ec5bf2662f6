-- The record: every evaluation of a test for an as-of date ever recorded.
-- Rows are only inserted (the evaluator's role may insert and select, never
-- update or delete; sql/roles/01_canonical_evaluator.sql). Files in evidence/
-- are exports of these rows: a missing or mismatching file is rewritten from
-- here, so the staging table of files is no longer needed.
CREATE TABLE IF NOT EXISTS fhq_calendar.evidence_bundles (
  bundle_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  test_id            uuid NOT NULL REFERENCES fhq_calendar.canonical_test_events (test_id),
  run_date           date NOT NULL,
  revision           integer NOT NULL CHECK (revision >= 1),
  run_id             uuid NOT NULL,
  recorded_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Recording order: the hash chain of a test follows it, not the as-of date.
  recorded_order     bigint GENERATED ALWAYS AS IDENTITY,
  content            jsonb NOT NULL,
  -- SHA-256 of the exact file bytes: content as canonical JSON (keys sorted, 2-space indent, final newline).
  sha256             text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  -- The same test's bundle recorded just before this one; NULL for its first.
  previous_sha256    text CHECK (previous_sha256 ~ '^[0-9a-f]{64}$'),
  -- SHA-256 of the evaluation alone (content without run id and chain link): equal means nothing changed.
  evaluation_sha256  text NOT NULL CHECK (evaluation_sha256 ~ '^[0-9a-f]{64}$'),
  UNIQUE (test_id, run_date, revision),
  UNIQUE (recorded_order)
);

CREATE INDEX IF NOT EXISTS evidence_bundles_chain_idx
  ON fhq_calendar.evidence_bundles (test_id, recorded_order DESC);
CREATE INDEX IF NOT EXISTS evidence_bundles_run_date_idx
  ON fhq_calendar.evidence_bundles (run_date);

DROP TABLE IF EXISTS fhq_calendar.pending_files;

-- The halt file of a halted run, as written, so that a run killed after its
-- commit leaves the next run (or `canonical-tests export`) able to write it.
ALTER TABLE fhq_calendar.evaluator_runs ADD COLUMN IF NOT EXISTS halt_file text;
