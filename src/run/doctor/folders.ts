import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, messageOf, ok, type DoctorCheck } from './check.js';

/**
 * Whether the evaluator can write in `dir`: a temporary file is created there
 * and removed. A folder that does not exist yet is judged by the nearest
 * folder above it that does (a run creates the missing ones). Leaves nothing behind.
 */
export function folderCheck(check: 'reports_folder' | 'evidence_folder' | 'logs_folder', dir: string, setting: string): DoctorCheck {
  const action = `give this account write access to it, or choose another folder with ${setting}`;
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    if (!statSync(probe).isDirectory()) {
      return fail(check, probe === dir ? `${dir} is not a folder` : `${dir} cannot be created: ${probe} is not a folder`, action);
    }
    const file = join(probe, `.canonical-tests-doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(file, 'doctor\n', { flag: 'wx' });
    rmSync(file, { force: true });
  } catch (error) {
    return fail(check, `${dir} is not writable (${messageOf(error)})`, action);
  }
  return ok(check, probe === dir ? `${dir} is writable` : `${dir} does not exist yet; the first run creates it (${probe} is writable)`);
}
