/** Writes one line to stdout. */
export const out = (line = ''): void => void process.stdout.write(`${line}\n`);
/** Writes one line to stderr. */
export const err = (line: string): void => void process.stderr.write(`${line}\n`);
