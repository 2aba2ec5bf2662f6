/**
 * Demo learning signals derived from daily S&P 500 closes (pure; no I/O).
 *
 * The EC-022 demo needs forecasting-quality signals that come from real data. They
 * are derived from one yes/no question asked at every close:
 *
 *   "Will the next close move more than 2 % (up or down) from today's close?"
 *
 * (A big-move question rather than "will it close higher?": the latter scores
 * ≈ 0.25 every day whatever the regime, so no test window could tell calm from
 * crisis; big moves are rare in calm markets and cluster in a selloff, which is
 * exactly what a canonical test window should catch.)
 *
 * Notation (every window counts TRADING days, i.e. rows of the close series):
 * - `c[i]` the close of trading day i; `e[i]` = 1 when `|c[i] / c[i-1] - 1| > θ`,
 *   else 0 (θ = `moveThreshold` = 0.02).
 * - base rate at close t: `base(t)` = mean of `e[t-B+1 .. t]`, B = `baseWindow` (250).
 * - forecaster k (k in `lookbacks`: 5, 10, 20, 40, 60), issued at close t:
 *   `p_k(t) = (sum(e[t-k+1 .. t]) + m * base(t)) / (k + m)`, m = `shrinkage` (10):
 *   the trailing-k share of big-move days, shrunk toward the base rate by m pseudo-days.
 * - the climatology forecaster issues `base(t)`.
 * - A forecast issued at close t is scored at close t+1 against `e[t+1]` with the
 *   Brier score `(p - e[t+1])^2` (0 = perfect, 1 = certain and wrong).
 *
 * One {@link SignalDay} per trading day d = t+1 once every quantity is defined
 * (index d ≥ B + S, S = `scoreWindow` = 20; on the real series the first is
 * 2001-01-29). It belongs at d's close, the moment its outcome became known, so
 * nothing looks ahead:
 * - `referenceBrier`: the daily Brier of the reference forecaster (k = 20) for the
 *   forecast issued the day before (noisy; the registry averages it, AVG_7D).
 * - `referenceBrierMean` / `climatologyBrierMean`: mean Brier over the S scored
 *   days ending at d; `brierDelta` = climatology − reference (> 0: the model adds
 *   skill over the base rate).
 * - `deadCount` / `deathRatePct`: family members whose S-day mean Brier is
 *   strictly worse than climatology's, as a count and as a percentage 0–100.
 * - `tier1DeadCount` / `tier1DeathRate`: the same over the tier-1 subset
 *   (k = 5, 10: the fastest learners), as a count and a fraction 0–1.
 *
 * What the real data shows (checked by test/seed/sp500Signals.test.ts): from
 * 2019-08-26 to 2020-02-21 no close moved more than 2 %, so by 2020-01-31 the base
 * rate is 5/250 = 0.02, the reference forecaster issues 0.00667 and scores 0.0000444
 * a day. 2020-02-24 (−3.35 %) costs it 0.98671; 2020-02-25 (−3.03 %), 02-27
 * (−4.42 %), 03-02 (+4.60 %), 03-03 (−2.81 %) follow. See src/seed/ec022.ts for
 * the window built on this.
 */
import { DateTime } from 'luxon';

/** Parameters of the derivation. Every window is in trading days. */
export interface DerivationParams {
  /** A "big move": absolute close-to-close return strictly above this fraction. */
  readonly moveThreshold: number;
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
  moveThreshold: 0.02,
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
  /** Close-to-close return of that day, as a fraction (−0.0335 = −3.35 %). */
  readonly dailyReturn: number;
  /** Whether that day was a big move (the outcome scored). */
  readonly bigMove: boolean;
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
 * @returns one {@link SignalDay} per trading day with index ≥ B + S, in date
 *   order (empty when the series is shorter).
 * @throws Error when the parameters are inconsistent (a lookback outside
 *   1..baseWindow, a reference or tier-1 lookback not in the family, a window < 1,
 *   a threshold ≤ 0) or the closes are unordered or not positive.
 */
export function deriveSignals(closes: readonly DailyClose[], params: DerivationParams = DEFAULT_PARAMS): SignalDay[] {
  checkParams(params);
  checkCloses(closes);
  const { baseWindow: B, shrinkage: m, lookbacks, scoreWindow: S } = params;
  const n = closes.length;
  const ret = (i: number): number => closes[i]!.close / closes[i - 1]!.close - 1;
  const event = (i: number): number => (Math.abs(ret(i)) > params.moveThreshold ? 1 : 0);

  // eventSum[i] = e[1] + ... + e[i] (eventSum[0] = 0): a window sum is one subtraction.
  const eventSum = new Float64Array(n);
  for (let i = 1; i < n; i++) eventSum[i] = eventSum[i - 1]! + event(i);
  const share = (t: number, k: number): number => (eventSum[t]! - eventSum[t - k]!) / k;

  // The family, then climatology last; each maps an issuing close t to a probability.
  const forecasters = [...lookbacks.map((k) => (t: number) => (k * share(t, k) + m * share(t, B)) / (k + m)), (t: number) => share(t, B)];
  const climatology = lookbacks.length;
  // brier[f][i]: daily Brier of forecaster f on scored day i (B+1 .. n-1).
  const brier = forecasters.map((forecast) => {
    const daily = new Float64Array(n);
    for (let i = B + 1; i < n; i++) daily[i] = (forecast(i - 1) - event(i)) ** 2;
    return daily;
  });
  const meanBrier = (f: number, i: number): number => {
    let sum = 0;
    for (let j = i - S + 1; j <= i; j++) sum += brier[f]![j]!;
    return sum / S;
  };

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
      close: closes[i]!.close,
      dailyReturn: ret(i),
      bigMove: event(i) === 1,
      referenceForecast: forecasters[reference]!(i - 1),
      climatologyForecast: forecasters[climatology]!(i - 1),
      referenceBrier: brier[reference]![i]!,
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
 * The instant of the US equity market close: 16:00 America/New_York on `date`.
 *
 * @param date `YYYY-MM-DD`.
 * @returns a UTC ISO-8601 instant: `2020-02-24T21:00:00.000Z` (EST),
 *   `2020-03-09T20:00:00.000Z` (EDT).
 * @throws Error when `date` is not a valid `YYYY-MM-DD` calendar date.
 */
export function marketCloseInstant(date: string): string {
  const dt = DateTime.fromISO(date, { zone: 'America/New_York' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !dt.isValid) throw new Error(`invalid trading date: ${date}`);
  return dt.set({ hour: 16 }).toUTC().toISO();
}

function checkParams(p: DerivationParams): void {
  const bad = (why: string): never => {
    throw new Error(`invalid derivation parameters: ${why}`);
  };
  if (!(p.moveThreshold > 0)) bad('moveThreshold must be > 0');
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
