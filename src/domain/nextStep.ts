import type { FinalVerdict } from './criteria.js';

/**
 * What to do after each verdict: the RESOLUTION alert's recommended action,
 * the close's note and the runbook's decisions (docs/verdicts.md).
 */
export const NEXT_STEP: Record<FinalVerdict, string> = {
  SUCCESS: 'Promote the change: the success criteria held at the close of the window',
  FAILURE: 'Roll back the change: the failure criteria held at the close of the window',
  INCONCLUSIVE: 'Decide: extend the window, re-run the test or close it without a decision',
};
