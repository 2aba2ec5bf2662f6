import type { BundleWrite } from '../domain/bundle.js';
import type { FinalVerdict } from '../domain/criteria.js';
import { pathInFolder } from '../domain/fileNames.js';
import type { MetricsSnapshot } from '../domain/metricsSnapshot.js';
import type {
  AlertWrite,
  EscalationState,
  EvidenceRef,
  FileWrite,
  Resolution,
  RunbookWrite,
  StateUpdate,
  TestOutcome,
} from '../domain/plan.js';
import type { TestContext } from './context.js';
import { evidenceFile, type EvidenceBody } from './evidence.js';

/** Everything one test contributes to the plan. */
export interface TestPlan {
  stateUpdate: StateUpdate | null;
  resolution: Resolution | null;
  runbook: RunbookWrite;
  alerts: AlertWrite[];
  file: FileWrite;
  /** The new revision to record; null when the evaluation is identical to the date's newest one. */
  bundle: BundleWrite | null;
  outcome: TestOutcome;
}

/** What a planner of `src/evaluate/` decided for one test; {@link assemble} turns it into writes. */
export interface Decision {
  state: EscalationState;
  escalationReasons: string[];
  escalatedSince: string | null;
  raiseCeoAction: boolean;
  progress: { daysElapsed: number; daysRemaining: number; isOverdue: boolean };
  dayNumber: number;
  verdict: FinalVerdict | 'PENDING';
  notes: string[];
  metricsSnapshot: MetricsSnapshot;
  pendingMetrics: string[];
  alerts: AlertWrite[];
  evidence: Omit<EvidenceBody, 'actions' | 'verdict' | 'progress'>;
}

/** The writes every evaluation makes, as one readable list for the evidence (`actions`). */
function actionsTaken(ctx: TestContext, d: Decision): string[] {
  const { row, snapshot } = ctx;
  const p = d.progress;
  return [
    ctx.movesLive
      ? `update canonical_test_events: days_elapsed=${p.daysElapsed}, days_remaining=${p.daysRemaining}, is_overdue=${p.isOverdue}, escalation_state=${d.state}${d.raiseCeoAction ? ', ceo_action_required=true' : ''}, last_evaluated_date=${snapshot.asOf.date}`
      : `leave canonical_test_events as it is: last_evaluated_date ${row.last_evaluated_date} is after the as-of date`,
    ...d.alerts.map((a) => `alert ${a.alertType} (${a.severity})`),
    ...(d.verdict !== 'PENDING' && ctx.movesLive ? [`resolve_test_window(${d.verdict})`] : []),
  ];
}

/** The test's runbook row of the date, pointing at the evidence the evaluation was recorded as. */
function runbookRow(ctx: TestContext, d: Decision, evidence: EvidenceRef, resolved: boolean): RunbookWrite {
  const { row, snapshot } = ctx;
  const notes = [...d.notes, ...(ctx.movesLive ? [] : [`Backfill: live state kept (last evaluated ${row.last_evaluated_date}).`])];
  return {
    testId: row.test_id,
    testCode: row.test_code,
    runDate: snapshot.asOf.date,
    runId: evidence.runId,
    dayNumber: d.dayNumber,
    requiredDays: row.required_days,
    // A RESOLVED test re-evaluated for a date before its close was ACTIVE on that date.
    status: resolved ? 'RESOLVED' : row.status === 'RESOLVED' ? 'ACTIVE' : row.status,
    escalationState: d.state,
    ceoActionRequired: d.raiseCeoAction || (ctx.movesLive && row.ceo_action_required),
    metricsSnapshot: d.metricsSnapshot,
    verdict: d.verdict,
    notes: notes.join(' '),
    evidencePath: evidence.relativePath,
    evidenceSha256: evidence.sha256,
    escalationReasons: d.escalationReasons,
    escalatedSince: d.escalatedSince,
  };
}

/**
 * Turns a decision into the test's share of the plan: the live-state update
 * (only when the date may move live state), the resolution, the runbook row,
 * the alerts, the evidence file and the console outcome.
 */
export function assemble(ctx: TestContext, d: Decision): TestPlan {
  const { row, snapshot } = ctx;
  const resolved = d.verdict !== 'PENDING';
  const progress = {
    days_elapsed: d.progress.daysElapsed,
    days_remaining: d.progress.daysRemaining,
    is_overdue: d.progress.isOverdue,
    required_days: row.required_days,
    day_number: d.dayNumber,
  };
  const { runId, file, bundle } = evidenceFile(ctx, { ...d.evidence, progress, actions: actionsTaken(ctx, d), verdict: d.verdict });
  const evidence: EvidenceRef = { runId, relativePath: pathInFolder(snapshot.evidenceDir, file.path), sha256: file.sha256 };
  return {
    stateUpdate: ctx.movesLive
      ? {
          testId: row.test_id,
          testCode: row.test_code,
          progress: d.progress,
          escalationState: d.state,
          raiseCeoAction: d.raiseCeoAction,
          lastEvaluatedDate: snapshot.asOf.date,
        }
      : null,
    resolution:
      resolved && ctx.movesLive
        ? {
            testId: row.test_id,
            testCode: row.test_code,
            verdict: d.verdict as FinalVerdict,
            asOf: snapshot.asOf.instant,
            evidence: {
              verdict: d.verdict as FinalVerdict,
              run_id: runId,
              evidence_path: evidence.relativePath,
              evidence_sha256: evidence.sha256,
            },
          }
        : null,
    runbook: runbookRow(ctx, d, evidence, resolved),
    alerts: d.alerts,
    file,
    bundle,
    outcome: {
      testCode: row.test_code,
      dayNumber: d.dayNumber,
      escalationState: d.state,
      verdict: d.verdict,
      pendingMetrics: d.pendingMetrics,
      resolved,
      liveStateUpdated: ctx.movesLive,
    },
  };
}
