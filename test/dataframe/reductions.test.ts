/**
 * Reductions computed chunked (random partitionings, random tree fan-in) equal danfo's
 * on the whole frame.
 *
 * Tolerances: sums are compensated here and naive (left to right) in danfo, so sums and
 * means may differ by rounding: |got - danfo| <= 1e-12 * sum(|x|) (for means, divided by
 * n). Variance and std are merged with Chan's formula here and two-pass in mathjs:
 * relative 1e-9 against the larger of the two plus 1e-12 * mean(x²). Everything else
 * (count, min, max, median, mode, nUnique, unique, valueCounts, head, tail) is exact.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { columnValues, frameAndPartitions, partitionsArb, toDanfo, type ColumnKind } from "./helpers/frames.js";
import { expectValuesEqual } from "./helpers/assert-eq.js";

afterAll(() => shutdownPools());

const SYNC = { scheduler: "sync", progress: false } as const;
const STATS = ["sum", "mean", "min", "max", "count", "std", "var", "median"] as const;
type Stat = (typeof STATS)[number];

/** A Series spec: kind, values, partition lengths and a tree fan-in. */
function seriesArb(kinds: readonly ColumnKind[], options: { nulls?: boolean; nan?: boolean } = {}) {
  return fc.record({ kind: fc.constantFrom(...kinds), n: fc.integer({ min: 0, max: 30 }), splitEvery: fc.integer({ min: 2, max: 4 }) })
    .chain(({ kind, n, splitEvery }) => fc.record({
      kind: fc.constant(kind),
      values: columnValues(kind, n, options),
      lengths: partitionsArb(n),
      splitEvery: fc.constant(splitEvery),
    }));
}

/** A one-column danfo frame (empty frames need explicit columns in danfo). */
function oneColumn(kind: ColumnKind, values: unknown[]): dfd.DataFrame {
  return toDanfo({ names: ["x"], kinds: [kind], columns: [values], nrows: values.length });
}

/** mathjs (danfo's median) compares numbers with a tolerance (relative 1e-12, absolute 2.2e-16), so its order of nearly equal values is arbitrary. */
function expectMedianClose(got: readonly unknown[], expected: readonly unknown[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  got.forEach((g, i) => {
    const a = g as number, b = expected[i] as number;
    if (Number.isNaN(b)) { expect(a, what).toBeNaN(); return; }
    expect(Math.abs(a - b), `${what} at ${i}: got ${a}, danfo ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(a), Math.abs(b)) + 2.3e-16);
  });
}

/** danfo's row-wise values; danfo's min/max throw on a row without values, which gives NaN here (documented). */
function danfoPerRow(d: dfd.DataFrame, op: "sum" | "mean" | "min" | "max" | "count"): unknown[] {
  try {
    return (d[op]().values as unknown[]).map((v) => (v === undefined ? NaN : v));
  } catch {
    return (d.values as unknown[][]).map((row) => {
      const xs = numbers(row);
      return xs.length === 0 ? (op === "count" || op === "sum" ? 0 : NaN) : new dfd.Series(xs)[op]();
    });
  }
}

function numbers(values: readonly unknown[]): number[] {
  return values.filter((v) => v !== null && v !== undefined && !(typeof v === "number" && Number.isNaN(v))).map(Number);
}

/** danfo's value, or NaN where danfo gives undefined or throws on no values (documented difference). */
function danfoOr(f: () => unknown): unknown {
  try {
    const v = f();
    return v === undefined ? NaN : v;
  } catch {
    return NaN;
  }
}

const MIN_NORMAL = 2.2250738585072014e-308;

function expectClose(op: Stat, got: unknown, expected: unknown, xs: readonly number[], what: string): void {
  if (op === "median") { expectMedianClose([got], [expected], what); return; }
  if (typeof expected === "boolean" || typeof got === "boolean" || op === "count" || op === "min" || op === "max") {
    expect(got, what).toEqual(expected);
    return;
  }
  const a = got as number, b = expected as number;
  if (Number.isNaN(b)) { expect(a, what).toBeNaN(); return; }
  const absSum = xs.reduce((s, x) => s + Math.abs(x), 0);
  const sq = xs.reduce((s, x) => s + x * x, 0) / Math.max(1, xs.length);
  const tol = op === "sum" ? 1e-12 * absSum : op === "mean" ? (1e-12 * absSum) / Math.max(1, xs.length)
    : 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12 * (op === "std" ? Math.sqrt(sq) : sq)
      // squares below the smallest normal double underflow (to subnormals) in any summation
      // order, so var is only determined to about n × 2^-1022 and std to its square root
      + (op === "std" ? Math.sqrt(xs.length * MIN_NORMAL) : xs.length * MIN_NORMAL);
  expect(Math.abs(a - b), `${what}: got ${a}, danfo ${b}`).toBeLessThanOrEqual(tol);
}

describe("Series reductions", () => {
  test.prop([seriesArb(["int32", "float64", "boolean"])], { numRuns: 40 })(
    "sum mean min max count std var median equal danfo's", async ({ kind, values, lengths, splitEvery }) => {
      const d = values.length === 0 ? new dfd.Series([0]) : oneColumn(kind, values).column("x");
      const s = fromDanfo(oneColumn(kind, values), { lengths }).column("x");
      for (const op of STATS) {
        const got = await s[op]({ splitEvery }).compute(SYNC);
        const expected = values.length === 0 ? (op === "sum" || op === "count" ? 0 : NaN) : danfoOr(() => (d as unknown as Record<string, () => unknown>)[op]!());
        expectClose(op, got, expected, numbers(values), `${op} of ${kind} ${JSON.stringify(values)} in [${lengths}]`);
      }
    });

  test.prop([seriesArb(["int32", "float64", "boolean"], { nan: true })], { numRuns: 40 })(
    "mode equals danfo's (all modes, in mathjs's order)", async ({ kind, values, lengths, splitEvery }) => {
      const s = fromDanfo(oneColumn(kind, values), { lengths }).column("x");
      const got = await s.mode({ splitEvery }).compute(SYNC);
      const expected = values.length === 0 ? NaN : danfoOr(() => oneColumn(kind, values).column("x").mode());
      if (typeof expected === "number" && Number.isNaN(expected)) expect(got).toEqual([]);
      else expect(unsignZero(got)).toEqual(unsignZero(expected)); // 0 and -0 are one value; which sign mathjs keeps is its own business
    });

  test.prop([seriesArb(["int32", "float64", "string", "boolean"])], { numRuns: 50 })(
    "nUnique, unique and count equal danfo's (null and NaN are values for nUnique/unique)", async ({ kind, values, lengths, splitEvery }) => {
      const s = fromDanfo(oneColumn(kind, values), { lengths }).column("x");
      const d = values.length === 0 ? new dfd.Series([0]) : oneColumn(kind, values).column("x");
      expect(await s.nUnique({ splitEvery }).compute(SYNC)).toBe(values.length === 0 ? 0 : d.nUnique());
      expect(await s.count({ splitEvery }).compute(SYNC)).toBe(values.length === 0 ? 0 : d.count());
      const u = await s.unique({ splitEvery }).compute(SYNC);
      expectValuesEqual(u.values as unknown[], values.length === 0 ? [] : d.unique().values as unknown[], 0, "unique");
    });

  test.prop([seriesArb(["int32", "string", "boolean"])], { numRuns: 50 })(
    "valueCounts equals danfo's counts, labels and order", async ({ kind, values, lengths, splitEvery }) => {
      const s = fromDanfo(oneColumn(kind, values), { lengths }).column("x");
      const got = await s.valueCounts({ splitEvery }).compute(SYNC);
      if (values.length === 0) { expect(got.values).toEqual([]); return; }
      const expected = oneColumn(kind, values).column("x").valueCounts();
      expect(got.values).toEqual(expected.values);
      expect(got.index.map(String)).toEqual(expected.index.map(String));
    });

  test.prop([seriesArb(["float64"])], { numRuns: 30 })(
    "valueCounts of floats counts each value once, in first-appearance order (danfo cannot: it parseInts labels)", async ({ values, lengths }) => {
      const s = fromDanfo(oneColumn("float64", values), { lengths }).column("x");
      const got = await s.valueCounts().compute(SYNC);
      const ref = new Map<string, number>();
      for (const v of values) ref.set(String(v), (ref.get(String(v)) ?? 0) + 1);
      const keys = Object.keys(Object.fromEntries([...ref].map(([k], i) => [k, i])));
      expect(got.index.map(String)).toEqual(keys);
      expect(got.values).toEqual(keys.map((k) => ref.get(k)));
    });

  vtest("a string Series refuses numeric reductions at graph-building time, naming the fix", () => {
    const s = fromDanfo(new dfd.DataFrame({ s: ["a", "b"] })).column("s");
    expect(() => s.sum()).toThrow(ValidationError);
    expect(() => s.mean()).toThrow(/mean is not supported for Series "s" \(string\).*asType/);
  });
});

describe("DataFrame reductions", () => {
  const numericFrames = frameAndPartitions({ kinds: ["int32", "float64", "boolean", "float64"] });

  test.prop([numericFrames, fc.integer({ min: 2, max: 4 })], { numRuns: 25 })(
    "{ axis: 0 } equals danfo's per-column Series (index = column names)", async ({ frame, lengths }, splitEvery) => {
      const d = toDanfo(frame);
      const df = fromDanfo(d, { lengths });
      for (const op of STATS) {
        const got = await df[op]({ axis: 0, splitEvery }).compute(SYNC);
        expect(got.index).toEqual(frame.names);
        frame.names.forEach((name, j) => {
          const expected = danfoOr(() => (d.column(name) as unknown as Record<string, () => unknown>)[op]!());
          const g = got.values[j];
          const e = typeof expected === "boolean" ? Number(expected) : expected;
          expectClose(op, g, e, numbers(frame.columns[j]!), `${op} of column ${name}`);
        });
      }
    });

  test.prop([frameAndPartitions({ kinds: ["int32", "float64", "float64"] })], { numRuns: 30 })(
    "danfo's default axis 1 reduces each row (sum mean min max count), per partition", async ({ frame, lengths }) => {
      const d = toDanfo(frame);
      const df = fromDanfo(d, { lengths });
      for (const op of ["sum", "mean", "min", "max", "count"] as const) {
        const got = await df[op]().compute(SYNC);
        const expected = frame.nrows === 0 ? [] : danfoPerRow(d, op);
        expectValuesEqual(got.values as unknown[], expected, 1e-12, `${op} per row`);
      }
    });

  test.prop([frameAndPartitions({ kinds: ["int32", "float64", "float64"], nulls: false, nan: false, minRows: 1 })], { numRuns: 25 })(
    "axis 1 std var median mode equal danfo's", async ({ frame, lengths }) => {
      const d = toDanfo(frame);
      const df = fromDanfo(d, { lengths });
      for (const op of ["std", "var", "median", "mode"] as const) {
        const got = await (df as unknown as Record<string, () => { compute(o: object): Promise<dfd.Series> }>)[op]!().compute(SYNC);
        if (op === "median") expectMedianClose(got.values as unknown[], d[op]().values as unknown[], "median per row");
        else expectValuesEqual(got.values as unknown[], d[op]().values as unknown[], 1e-9, `${op} per row`);
      }
    });

  test.prop([frameAndPartitions()], { numRuns: 30 })("count({ axis: 0 }), nUnique(0) and nUnique(1) include string columns, as danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    expect((await df.count({ axis: 0 }).compute(SYNC)).values).toEqual(frame.nrows === 0 ? frame.names.map(() => 0) : d.count({ axis: 0 }).values);
    const nu = await (df.nUnique(0) as { compute(o: object): Promise<dfd.Series> }).compute(SYNC);
    expect(nu.values).toEqual(frame.nrows === 0 ? frame.names.map(() => 0) : d.nUnique(0).values);
    const perRow = await (df.nUnique() as { compute(o: object): Promise<dfd.Series> }).compute(SYNC);
    expect(perRow.values).toEqual(frame.nrows === 0 ? [] : d.nUnique(1).values);
  });

  test.prop([frameAndPartitions({ kinds: ["int32", "float64", "boolean"], nulls: false, nan: false, minRows: 1 })], { numRuns: 25 })(
    "describe equals danfo's (count mean std min median max variance)", async ({ frame, lengths }) => {
      const d = toDanfo(frame);
      const got = await fromDanfo(d, { lengths }).describe().compute(SYNC);
      const expected = d.describe();
      expect(got.index).toEqual(expected.index);
      expect(got.columns).toEqual(expected.columns);
      got.columns.forEach((c, j) => {
        const g = got.column(c).values as number[], e = (expected.column(c).values as unknown[]).map(Number);
        const ops: Stat[] = ["count", "mean", "std", "min", "median", "max", "var"];
        ops.forEach((op, r) => expectClose(op, g[r], e[r], numbers(frame.columns[j]!), `describe ${op} of ${c}`));
      });
    });

  vtest("describe skips missing values and string columns (danfo throws on a null)", async () => {
    const d = new dfd.DataFrame({ x: [1, null, 3, NaN, 5], s: ["a", "b", null, "c", "d"] }, { dtypes: ["float32", "string"] });
    const got = await fromDanfo(d, { lengths: [2, 0, 3] }).describe().compute(SYNC);
    expect(got.columns).toEqual(["x"]);
    expect(got.column("x").values).toEqual([3, 3, 2, 1, 3, 5, 4]);
  });

  vtest("numeric reductions of a frame with string columns fail at graph-building time, listing the numeric ones", () => {
    const df = fromDanfo(new dfd.DataFrame({ fare: [1.5], vendor: ["a"], tip: [1] }));
    expect(() => df.mean({ axis: 0 })).toThrow(/mean is not supported for DataFrame column "vendor" \(string\).*df\.loc\(\{ columns: \["fare", "tip"\] \}\)\.mean/);
    expect(() => df.sum({ axis: 2 as 0 })).toThrow(/axis must be 0 or 1, got 2/);
  });
});

describe("head, tail, length, shape", () => {
  test.prop([frameAndPartitions(), fc.integer({ min: 1, max: 12 })], { numRuns: 40 })(
    "head(n) and tail(n) equal danfo's rows", async ({ frame, lengths }, n) => {
      const d = toDanfo(frame);
      const df = fromDanfo(d, { lengths });
      const h = await df.head(n, SYNC);
      const t = await df.tail(n, SYNC);
      const rows = Math.min(n, frame.nrows);
      expect(h.shape[0]).toBe(rows);
      expect(t.shape[0]).toBe(rows);
      if (frame.nrows === 0) return;
      expect(h.values).toEqual(d.head(n).values);
      expect(t.values).toEqual(d.tail(n).values);
      const s = await df.column(frame.names[0]!).head(n, SYNC);
      expect(s.values).toEqual(d.column(frame.names[0]!).head(n).values);
    });

  test.prop([frameAndPartitions()], { numRuns: 30 })("length and shape() count every row", async ({ frame, lengths }) => {
    const df = fromDanfo(toDanfo(frame), { lengths });
    expect(await df.length.compute(SYNC)).toBe(frame.nrows);
    expect(await df.shape(SYNC)).toEqual([frame.nrows, frame.names.length]);
  });

  vtest("head reads only the first partition when it has enough rows", async () => {
    const d = new dfd.DataFrame({ x: Array.from({ length: 40 }, (_, i) => i) });
    const df = fromDanfo(d, { npartitions: 8 });
    const seen: string[] = [];
    const h = await df.head(3, { scheduler: "sync", progress: (ev) => { if (ev.key) seen.push(ev.key); } });
    expect(h.column("x").values).toEqual([0, 1, 2]);
    expect(seen.filter((k) => k.startsWith("head-"))).toHaveLength(1);
  });

  vtest("head(0) is an error, as in danfo", async () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [1] }));
    await expect(df.head(0)).rejects.toThrow(/rows must be a positive integer/);
  });

  vtest("reductions run on the threads scheduler with the same results", async () => {
    const d = new dfd.DataFrame({ x: [1.5, 2, null, 4, 8, 1e-3], b: [true, false, true, true, false, true], s: ["a", "b", "a", null, "c", "a"] },
      { dtypes: ["float32", "boolean", "string"] });
    const df = fromDanfo(d, { npartitions: 3 });
    const opts = { scheduler: "threads", progress: false } as const;
    expect(await df.column("x").sum().compute(opts)).toBe(15.501);
    expect(await df.column("x").median().compute(opts)).toBe(2);
    expect(await df.column("b").mode().compute(opts)).toEqual([1]);
    expectValuesEqual((await df.loc({ columns: ["x", "b"] }).describe().compute(opts)).column("b").values as unknown[],
      d.loc({ columns: ["b"] }).describe().column("b").values as unknown[], 1e-12, "describe b");
    expect((await df.column("s").valueCounts().compute(opts)).values).toEqual([3, 1, 1, 1]);
  });
});

/** The same values with -0 read as 0 (toEqual tells them apart; a mode does not). */
function unsignZero(x: unknown): unknown {
  return Array.isArray(x) ? x.map((v) => (v === 0 ? 0 : v)) : x === 0 ? 0 : x;
}
