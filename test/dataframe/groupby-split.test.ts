/**
 * groupby with `splitOut` (partials hash-shuffled by key into n output partitions)
 * equals danfo's groupby on the whole frame, and a brute-force groupby with missing
 * values (null and NaN keys, null/NaN values), skewed keys (one key ~90% of the rows),
 * empty and one-row partitions. Row order across partitions follows the hash buckets
 * (documented): results are compared group by group, and each group must appear in
 * exactly one output partition.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { TUSK } from "../../src/graph/collection.js";
import { fromDanfo } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { columnValues, partitionsArb, toDanfo } from "./helpers/frames.js";
import { absSum, ALL_OPS, columnsOf, DANFO_OPS, expectColumnClose, groupFrameArb, groupKey, refGroupby, type Op } from "./helpers/groupby-reference.js";
import { computeRows } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

const SYNC = { scheduler: "sync", progress: false } as const;

/** Rows of a danfo result by group key. */
function byGroup(df: dfd.DataFrame, keys: readonly string[]): Map<string, Record<string, unknown>> {
  const cols = columnsOf(df);
  const out = new Map<string, Record<string, unknown>>();
  for (let r = 0; r < df.shape[0]; r++) {
    const rec: Record<string, unknown> = {};
    for (const c of df.columns) rec[c] = cols[c]![r];
    out.set(groupKey(keys.map((k) => cols[k]![r])), rec);
  }
  return out;
}

function scaleOf(frame: { names: string[]; columns: unknown[][] }, column: string): number {
  return absSum(frame.columns[frame.names.indexOf(column.startsWith("v_") ? "v" : "i")] ?? []);
}

const opsArb = fc.uniqueArray(fc.constantFrom(...DANFO_OPS), { minLength: 1, maxLength: 4 });

describe("groupby(...).agg({ splitOut })", () => {
  test.prop([groupFrameArb({ missing: false, minRows: 1, skew: true }), opsArb, opsArb], { numRuns: 30 })(
    "equals danfo's agg group by group, in splitOut partitions with every group in one partition",
    async ({ frame, keys, lengths, splitOut }, vOps, iOps) => {
      const d = toDanfo(frame);
      const lazy = fromDanfo(d, { lengths }).groupby(keys).agg({ v: vOps, i: iOps }, { splitOut });
      expect(lazy.npartitions).toBe(splitOut);
      const { partRows, columns } = await computeRows(lazy);
      expect(partRows).toHaveLength(splitOut);
      const where = new Map<string, number>();
      partRows.forEach((rows, p) => rows.forEach((r) => {
        const k = groupKey(keys.map((_, j) => r[j]));
        expect(where.has(k), `group ${k} in two partitions`).toBe(false);
        where.set(k, p);
      }));
      const got = await lazy.compute(SYNC);
      const expected = d.groupby(keys).agg({ v: vOps, i: iOps });
      expect(got.columns).toEqual(expected.columns);
      expect(columns).toEqual(expected.columns);
      const g = byGroup(got, keys), e = byGroup(expected, keys);
      expect([...g.keys()].sort()).toEqual([...e.keys()].sort());
      for (const [k, rec] of e) {
        for (const c of expected.columns) expectColumnClose(`${c} (group ${k})`, [g.get(k)![c]], [rec[c]], scaleOf(frame, c));
      }
    });

  test.prop([groupFrameArb({ missing: true, skew: true })], { numRuns: 40 })(
    "with null and NaN keys and values: every aggregation equals a brute-force groupby",
    async ({ frame, keys, lengths, splitOut }) => {
      const aggs: Record<string, Op[]> = { v: [...ALL_OPS], i: ["sum", "count", "first", "last", "nunique", "min", "max"] };
      const got = await fromDanfo(toDanfo(frame), { lengths }).groupby(keys).agg(aggs, { splitOut: splitOut + 1 }).compute(SYNC);
      const ref = refGroupby(frame, keys, aggs);
      const g = byGroup(got, keys);
      expect(got.shape[0]).toBe(ref.size);
      expect([...g.keys()].sort()).toEqual([...ref.keys()].sort());
      for (const [k, rec] of ref) {
        for (const [name, e] of Object.entries(rec)) expectColumnClose(`${name} (group ${k})`, [g.get(k)![name]], [e], scaleOf(frame, name));
      }
    });

  vtest("the col([...]) forms take splitOut too, and a single partition's rows keep danfo's order", async () => {
    const d = new dfd.DataFrame({ k: [3, 1, 3, 2, 1, 5, 2, 2, 9, 1], v: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    const df = fromDanfo(d, { npartitions: 4 });
    for (const op of ["sum", "mean", "count", "min", "max", "std", "var"] as const) {
      const lazy = df.groupby(["k"]).col(["v"])[op]({ splitOut: 3 });
      expect(lazy.npartitions).toBe(3);
      const got = byGroup(await lazy.compute(SYNC), ["k"]);
      const expected = byGroup(d.groupby(["k"]).col(["v"])[op](), ["k"]);
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [k, rec] of expected) expectColumnClose(`v_${op} (group ${k})`, [got.get(k)![`v_${op}`]], [rec[`v_${op}`]], 55);
    }
    const one = await df.groupby(["k"]).agg({ v: "sum" }, { splitOut: 1 }).compute(SYNC);
    expect(one.values).toEqual(d.groupby(["k"]).agg({ v: "sum" }).values);
  });

  vtest("string, boolean and infinite values (first, last, nunique, min, max) cross the shuffle exactly", async () => {
    const d = new dfd.DataFrame({
      k: ["a", "b", "a", "c", "b", "a", "c", "a"],
      s: ["x", null, "y", "x", "z", "x", null, "w"],
      f: [Infinity, 1, -Infinity, 2, 2, 0.1, 3, 1e-300],
    });
    const base = fromDanfo(d, { npartitions: 3 });
    const df = base.addColumn("when", base.column("f").gt(1));
    const aggs = { s: ["first", "last", "nunique", "count"], f: ["nunique", "min", "max", "sum"], when: ["first", "last"] };
    const got = byGroup(await df.groupby(["k"]).agg(aggs, { splitOut: 2 }).compute(SYNC), ["k"]);
    expect(got.get(groupKey(["a"]))).toEqual({ k: "a", s_first: "x", s_last: "w", s_nunique: 3, s_count: 4, f_nunique: 4, f_min: -Infinity, f_max: Infinity, f_sum: NaN, when_first: true, when_last: false });
    expect(got.get(groupKey(["b"]))).toEqual({ k: "b", s_first: "z", s_last: "z", s_nunique: 1, s_count: 1, f_nunique: 2, f_min: 1, f_max: 2, f_sum: 3, when_first: false, when_last: true });
    expect(got.get(groupKey(["c"]))).toEqual({ k: "c", s_first: "x", s_last: "x", s_nunique: 1, s_count: 1, f_nunique: 2, f_min: 2, f_max: 3, f_sum: 5, when_first: true, when_last: true });
  });

  vtest("splitOut: true picks the partitions from the input as dask-expr does; bad values are ValidationErrors", () => {
    const d = new dfd.DataFrame({ k: Array.from({ length: 40 }, (_, i) => i % 7), j: Array.from({ length: 40 }, (_, i) => i % 3), v: Array.from({ length: 40 }, (_, i) => i) });
    const df = fromDanfo(d, { npartitions: 40 });
    expect(df.groupby(["k"]).agg({ v: "sum" }, { splitOut: true }).npartitions).toBe(3);
    expect(df.groupby(["k", "j"]).agg({ v: "sum" }, { splitOut: true }).npartitions).toBe(4);
    expect(fromDanfo(d, { npartitions: 2 }).groupby(["k"]).sum({ splitOut: true }).npartitions).toBe(1);
    expect(() => df.groupby(["k"]).agg({ v: "sum" }, { splitOut: 0 })).toThrow(ValidationError);
    expect(() => df.groupby(["k"]).agg({ v: "sum" }, { splitOut: 1.5 })).toThrow(/splitOut must be a positive integer or true \(automatic\), got 1.5/);
  });

  vtest("the graph is chunk per partition → one shuffle → one finishing task per output partition (no single task sees every group)", () => {
    const d = new dfd.DataFrame({ k: Array.from({ length: 30 }, (_, i) => i % 11), v: Array.from({ length: 30 }, (_, i) => i) });
    const out = fromDanfo(d, { npartitions: 6 }).groupby(["k"]).agg({ v: "mean" }, { splitOut: 4 });
    const { graph } = prepareGraph([out[TUSK]()]);
    const ops = [...graph.values()].map((t) => t.op);
    expect(ops.filter((o) => o === "dataframe.groupby.chunk-batch")).toHaveLength(6);
    expect(ops.filter((o) => o === "dataframe.shuffle.split")).toHaveLength(6);
    expect(ops.filter((o) => o === "dataframe.groupby.aggregate-batch")).toHaveLength(4);
    expect(ops.filter((o) => o === "dataframe.groupby.aggregate" || o === "dataframe.groupby.combine")).toHaveLength(0);
  });

  vtest("runs on the threads scheduler with the same groups", async () => {
    const n = 3000;
    const d = new dfd.DataFrame({ k: Array.from({ length: n }, (_, i) => (i * 7919) % 1009), v: Array.from({ length: n }, (_, i) => (i % 13) / 4) });
    const df = fromDanfo(d, { npartitions: 5 });
    const threads = byGroup(await df.groupby(["k"]).agg({ v: ["sum", "count", "std"] }, { splitOut: 3 }).compute({ scheduler: "threads", progress: false }), ["k"]);
    const expected = byGroup(d.groupby(["k"]).agg({ v: ["sum", "count", "std"] }), ["k"]);
    expect(threads.size).toBe(expected.size);
    for (const [k, rec] of expected) {
      expect(threads.get(k)!.v_count).toBe(rec.v_count);
      expect(Math.abs((threads.get(k)!.v_sum as number) - (rec.v_sum as number))).toBeLessThan(1e-9);
      expect(Math.abs((threads.get(k)!.v_std as number) - (rec.v_std as number))).toBeLessThan(1e-9);
    }
  });
});

describe("valueCounts({ splitOut }) and nUnique({ splitOut })", () => {
  const kindArb = fc.constantFrom("int32" as const, "float64" as const, "string" as const, "boolean" as const);
  test.prop([kindArb.chain((kind) => fc.integer({ min: 0, max: 50 }).chain((n) => fc.record({
    kind: fc.constant(kind),
    values: fc.oneof(columnValues(kind, n), columnValues(kind, n).map((xs) => xs.map((x, i) => (i % 10 === 9 ? x : xs[0])))),
    lengths: partitionsArb(n),
    splitOut: fc.integer({ min: 2, max: 4 }),
  })))], { numRuns: 40 })(
    "count every value (null and NaN apart) as a brute-force count does, skewed or not",
    async ({ kind, values, lengths, splitOut }) => {
      const frame = { names: ["x"], kinds: [kind], columns: [values], nrows: values.length };
      const got = await fromDanfo(toDanfo(frame), { lengths }).column("x").valueCounts({ splitOut }).compute(SYNC);
      const expected = new Map<string, number>();
      const label = (x: unknown): string => (x === null || x === undefined ? "null" : typeof x === "number" && Number.isNaN(x) ? "NaN" : String(x));
      for (const x of values) expected.set(label(x), (expected.get(label(x)) ?? 0) + 1);
      const index = got.index.map(String);
      const counts = got.values as number[];
      expect(index.length).toBe(expected.size);
      expect(new Map(index.map((k, i) => [k, counts[i]!]))).toEqual(expected);
      const s = fromDanfo(toDanfo(frame), { lengths }).column("x");
      expect(await s.nUnique({ splitOut }).compute(SYNC)).toBe(expected.size);
      expect(await s.nUnique().compute(SYNC)).toBe(expected.size);
    });
});
