-- Acknowledgements: a person's record that a test's open alerts have been
-- dealt with (`canonical-tests ack`, docs/alerts.md "Acknowledging"). One row
-- per acknowledgement: the test, when, who, an optional note and the alerts it
-- acknowledged (possibly none). Append-only by grants: the approver's role
-- (sql/roles/03_canonical_approver.sql) may only insert; nobody but an
-- administrator may update or delete a row.
CREATE TABLE IF NOT EXISTS fhq_calendar.acknowledgements (
  ack_id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  test_id          uuid NOT NULL REFERENCES fhq_calendar.canonical_test_events (test_id),
  acknowledged_at  timestamptz NOT NULL DEFAULT now(),
  acknowledged_by  text NOT NULL CHECK (btrim(acknowledged_by) <> ''),
  note             text,
  alert_ids        uuid[] NOT NULL DEFAULT '{}' CHECK (array_position(alert_ids, NULL) IS NULL)
);

CREATE INDEX IF NOT EXISTS acknowledgements_test_idx
  ON fhq_calendar.acknowledgements (test_id, acknowledged_at);

-- Who acknowledged an alert, next to when (`acknowledged_at`).
ALTER TABLE fhq_calendar.ceo_calendar_alerts ADD COLUMN IF NOT EXISTS acknowledged_by text;
