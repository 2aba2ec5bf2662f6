/**
 * A defect of a test's definition, as the fail-closed gate (src/domain/gate.ts)
 * reports it. Apart from the gate itself, so that printing defects does not
 * load the definition schemas (commands that never parse a definition start faster).
 */
import { displayTestCode } from './testCode.js';

/** One reason the fail-closed gate refuses a test: the test, the field and what is wrong. */
export interface Defect {
  testId: string;
  testCode: string;
  /** The column, JSON path or registry key at fault, e.g. `success_criteria.all[0].op`. */
  field: string;
  problem: string;
}

/**
 * `Defect` as one line: `EC-022: success_criteria.all[0].op: must be one of …`.
 * A test code that the gate refuses is shown quoted and escaped
 * (`displayTestCode`), so the line stays one readable line.
 */
export function describeDefect(defect: Defect): string {
  return `${displayTestCode(defect.testCode)}: ${defect.field}: ${defect.problem}`;
}
