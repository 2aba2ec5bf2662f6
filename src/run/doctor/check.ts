/** Each check of `doctor`, in the order they are printed. */
export type DoctorCheckName =
  | 'settings'
  | 'connection'
  | 'server_version'
  | 'migrations'
  | 'run_privileges'
  | 'registry_sources'
  | 'reports_folder'
  | 'evidence_folder'
  | 'logs_folder'
  | 'zone_and_run_time';

/** One line of `doctor`: `SKIP` when a check could not run because an earlier one failed. */
export interface DoctorCheck {
  check: DoctorCheckName;
  status: 'OK' | 'FAIL' | 'SKIP';
  message: string;
  /** What to do; null for an OK line. */
  action: string | null;
}

/** What `canonical-tests doctor` reports (`doctor --json` prints it). */
export interface DoctorReport {
  /** Every check OK (a skipped check counts as not OK). */
  ok: boolean;
  checks: DoctorCheck[];
}

/** An OK line. */
export const ok = (check: DoctorCheckName, message: string): DoctorCheck => ({ check, status: 'OK', message, action: null });
/** A FAIL line with what to do. */
export const fail = (check: DoctorCheckName, message: string, action: string): DoctorCheck => ({ check, status: 'FAIL', message, action });
/** A SKIP line: the check could not run, for `why`. */
export const skip = (check: DoctorCheckName, why: string): DoctorCheck => ({
  check,
  status: 'SKIP',
  message: `skipped: ${why}`,
  action: null,
});
/** The message of a thrown value. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
