/**
 * Reads the daily S&P 500 series shipped with the `vega-datasets` package
 * (`data/sp500-2000.csv`: columns date,open,high,low,close,adjclose,volume, one row
 * per trading day from 2000-01-03 to 2020-04-17, sourced from Yahoo Finance).
 * vega-datasets is distributed under the BSD-3-Clause licence (see its
 * package.json / datapackage.json); the data is used unmodified.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DailyClose } from './sp500Signals.js';

/**
 * The absolute path of `sp500-2000.csv` inside the installed vega-datasets package.
 * (The package's `exports` map hides `package.json`, so this resolves the package
 * entry point and walks up to the folder that holds `data/`.)
 *
 * @throws Error when vega-datasets is not installed or the file is missing.
 */
export function sp500CsvPath(): string {
  const entry = createRequire(import.meta.url).resolve('vega-datasets');
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'sp500-2000.csv');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
  }
  throw new Error(`data/sp500-2000.csv not found above ${entry}`);
}

/**
 * Parses the CSV text of sp500-2000.csv into daily closes (the `close` column).
 *
 * @param text the file's content, with its header line.
 * @returns one {@link DailyClose} per data row, in file order (date ascending).
 * @throws Error naming the line when the header lacks `date`/`close`, a date is not
 *   `YYYY-MM-DD`, or a close is not a positive number.
 */
export function parseSp500Csv(text: string): DailyClose[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const dateCol = header.indexOf('date');
  const closeCol = header.indexOf('close');
  if (dateCol < 0 || closeCol < 0) throw new Error('sp500 CSV: header has no date/close column');
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const date = cells[dateCol] ?? '';
    const close = Number(cells[closeCol]);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !(close > 0)) {
      throw new Error(`sp500 CSV line ${i + 2}: bad date or close: ${line}`);
    }
    return { date, close };
  });
}

/**
 * Loads the daily S&P 500 closes from the installed vega-datasets package.
 *
 * @returns 2000-01-03 … 2020-04-17, one row per trading day, date ascending.
 * @throws Error when the file cannot be found, read or parsed.
 */
export async function loadSp500Closes(): Promise<DailyClose[]> {
  return parseSp500Csv(await readFile(sp500CsvPath(), 'utf8'));
}
