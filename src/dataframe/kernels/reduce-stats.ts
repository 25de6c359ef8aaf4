/**
 * Column statistics as mergeable partial states, for tree reductions (chunk → combine →
 * aggregate). One pass over a partition's typed array gives count, a compensated sum
 * (Neumaier), min and max; a second pass (only when std/var are wanted) gives the sum of
 * squared deviations from the chunk mean. Partials merge with Chan et al.'s formula, so
 * the result does not depend on how rows were partitioned beyond rounding (≈1e-15
 * relative for sums, see the tests' tolerances).
 *
 * Missing values (null, NaN) are skipped, as danfo's reductions do.
 */
import { isValid, type NumView } from "./reduce-access.js";

/** Mergeable statistics of one column. */
export interface Stats {
  /** Non-missing values. */
  n: number;
  /** Compensated sum: `sum + comp` is the sum. */
  sum: number;
  comp: number;
  min: number;
  max: number;
  /** Sum of squared deviations from the mean (NaN when not computed). */
  m2: number;
}

/** Statistics of no values. */
export function emptyStats(): Stats {
  return { n: 0, sum: 0, comp: 0, min: NaN, max: NaN, m2: 0 };
}

/** Neumaier's compensated addition of `x` to `(sum, comp)`; returns the new pair. */
function twoAdd(sum: number, comp: number, x: number): [number, number] {
  const t = sum + x;
  if (Math.abs(sum) >= Math.abs(x)) comp += (sum - t) + x;
  else comp += (x - t) + sum;
  return [t, comp];
}

/**
 * Statistics of a numeric view (NaN and null skipped).
 * @param moments also compute `m2` (a second pass)
 */
export function statsOf(v: NumView, moments: boolean): Stats {
  const vals = v.values;
  const len = v.length;
  let n = 0, sum = 0, comp = 0, min = Infinity, max = -Infinity;
  const allValid = v.valid === null;
  for (let i = 0; i < len; i++) {
    const x = vals[i]!;
    if (x !== x || (!allValid && !isValid(v, i))) continue;
    n++;
    const t = sum + x;
    if (Math.abs(sum) >= Math.abs(x)) comp += (sum - t) + x;
    else comp += (x - t) + sum;
    sum = t;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return emptyStats();
  let m2 = NaN;
  if (moments) {
    const mean = (sum + comp) / n;
    let ss = 0, s1 = 0;
    for (let i = 0; i < len; i++) {
      const x = vals[i]!;
      if (x !== x || (!allValid && !isValid(v, i))) continue;
      const d = x - mean;
      ss += d * d;
      s1 += d;
    }
    m2 = Math.max(0, ss - (s1 * s1) / n);
  }
  return { n, sum, comp, min, max, m2 };
}

/** Merges two partials (Chan et al. for m2). */
export function mergeStats(a: Stats, b: Stats): Stats {
  if (a.n === 0) return { ...b };
  if (b.n === 0) return { ...a };
  const n = a.n + b.n;
  const [sum, c0] = twoAdd(a.sum, a.comp, b.sum);
  const comp = c0 + b.comp;
  const ma = (a.sum + a.comp) / a.n;
  const mb = (b.sum + b.comp) / b.n;
  const delta = mb - ma;
  const m2 = a.m2 + b.m2 + (delta * delta * a.n * b.n) / n;
  return { n, sum, comp, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), m2 };
}

/** Merges many partials in order. */
export function mergeAllStats(parts: readonly Stats[]): Stats {
  let acc = emptyStats();
  for (const p of parts) acc = mergeStats(acc, p);
  return acc;
}

/** The statistics a reduction returns. */
export type StatName = "sum" | "mean" | "min" | "max" | "count" | "std" | "var";

/**
 * The final value of a statistic. Empty: sum 0, count 0, the others NaN. One value:
 * var and std are 0 (danfo uses mathjs, whose unbiased variance of one value is 0;
 * pandas gives NaN).
 */
export function finishStat(s: Stats, op: StatName): number {
  switch (op) {
    case "count": return s.n;
    case "sum": return s.sum + s.comp;
    case "mean": return s.n === 0 ? NaN : (s.sum + s.comp) / s.n;
    case "min": return s.n === 0 ? NaN : s.min;
    case "max": return s.n === 0 ? NaN : s.max;
    case "var": return s.n === 0 ? NaN : s.n === 1 ? 0 : s.m2 / (s.n - 1);
    case "std": return s.n === 0 ? NaN : s.n === 1 ? 0 : Math.sqrt(s.m2 / (s.n - 1));
  }
}
