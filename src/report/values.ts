import { compare } from '../domain/criteria.js';
import { OPS, type Op, type Scalar } from '../domain/definition.js';

/** Significant digits of a value in the report (the evidence file keeps every digit). */
export const SIGNIFICANT_DIGITS = 4;
/** Most characters of a sparkline: a longer window shows its last values, after `…`. */
export const SPARKLINE_MAX = 60;
const BARS = '▁▂▃▄▅▆▇█';

/** A comparison operator of a definition, or null when it is not one of {@link OPS}. */
export function knownOp(op: unknown): Op | null {
  return typeof op === 'string' && (OPS as readonly string[]).includes(op) ? (op as Op) : null;
}

/** A finite number or a boolean, else null. */
export function scalarOf(value: unknown): Scalar | null {
  return typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) ? value : null;
}

/**
 * A finite number as plain decimal text, never in exponent form
 * (`1.235e-7` → `0.0000001235`), so tables and Mermaid read it alike.
 */
export function plainDecimal(n: number): string {
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exp] = match;
  const digits = `${lead}${fraction}`;
  const point = 1 + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/**
 * A metric value as the report shows it: booleans as `true` / `false`,
 * numbers rounded to {@link SIGNIFICANT_DIGITS} significant digits, with more
 * digits when the rounded value would compare with `target` differently from
 * the exact one (0.05000001 against `<= 0.05` shows as 0.05000001, not 0.05).
 */
export function formatValue(value: Scalar, target?: { op: Op; value: Scalar } | null): string {
  if (typeof value === 'boolean') return String(value);
  let digits = SIGNIFICANT_DIGITS;
  let rounded = Number(value.toPrecision(digits));
  if (target && typeof target.value === 'number') {
    const exact = compare(value, target.op, target.value);
    while (digits < 17 && compare(rounded, target.op, target.value) !== exact) {
      digits += 1;
      rounded = Number(value.toPrecision(digits));
    }
  }
  return plainDecimal(Object.is(rounded, -0) ? 0 : rounded);
}

/** A target or threshold as written in the definition (`<= 0.05`), every digit kept. */
export function formatTarget(op: Op, value: Scalar): string {
  return `${op} ${typeof value === 'number' ? plainDecimal(value) : String(value)}`;
}

/**
 * A sparkline of a metric's values in date order: numbers scaled from the
 * lowest (`▁`) to the highest (`█`) value of the series (all `▄` when they are
 * all equal), `true` as `█` and `false` as `▁`, a missing or pending value as
 * `·`. Longer than {@link SPARKLINE_MAX}: the last values, after `…`.
 *
 * @returns the sparkline, or null when no value is known.
 */
export function sparkline(values: readonly (Scalar | null)[]): string | null {
  const shown = values.slice(-SPARKLINE_MAX);
  const numbers = shown.filter((v): v is number => typeof v === 'number');
  if (!shown.some((v) => v !== null)) return null;
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  const bar = (v: Scalar | null) => {
    if (v === null) return '·';
    if (typeof v === 'boolean') return v ? BARS[7] : BARS[0];
    if (high === low) return BARS[3];
    return BARS[Math.round(((v - low) / (high - low)) * 7)];
  };
  return `${values.length > shown.length ? '…' : ''}${shown.map(bar).join('')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter of `zone` giving year, month, day, hour (00–23) and minute as digits, one per zone; null for an unknown zone. */
function formatterOf(zone: string): Intl.DateTimeFormat | null {
  if (formatters.has(zone)) return formatters.get(zone)!;
  let f: Intl.DateTimeFormat | null;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    f = null;
  }
  formatters.set(zone, f);
  return f;
}

const shown = new Map<string, string | null>();

/** An instant (ISO) as `YYYY-MM-DD HH:mm` in `zone`; null for null, an unreadable instant or an unknown zone. */
export function localTime(instant: string | null, zone: string): string | null {
  const key = `${zone} ${instant}`;
  if (shown.has(key)) return shown.get(key)!;
  if (shown.size > 10_000) shown.clear();
  const text = formatLocal(instant, zone);
  shown.set(key, text);
  return text;
}

function formatLocal(instant: string | null, zone: string): string | null {
  const formatter = formatterOf(zone);
  const at = instant === null ? NaN : Date.parse(instant);
  if (formatter === null || Number.isNaN(at)) return null;
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(at)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** A count with thousands separators: `2500` → `2,500`. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
