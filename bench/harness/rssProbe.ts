/**
 * Preloaded into a measured child process (`node --import <this file> …`):
 * when the process exits it writes `process.resourceUsage()` (peak resident
 * set size `maxRSS` in kilobytes, CPU times in microseconds; available on
 * Linux, macOS and Windows) as JSON to the file named by `BENCH_RSS_FILE`.
 * Does nothing when that is unset.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    try {
      const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
      writeFileSync(target, JSON.stringify({ maxRSS, userCPUTime, systemCPUTime }));
    } catch {
      // the benchmark shows "n/a" for this process
    }
  });
}
