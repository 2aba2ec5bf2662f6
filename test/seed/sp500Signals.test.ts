import { beforeAll, describe, expect, it } from 'vitest';
import { loadSp500Closes, parseSp500Csv } from '../../src/seed/loadSp500.js';
import {
  DEFAULT_PARAMS,
  deriveSignals,
  marketCloseInstant,
  type DailyClose,
  type DerivationParams,
  type SignalDay,
} from '../../src/seed/sp500Signals.js';
import { buildEc022Definition } from '../../src/seed/ec022.js';

/** Consecutive fake trading dates, one per close. */
function series(closes: number[]): DailyClose[] {
  return closes.map((close, i) => ({ date: `2021-03-${String(i + 1).padStart(2, '0')}`, close }));
}

describe('deriveSignals on a hand-computed series', () => {
  // Moves: +20 %, 0, 0, −20 %, +25 %, −20 %, 0, 0 → big-move events e1..e8 = 1,0,0,1,1,1,0,0.
  const closes = series([100, 120, 120, 120, 96, 120, 96, 96, 96]);
  const params: DerivationParams = {
    moveThreshold: 0.05,
    baseWindow: 4,
    shrinkage: 2,
    lookbacks: [1, 2],
    referenceLookback: 2,
    tier1Lookbacks: [2],
    scoreWindow: 2,
  };
  // base(4..7) = 1/2, 1/2, 3/4, 3/4; p_1 = (e[t] + 2 base)/3 = 2/3, 2/3, 5/6, 1/2;
  // p_2 = (e[t-1] + e[t] + 2 base)/4 = 1/2, 3/4, 7/8, 5/8; scored against e5..e8 = 1, 1, 0, 0.
  // Daily Brier: k1 1/9, 1/9, 25/36, 1/4; k2 1/4, 1/16, 49/64, 25/64; clim 1/4, 1/4, 9/16, 9/16.
  let days: SignalDay[];
  beforeAll(() => {
    days = deriveSignals(closes, params);
  });

  it('emits one row per day from index baseWindow + scoreWindow', () => {
    expect(days.map((d) => d.date)).toEqual(['2021-03-07', '2021-03-08', '2021-03-09']);
    expect(days.map((d) => d.bigMove)).toEqual([true, false, false]);
    expect(days[0]!.dailyReturn).toBeCloseTo(-0.2, 15);
  });

  it('scores the reference forecaster issued the previous close', () => {
    expect(days.map((d) => d.referenceForecast)).toEqual([3 / 4, 7 / 8, 5 / 8]);
    expect(days.map((d) => d.climatologyForecast)).toEqual([1 / 2, 3 / 4, 3 / 4]);
    const brier = days.map((d) => d.referenceBrier);
    [1 / 16, 49 / 64, 25 / 64].forEach((want, i) => expect(brier[i]).toBeCloseTo(want, 14));
  });

  it('compares trailing mean Brier with climatology', () => {
    const expected = [
      { ref: 5 / 32, clim: 1 / 4, delta: 3 / 32 },
      { ref: 53 / 128, clim: 13 / 32, delta: -1 / 128 },
      { ref: 37 / 64, clim: 9 / 16, delta: -1 / 64 },
    ];
    expected.forEach((want, i) => {
      expect(days[i]!.referenceBrierMean).toBeCloseTo(want.ref, 14);
      expect(days[i]!.climatologyBrierMean).toBeCloseTo(want.clim, 14);
      expect(days[i]!.brierDelta).toBeCloseTo(want.delta, 14);
    });
  });

  it('counts family members worse than climatology', () => {
    // k1 means 1/9, 29/72, 17/36 beat climatology every day; k2 loses on the last two.
    expect(days.map((d) => [d.deadCount, d.deathRatePct, d.tier1DeadCount, d.tier1DeathRate])).toEqual([
      [0, 0, 0, 0],
      [1, 50, 1, 1],
      [1, 50, 1, 1],
    ]);
    expect(days[0]!.familySize).toBe(2);
    expect(days[0]!.tier1Size).toBe(1);
  });

  it('never counts a forecaster identical to climatology as dead', () => {
    const same = deriveSignals(closes, { ...params, shrinkage: 0, lookbacks: [4], referenceLookback: 4, tier1Lookbacks: [4] });
    expect(same.map((d) => d.deathRatePct)).toEqual([0, 0, 0]);
    expect(same.map((d) => d.brierDelta)).toEqual([0, 0, 0]);
  });

  it('returns nothing for a series shorter than baseWindow + scoreWindow + 1', () => {
    expect(deriveSignals(closes.slice(0, 6), params)).toEqual([]);
  });

  it('rejects inconsistent parameters and bad closes', () => {
    expect(() => deriveSignals(closes, { ...params, lookbacks: [1, 5] })).toThrow(/lookback 5 is outside 1..4/);
    expect(() => deriveSignals(closes, { ...params, referenceLookback: 3 })).toThrow(/referenceLookback 3/);
    expect(() => deriveSignals(closes, { ...params, tier1Lookbacks: [3] })).toThrow(/tier-1 lookback 3/);
    expect(() => deriveSignals(closes, { ...params, moveThreshold: 0 })).toThrow(/moveThreshold/);
    expect(() => deriveSignals([...closes].reverse(), params)).toThrow(/increasing date order/);
    expect(() => deriveSignals(series([100, 0, 100]), params)).toThrow(/not a positive number/);
  });
});

describe('marketCloseInstant', () => {
  it('is 16:00 New York, following US daylight saving', () => {
    expect(marketCloseInstant('2020-02-24')).toBe('2020-02-24T21:00:00.000Z');
    expect(marketCloseInstant('2020-03-09')).toBe('2020-03-09T20:00:00.000Z');
  });
  it('rejects a malformed date', () => {
    expect(() => marketCloseInstant('2020-02-30')).toThrow(/invalid trading date/);
    expect(() => marketCloseInstant('24.02.2020')).toThrow(/invalid trading date/);
  });
});

describe('parseSp500Csv', () => {
  it('reads the close column and names a bad line', () => {
    expect(parseSp500Csv('date,open,close\n2020-01-02,1,3257.85\n')).toEqual([{ date: '2020-01-02', close: 3257.85 }]);
    expect(() => parseSp500Csv('date,open,close\n2020-01-02,1,x\n')).toThrow(/line 2/);
    expect(() => parseSp500Csv('day,price\n')).toThrow(/no date\/close/);
  });
});

describe('the real S&P 500 series (vega-datasets sp500-2000.csv)', () => {
  let closes: DailyClose[];
  let days: SignalDay[];
  const byDate = (date: string): SignalDay => days.find((d) => d.date === date)!;
  beforeAll(async () => {
    closes = await loadSp500Closes();
    days = deriveSignals(closes);
  });

  it('holds 5105 trading days from 2000-01-03 to 2020-04-17', () => {
    expect(closes).toHaveLength(5105);
    expect(closes[0]).toEqual({ date: '2000-01-03', close: 1455.219971 });
    expect(closes.at(-1)).toEqual({ date: '2020-04-17', close: 2874.560059 });
  });

  it('derives one row per day from index 270 (2001-01-29)', () => {
    expect(days).toHaveLength(5105 - 270);
    expect(days[0]!.date).toBe('2001-01-29');
    expect(days.at(-1)!.date).toBe('2020-04-17');
  });

  it('scores the 2020-02-24 selloff as the reference forecaster saw it', () => {
    // 250 days to 2020-02-21 hold 5 moves > 2 % (2019-05-13, 06-04, 08-05, 08-14, 08-23)
    // and the last 20 none, so p = (0 + 10 · 5/250) / 30 = 1/150.
    const bigMoves = closes
      .map((c, i) => ({ date: c.date, move: i > 0 ? c.close / closes[i - 1]!.close - 1 : 0 }))
      .filter((c) => c.date > '2019-02-21' && c.date <= '2020-02-21' && Math.abs(c.move) > 0.02)
      .map((c) => c.date);
    expect(bigMoves).toEqual(['2019-05-13', '2019-06-04', '2019-08-05', '2019-08-14', '2019-08-23']);
    const day = byDate('2020-02-24');
    expect(day.dailyReturn).toBeCloseTo(3225.889893 / 3337.75 - 1, 12);
    expect(day.bigMove).toBe(true);
    expect(day.referenceForecast).toBeCloseTo(1 / 150, 12);
    expect(day.climatologyForecast).toBeCloseTo(5 / 250, 12);
    expect(day.referenceBrier).toBeCloseTo((149 / 150) ** 2, 12);
    expect(byDate('2020-02-21').referenceBrier).toBeCloseTo((1 / 150) ** 2, 12);
  });

  it('agrees with a direct per-day recomputation of the family on 2020-03-03', () => {
    const idx = closes.findIndex((c) => c.date === '2020-03-03');
    const event = (i: number): number => (Math.abs(closes[i]!.close / closes[i - 1]!.close - 1) > 0.02 ? 1 : 0);
    const count = (from: number, to: number): number => {
      let n = 0;
      for (let i = from; i <= to; i++) n += event(i);
      return n;
    };
    const forecast = (k: number | null, t: number): number => {
      const base = count(t - 249, t) / 250;
      return k === null ? base : (count(t - k + 1, t) + 10 * base) / (k + 10);
    };
    const meanBrier = (k: number | null): number => {
      let sum = 0;
      for (let i = idx - 19; i <= idx; i++) sum += (forecast(k, i - 1) - event(i)) ** 2;
      return sum / 20;
    };
    const clim = meanBrier(null);
    const dead = DEFAULT_PARAMS.lookbacks.filter((k) => meanBrier(k) > clim);
    const day = byDate('2020-03-03');
    expect(day.climatologyBrierMean).toBeCloseTo(clim, 12);
    expect(day.referenceBrierMean).toBeCloseTo(meanBrier(20), 12);
    expect(day.deathRatePct).toBe((100 * dead.length) / 5);
    expect(day.tier1DeathRate).toBe(dead.filter((k) => k <= 10).length / 2);
  });

  it('gives EC-022 a 30-day window and a baseline from the last close before it', () => {
    const def = buildEc022Definition(days);
    expect(def.start_ts).toBe('2020-02-02T23:00:00.000Z');
    expect(def.end_ts).toBe('2020-03-03T22:59:59.000Z');
    expect(def.required_days).toBe(30);
    expect(def.baseline_definition).toEqual({
      brier_score: Number(((1 / 150) ** 2).toPrecision(6)),
      context_lift: Number(byDate('2020-01-31').brierDelta.toPrecision(6)),
      lvi: byDate('2020-01-31').deathRatePct,
      tier1_death_rate: byDate('2020-01-31').tier1DeathRate,
      ios010_bridge_ready: true,
    });
  });
});
