-- The four fhq_calendar tables the evaluator reads and writes (README "What a run writes").
-- IF NOT EXISTS lets this adopt an operator database that already holds them.
CREATE SCHEMA IF NOT EXISTS fhq_calendar;

CREATE TABLE IF NOT EXISTS fhq_calendar.canonical_test_events (
  test_id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  test_code            text NOT NULL UNIQUE,
  test_name            text NOT NULL,
  status               text NOT NULL DEFAULT 'DRAFT'
                         CHECK (status IN ('DRAFT', 'ACTIVE', 'RESOLVED', 'CANCELLED')),
  start_ts             timestamptz,
  end_ts               timestamptz,
  required_days        integer,
  mid_test_checkpoint  timestamptz,
  baseline_definition  jsonb,
  target_metrics       jsonb,
  success_criteria     jsonb,
  failure_criteria     jsonb,
  escalation_path      jsonb,
  days_elapsed         integer,
  days_remaining       integer,
  is_overdue           boolean,
  escalation_state     text NOT NULL DEFAULT 'NONE'
                         CHECK (escalation_state IN ('NONE', 'ESCALATED', 'SYSTEM_ERROR')),
  ceo_action_required  boolean NOT NULL DEFAULT false,
  verdict              text NOT NULL DEFAULT 'PENDING'
                         CHECK (verdict IN ('PENDING', 'SUCCESS', 'FAILURE', 'INCONCLUSIVE')),
  resolved_at          timestamptz,
  last_evaluated_date  date,
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS canonical_test_events_active_idx
  ON fhq_calendar.canonical_test_events (start_ts) WHERE status = 'ACTIVE';

CREATE TABLE IF NOT EXISTS fhq_calendar.test_signal_registry (
  signal_key     text PRIMARY KEY,
  source_schema  text NOT NULL,
  source_table   text NOT NULL,
  source_column  text NOT NULL,
  time_column    text,
  -- Deliberately no CHECK on aggregation: an unknown one is a named gate defect
  -- (docs/registering-a-test.md) for the tests that use the key, not an insert error.
  aggregation    text NOT NULL DEFAULT 'LATEST',
  description    text,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS fhq_calendar.test_runbook_entries (
  entry_id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  test_id              uuid NOT NULL REFERENCES fhq_calendar.canonical_test_events (test_id),
  run_date             date NOT NULL,
  run_id               uuid NOT NULL,
  day_number           integer,
  required_days        integer,
  status               text NOT NULL,
  escalation_state     text NOT NULL
                         CHECK (escalation_state IN ('NONE', 'ESCALATED', 'SYSTEM_ERROR')),
  ceo_action_required  boolean NOT NULL,
  metrics_snapshot     jsonb NOT NULL DEFAULT '{}'::jsonb,
  verdict              text NOT NULL
                         CHECK (verdict IN ('PENDING', 'SUCCESS', 'FAILURE', 'INCONCLUSIVE')),
  notes                text,
  evidence_path        text,
  evidence_sha256      text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (test_id, run_date)
);

CREATE TABLE IF NOT EXISTS fhq_calendar.ceo_calendar_alerts (
  alert_id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  test_id              uuid REFERENCES fhq_calendar.canonical_test_events (test_id),
  run_date             date NOT NULL,
  severity             text NOT NULL CHECK (severity IN ('INFO', 'WARNING', 'CRITICAL')),
  alert_type           text NOT NULL,
  title                text NOT NULL,
  message              text NOT NULL,
  recommended_actions  jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at           timestamptz NOT NULL DEFAULT now(),
  acknowledged_at      timestamptz,
  -- NULLS NOT DISTINCT (PostgreSQL 15+): run-level alerts (test_id NULL) are unique per day too.
  CONSTRAINT ceo_calendar_alerts_one_per_day UNIQUE NULLS NOT DISTINCT (test_id, alert_type, run_date)
);

CREATE INDEX IF NOT EXISTS ceo_calendar_alerts_run_date_idx
  ON fhq_calendar.ceo_calendar_alerts (run_date);
