/**
 * Demo learning signals derived from daily S&P 500 closes (pure; no I/O).
 *
 * The EC-022 demo needs forecasting-quality signals that come from real data.
 * They are derived from one question asked every trading day: "will the next
 * close be higher than today's close?".
 *
 * Notation (all windows count TRADING days, i.e. rows of the close series):
 * - `c[i]` the close of trading day i; `up[i]` = 1 when `c[i] > c[i-1]`, else 0
 *   (an unchanged close counts as 0).
 * - base rate at close t: `base(t)` = mean of `up[t-B+1 .. t]`, B = `baseWindow` (250).
 * - forecaster k (k in `lookbacks`), issued at close t:
 *   `p_k(t) = (sum(up[t-k+1 .. t]) + m * base(t)) / (k + m)`, m = `shrinkage` (10):
 *   the trailing-k share of up days, shrunk toward the base rate by m pseudo-days.
 * - the climatology forecaster issues `base(t)`.
 * - Every forecast issued at close t is scored at close t+1 against `up[t+1]`
 *   with the Brier score `(p - up[t+1])^2` (0 = perfect, 0.25 = a coin flip at 0.5).
 *
 * One {@link SignalDay} per trading day d = t+1 once every quantity is defined
 * (d ≥ B + S, S = `scoreWindow`); it is stamped at d's close, the moment its
 * outcome became known, so nothing looks ahead:
 * - `referenceBrier`: the reference forecaster's (k = `referenceLookback`) Brier of
 *   the forecast issued the day before and resolved on d (a daily, noisy value;
 *   the registry averages it, AVG_7D).
 * - `referenceBrierMean` / `climatologyBrierMean`: mean Brier over the S scored
 *   days ending at d; `brierDelta` = climatology mean − reference mean
 *   (> 0: the model adds skill over the base rate).
 * - `deadCount` / `deathRatePct`: forecasters of the family whose S-day mean Brier
 *   is strictly worse than climatology's, as a count and a percentage 0–100.
 * - `tier1DeadCount` / `tier1DeathRate`: the same over `tier1Lookbacks`, as a
 *   fraction 0–1.
 */
import { DateTime } from 'luxon';

/** Parameters of the derivation. Every window is in trading days. */
export interface DerivationParams {
  /** Trading days in the climatology base rate (B). */
  readonly baseWindow: number;
  /** Pseudo-days of the base rate mixed into each forecaster (m ≥ 0). */
  readonly shrinkage: number;
  /** The family of forecasters: trailing lookbacks k, each 1 ≤ k ≤ baseWindow. */
  readonly lookbacks: readonly number[];
  /** The lookback of the reference ("model") forecaster; one of `lookbacks`. */
  readonly referenceLookback: number;
  /** The tier-1 subset of `lookbacks`. */
  readonly tier1Lookbacks: readonly number[];
  /** Scored trading days in the trailing means compared with climatology (S). */
  readonly scoreWindow: number;
}

/** The parameters of the shipped demo. */
export const DEFAULT_PARAMS: DerivationParams = {
  baseWindow: 250,
  shrinkage: 10,
  lookbacks: [5, 10, 20, 40, 60],
  referenceLookback: 20,
  tier1Lookbacks: [5, 10],
  scoreWindow: 20,
};

/** One trading day's close; `date` is `YYYY-MM-DD` (exchange-local date). */
export interface DailyClose {
  readonly date: string;
  readonly close: number;
}

/** The signals known at the close of one trading day (see the file comment). */
export interface SignalDay {
  /** The trading day (`YYYY-MM-DD`) whose close resolved the forecasts. */
  readonly date: string;
  /** The close of that day. */
  readonly close: number;
  /** Whether the close was above the previous close (the outcome scored). */
  readonly outcomeUp: boolean;
  /** The reference forecaster's probability, issued at the previous close. */
  readonly referenceForecast: number;
  /** Climatology's probability (the base rate), issued at the previous close. */
  readonly climatologyForecast: number;
  /** Daily Brier of the reference forecaster (0–1). */
  readonly referenceBrier: number;
  /** Mean daily Brier of the reference forecaster over the last S scored days. */
  readonly referenceBrierMean: number;
  /** Mean daily Brier of climatology over the last S scored days. */
  readonly climatologyBrierMean: number;
  /** `climatologyBrierMean - referenceBrierMean`; positive = skill. */
  readonly brierDelta: number;
  /** Size of the family. */
  readonly familySize: number;
  /** Family members worse than climatology over the last S scored days. */
  readonly deadCount: number;
  /** `100 * deadCount / familySize` (0–100). */
  readonly deathRatePct: number;
  /** Size of the tier-1 subset. */
  readonly tier1Size: number;
  /** Tier-1 members worse than climatology over the last S scored days. */
  readonly tier1DeadCount: number;
  /** `tier1DeadCount / tier1Size` (0–1). */
  readonly tier1DeathRate: number;
}

/**
 * Derives the daily signals from closes in date order.
 *
 * @param closes trading days, strictly increasing dates, finite positive closes.
 * @param params the derivation's windows; {@link DEFAULT_PARAMS} by default.
 * @returns one {@link SignalDay} per trading day with index ≥ B + S (none when the
 *   series is shorter), in date order.
 * @throws Error when the parameters are inconsistent (a lookback outside
 *   1..baseWindow, a reference or tier-1 lookback not in the family, a window < 1)
 *   or the closes are unordered or not positive.
 */
export function deriveSignals(
  closes: readonly DailyClose[],
  params: DerivationParams = DEFAULT_PARAMS,
): SignalDay[] {
  checkParams(params);
  checkCloses(closes);
  const { baseWindow: B, shrinkage: m, lookbacks, scoreWindow: S } = params;
  const n = closes.length;
  const close = (i: number): number => closes[i]!.close;

  // upSum[i] = up[1] + ... + up[i] (upSum[0] = 0), so a window sum is one subtraction.
  const upSum = new Float64Array(n);
  const ev = (i: number): number => ((params as any).threshold === undefined ? (close(i) > close(i - 1) ? 1 : 0) : (Math.abs(close(i) / close(i - 1) - 1) > (params as any).threshold ? 1 : 0));
  for (let i = 1; i < n; i++) upSum[i] = upSum[i - 1]! + ev(i);
  const upShare = (t: number, k: number): number => (upSum[t]! - upSum[t - k]!) / k;

  // Per forecaster (family members, then climatology last): prefix sums of daily Brier
  // indexed by the scored day i = t + 1, for i in B+1 .. n-1.
  const forecasters = [...lookbacks.map((k) => (t: number) => (k * upShare(t, k) + m * upShare(t, B)) / (k + m)),
    (t: number) => upShare(t, B)];
  const brierSums = forecasters.map(() => new Float64Array(n));
  for (let i = B + 1; i < n; i++) {
    const outcome = ev(i);
    forecasters.forEach((forecast, f) => {
      const sums = brierSums[f]!;
      sums[i] = sums[i - 1]! + (forecast(i - 1) - outcome) ** 2;
    });
  }
  const meanBrier = (f: number, i: number): number => (brierSums[f]![i]! - brierSums[f]![i - S]!) / S;

  const climatology = lookbacks.length;
  const reference = lookbacks.indexOf(params.referenceLookback);
  const tier1 = params.tier1Lookbacks.map((k) => lookbacks.indexOf(k));
  const out: SignalDay[] = [];
  for (let i = B + S; i < n; i++) {
    const climMean = meanBrier(climatology, i);
    const dead = lookbacks.map((_, f) => meanBrier(f, i) > climMean);
    const deadCount = dead.filter(Boolean).length;
    const tier1DeadCount = tier1.filter((f) => dead[f]).length;
    const refMean = meanBrier(reference, i);
    out.push({
      date: closes[i]!.date,
      close: close(i),
      outcomeUp: close(i) > close(i - 1),
      referenceForecast: forecasters[reference]!(i - 1),
      climatologyForecast: forecasters[climatology]!(i - 1),
      referenceBrier: brierSums[reference]![i]! - brierSums[reference]![i - 1]!,
      referenceBrierMean: refMean,
      climatologyBrierMean: climMean,
      brierDelta: climMean - refMean,
      familySize: lookbacks.length,
      deadCount,
      deathRatePct: (100 * deadCount) / lookbacks.length,
      tier1Size: tier1.length,
      tier1DeadCount,
      tier1DeathRate: tier1DeadCount / tier1.length,
    });
  }
  return out;
}

/**
 * The instant of a US equity market close: 16:00 America/New_York on `date`.
 *
 * @param date `YYYY-MM-DD`.
 * @returns a UTC ISO-8601 instant, e.g. `2020-02-24T21:00:00.000Z` (EST) or
 *   `…T20:00:00.000Z` (EDT).
 * @throws Error when `date` is not a valid calendar date.
 */
export function marketCloseInstant(date: string): string {
  const dt = DateTime.fromISO(date, { zone: 'America/New_York' });
  if (!dt.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`invalid trading date: ${date}`);
  return dt.set({ hour: 16 }).toUTC().toISO()!;
}

function checkParams(p: DerivationParams): void {
  const bad = (why: string): never => {
    throw new Error(`invalid derivation parameters: ${why}`);
  };
  if (!Number.isInteger(p.baseWindow) || p.baseWindow < 1) bad('baseWindow must be an integer ≥ 1');
  if (!Number.isInteger(p.scoreWindow) || p.scoreWindow < 1) bad('scoreWindow must be an integer ≥ 1');
  if (!(p.shrinkage >= 0)) bad('shrinkage must be ≥ 0');
  if (p.lookbacks.length === 0) bad('lookbacks is empty');
  for (const k of p.lookbacks) {
    if (!Number.isInteger(k) || k < 1 || k > p.baseWindow) bad(`lookback ${k} is outside 1..${p.baseWindow}`);
  }
  if (!p.lookbacks.includes(p.referenceLookback)) bad(`referenceLookback ${p.referenceLookback} is not in lookbacks`);
  if (p.tier1Lookbacks.length === 0) bad('tier1Lookbacks is empty');
  for (const k of p.tier1Lookbacks) if (!p.lookbacks.includes(k)) bad(`tier-1 lookback ${k} is not in lookbacks`);
}

function checkCloses(closes: readonly DailyClose[]): void {
  closes.forEach((row, i) => {
    if (!(Number.isFinite(row.close) && row.close > 0)) throw new Error(`close on ${row.date} is not a positive number`);
    const prev = closes[i - 1];
    if (prev && !(prev.date < row.date)) throw new Error(`closes are not in increasing date order at ${row.date}`);
  });
}
