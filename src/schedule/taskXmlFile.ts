import { randomBytes } from 'node:crypto';
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes task XML the way Task Scheduler requires: UTF-16LE with a BOM, matching
 * the `encoding="UTF-16"` declaration (UTF-8 bytes under that declaration are
 * rejected as malformed).
 *
 * Atomic: writes `'\ufeff' + xml` as `utf16le` to a temporary file in the same
 * folder, then renames it over `path`; the temporary file is removed if that fails.
 *
 * @param path destination file (its folder must exist).
 * @param xml the document, e.g. from {@link buildTaskXml}, without a BOM.
 * @throws the underlying `fs` error when the folder is missing or not writable.
 */
export function writeTaskXmlFile(path: string, xml: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, '\ufeff' + xml, 'utf16le');
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file was never created or is already gone
    }
    throw err;
  }
}
