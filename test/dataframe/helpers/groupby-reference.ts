/**
 * References for groupby tests: frames with 1-2 key columns of few distinct values
 * (duplicates across partitions), a brute-force groupby with pandas' missing-value rules,
 * and column comparisons with the tolerance of compensated vs naive sums.
 */
import { expect } from "vitest";
import { fc } from "@fast-check/vitest";
import type * as dfd from "danfojs-node";
import { partitionsArb, type ColumnKind, type FrameSpec } from "./frames.js";

export const DANFO_OPS = ["sum", "mean", "count", "min", "max", "std", "var"] as const;
export const ALL_OPS = [...DANFO_OPS, "first", "last", "nunique"] as const;
export type Op = (typeof ALL_OPS)[number];

export type KeyKind = "int" | "str" | "bool" | "float";

/**
 * Key values of a kind; with `nulls` also null (and NaN for floats); with `skew` one
 * value holds ~90% of the rows.
 */
export function keyValues(kind: KeyKind, n: number, nulls: boolean, skew = false): fc.Arbitrary<unknown[]> {
  let item: fc.Arbitrary<unknown> =
    kind === "int" ? fc.integer({ min: -2, max: 12 })
      : kind === "str" ? fc.constantFrom("a", "b", "c", "x y", "B")
        : kind === "float" ? fc.constantFrom(0.5, 1.25, -3, 7, ...(nulls ? [Number.NaN] : []))
          : fc.boolean();
  if (skew) item = fc.oneof({ weight: 9, arbitrary: fc.constant(kind === "int" ? 7 : kind === "str" ? "hot" : kind === "float" ? 0.5 : true) }, { weight: 1, arbitrary: item });
  const withNull = nulls && kind !== "bool" ? fc.option(item, { nil: null, freq: 5 }) : item;
  return fc.array(withNull, { minLength: n, maxLength: n });
}

/** A group's identity from its key cells (null, NaN and numbers apart; -0 as 0). */
export function groupKey(cells: readonly unknown[]): string {
  return JSON.stringify(cells.map((x) => (x === undefined || x === null ? null : typeof x === "number" && Number.isNaN(x) ? "\u0000NaN" : x === 0 ? 0 : x)));
}

export function valueValues(kind: "float64" | "int32", n: number, missing: boolean): fc.Arbitrary<unknown[]> {
  const base: fc.Arbitrary<unknown> = kind === "int32" ? fc.integer({ min: -100, max: 100 })
    : fc.oneof(fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -40, max: 40 }).map((x) => x / 8));
  const item = missing ? fc.oneof({ weight: 6, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) },
    { weight: kind === "float64" ? 1 : 0, arbitrary: fc.constant(Number.NaN) }) : base;
  return fc.array(item, { minLength: n, maxLength: n });
}

const KIND_OF: Record<KeyKind, ColumnKind> = { int: "int32", str: "string", bool: "boolean", float: "float64" };

/** A frame with 1-2 key columns (few distinct values: duplicates across partitions) and two value columns. */
/**
 * A frame with 1-2 key columns and two value columns (v float64, i int32), a random
 * partitioning, a tree fan-in and a splitOut; `skew` makes the first key column hold
 * one value in ~90% of the rows in about half the runs.
 */
export function groupFrameArb(options: { missing: boolean; keyKinds?: readonly KeyKind[]; minRows?: number; maxRows?: number; skew?: boolean }) {
  const keyKinds = options.keyKinds ?? (["int", "str", "bool", "float"] as const);
  return fc.record({
    n: fc.integer({ min: options.minRows ?? 0, max: options.maxRows ?? 40 }),
    keys: fc.uniqueArray(fc.constantFrom(...keyKinds), { minLength: 1, maxLength: 2 }),
    splitEvery: fc.integer({ min: 2, max: 4 }),
    splitOut: fc.integer({ min: 1, max: 4 }),
    skewed: options.skew ? fc.boolean() : fc.constant(false),
  }).chain(({ n, keys, splitEvery, splitOut, skewed }) => fc.record({
    keyCols: fc.tuple(...keys.map((k, j) => keyValues(k, n, options.missing, skewed && j === 0))),
    v: valueValues("float64", n, options.missing),
    i: valueValues("int32", n, options.missing),
    lengths: partitionsArb(n),
  }).map(({ keyCols, v, i, lengths }) => {
    const names = [...keys.map((k) => `k_${k}`), "v", "i"];
    const frame: FrameSpec = { names, kinds: [...keys.map((k) => KIND_OF[k]), "float64", "int32"], columns: [...keyCols, v, i], nrows: n };
    return { frame, keys: names.slice(0, keys.length), lengths, splitEvery, splitOut };
  }));
}

export function absSum(xs: readonly unknown[]): number {
  return xs.reduce<number>((s, x) => (typeof x === "number" && !Number.isNaN(x) ? s + Math.abs(x) : s), 0);
}

export function expectColumnClose(name: string, got: readonly unknown[], expected: readonly unknown[], scale: number): void {
  expect(got.length, name).toBe(expected.length);
  const op = name.slice(name.lastIndexOf("_") + 1);
  got.forEach((g, r) => {
    const e = expected[r];
    if (missing(e)) { expect(missing(g), `${name} row ${r}: got ${g}, expected no value`).toBe(true); return; }
    if (typeof e !== "number" || typeof g !== "number" || ["count", "min", "max", "nunique", "first", "last"].includes(op)) {
      expect(g, `${name} row ${r}`).toEqual(e);
      return;
    }
    const tol = (op === "std" || op === "var" ? 1e-9 * Math.max(Math.abs(g), Math.abs(e)) : 0) + 1e-12 * scale * (op === "var" ? scale : 1);
    expect(Math.abs(g - e), `${name} row ${r}: got ${g}, danfo ${e}`).toBeLessThanOrEqual(tol);
  });
}

export function columnsOf(df: dfd.DataFrame): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const c of df.columns) out[c] = df.shape[0] === 0 ? [] : (df.column(c).values as unknown[]);
  return out;
}

// ---- a reference implementation with pandas' missing-value rules ------------------------

export function missing(x: unknown): boolean {
  return x === null || x === undefined || (typeof x === "number" && Number.isNaN(x));
}

export function refAgg(xs: unknown[], op: Op): unknown {
  const vals = xs.filter((x) => !missing(x)) as number[];
  const n = vals.length;
  const sum = vals.reduce((a, b) => a + b, 0);
  switch (op) {
    case "sum": return sum;
    case "count": return n;
    case "mean": return n === 0 ? NaN : sum / n;
    case "min": return n === 0 ? NaN : Math.min(...vals);
    case "max": return n === 0 ? NaN : Math.max(...vals);
    case "var": case "std": {
      if (n === 0) return NaN;
      if (n === 1) return 0;
      const m = sum / n;
      const v = vals.reduce((a, b) => a + (b - m) * (b - m), 0) / (n - 1);
      return op === "var" ? v : Math.sqrt(v);
    }
    case "first": return n === 0 ? null : vals[0];
    case "last": return n === 0 ? null : vals[n - 1];
    case "nunique": return new Set(vals.map((x) => (x === 0 ? 0 : x))).size;
  }
}

/** Groups as a map from JSON key to rows of aggregated values. */
export function refGroupby(frame: FrameSpec, keys: string[], aggs: Record<string, Op[]>): Map<string, Record<string, unknown>> {
  const groups = new Map<string, number[]>();
  for (let r = 0; r < frame.nrows; r++) {
    const k = groupKey(keys.map((name) => frame.columns[frame.names.indexOf(name)]![r]));
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(r);
  }
  const out = new Map<string, Record<string, unknown>>();
  for (const [k, rows] of groups) {
    const rec: Record<string, unknown> = {};
    for (const [col, ops] of Object.entries(aggs)) {
      const xs = rows.map((r) => frame.columns[frame.names.indexOf(col)]![r]);
      for (const op of ops) rec[`${col}_${op}`] = refAgg(xs, op);
    }
    out.set(k, rec);
  }
  return out;
}

