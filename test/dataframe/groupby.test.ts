/**
 * groupby computed chunked (random partitionings, random tree fan-in) equals danfo's
 * groupby on the whole frame — same columns, same row order, same values — and, where
 * danfo has no such aggregation (first, last, nunique) or differs on purpose (missing
 * values are skipped here, danfo propagates them), a direct reference implementation.
 *
 * Tolerance: sums are compensated here and naive in danfo: |got - danfo| <= 1e-12 ×
 * (sum of |x| in the column); std/var: relative 1e-9 plus that. Counts, min, max, keys
 * and order are exact.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { TUSK } from "../../src/graph/collection.js";
import { fromDanfo, fromPartitions, fromValues, frameMeta, makePartition } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { toDanfo } from "./helpers/frames.js";
import { absSum, ALL_OPS, columnsOf, DANFO_OPS, expectColumnClose, groupFrameArb, groupKey, refGroupby, type Op } from "./helpers/groupby-reference.js";

afterAll(() => shutdownPools());

const SYNC = { scheduler: "sync", progress: false } as const;
const opsArb = fc.uniqueArray(fc.constantFrom(...DANFO_OPS), { minLength: 1, maxLength: 4 });

describe("groupby(...).agg", () => {
  test.prop([groupFrameArb({ missing: false, minRows: 1 }), opsArb, opsArb], { numRuns: 40 })(
    "equals danfo's agg: columns, key order, values", async ({ frame, keys, lengths, splitEvery }, vOps, iOps) => {
      const d = toDanfo(frame);
      const got = await fromDanfo(d, { lengths }).groupby(keys).agg({ v: vOps, i: iOps }, { splitEvery }).compute(SYNC);
      const expected = d.groupby(keys).agg({ v: vOps, i: iOps });
      expect(got.columns).toEqual(expected.columns);
      const g = columnsOf(got), e = columnsOf(expected);
      for (const c of expected.columns) {
        const scale = absSum(frame.columns[frame.names.indexOf(c.startsWith("v_") ? "v" : "i")] ?? []);
        expectColumnClose(c, g[c]!, e[c]!, scale);
      }
    });

  test.prop([groupFrameArb({ missing: false, minRows: 1, keyKinds: ["int", "str"] })], { numRuns: 30 })(
    "col([...]).sum() / mean() / count() / min() / max() equal danfo's", async ({ frame, keys, lengths }) => {
      const d = toDanfo(frame);
      const df = fromDanfo(d, { lengths });
      for (const op of ["sum", "mean", "count", "min", "max"] as const) {
        const got = await df.groupby(keys).col(["v", "i"])[op]().compute(SYNC);
        const expected = d.groupby(keys).col(["v", "i"])[op]();
        expect(got.columns).toEqual(expected.columns);
        const g = columnsOf(got), e = columnsOf(expected);
        for (const c of expected.columns) expectColumnClose(c, g[c]!, e[c]!, absSum(frame.columns[frame.names.indexOf(c.startsWith("v_") ? "v" : "i")] ?? []));
      }
    });

  test.prop([groupFrameArb({ missing: true })], { numRuns: 50 })(
    "with nulls and NaN: every aggregation skips missing values (pandas' rules), null keys form a group", async ({ frame, keys, lengths, splitEvery }) => {
      const aggs: Record<string, Op[]> = { v: [...ALL_OPS], i: ["sum", "count", "first", "last", "nunique", "min"] };
      const got = await fromDanfo(toDanfo(frame), { lengths }).groupby(keys).agg(aggs, { splitEvery }).compute(SYNC);
      const ref = refGroupby(frame, keys, aggs);
      expect(got.shape[0]).toBe(ref.size);
      const cols = columnsOf(got);
      const seen = new Set<string>();
      for (let r = 0; r < got.shape[0]; r++) {
        const k = groupKey(keys.map((name) => cols[name]![r]));
        expect(ref.has(k), `group ${k}`).toBe(true);
        seen.add(k);
        const rec = ref.get(k)!;
        for (const [name, e] of Object.entries(rec)) {
          expectColumnClose(name, [cols[name]![r]], [e], absSum(frame.columns[frame.names.indexOf(name.startsWith("v_") ? "v" : "i")]!));
        }
      }
      expect(seen.size).toBe(ref.size);
    });

  vtest("one group, and as many groups as rows", async () => {
    const n = 50;
    const d = new dfd.DataFrame({ one: Array(n).fill("x"), id: Array.from({ length: n }, (_, r) => r * 3), v: Array.from({ length: n }, (_, r) => r / 4) });
    const df = fromDanfo(d, { npartitions: 7 });
    const one = await df.groupby(["one"]).agg({ v: ["sum", "count"] }).compute(SYNC);
    expect(one.values).toEqual([["x", d.column("v").sum(), n]]);
    const many = await df.groupby(["id"]).agg({ v: "max" }).compute(SYNC);
    expect(many.values).toEqual(d.groupby(["id"]).agg({ v: "max" }).values);
  });

  vtest("datetime keys and values: groups by instant, min/max/first/last stay datetimes", async () => {
    const t = (s: string) => new Date(s);
    const meta = frameMeta([["day", "datetime"], ["at", "datetime"], ["v", "float64"]]);
    const day = [t("2024-01-01"), t("2024-01-02"), t("2024-01-01"), null, t("2024-01-02")];
    const at = [t("2024-01-01T10:00Z"), t("2024-01-02T09:00Z"), t("2024-01-01T08:00Z"), t("2024-01-03T00:00Z"), null];
    const v = [1, 2, 3, 4, 5];
    const parts = [0, 2, 2, 5].slice(1).map((end, i, ends) => makePartition(meta, meta.columns.map((c, j) => fromValues(c.dtype, [day, at, v][j]!.slice(i === 0 ? 0 : ends[i - 1], end)))));
    const df = fromPartitions(parts, meta, "test-dates", [day, at, v]);
    const out = await df.groupby(["day"]).agg({ at: ["min", "max", "first", "last", "count"], v: "sum" }).compute(SYNC);
    expect(out.columns).toEqual(["day", "at_min", "at_max", "at_first", "at_last", "at_count", "v_sum"]);
    const rows = out.values as unknown[][];
    const iso = (x: unknown) => (x instanceof Date ? x.toISOString() : x);
    expect(rows.map((r) => r.map(iso))).toEqual([
      [iso(t("2024-01-01")), iso(t("2024-01-01T08:00Z")), iso(t("2024-01-01T10:00Z")), iso(t("2024-01-01T10:00Z")), iso(t("2024-01-01T08:00Z")), 2, 4],
      [iso(t("2024-01-02")), iso(t("2024-01-02T09:00Z")), iso(t("2024-01-02T09:00Z")), iso(t("2024-01-02T09:00Z")), iso(t("2024-01-02T09:00Z")), 1, 7],
      [null, iso(t("2024-01-03T00:00Z")), iso(t("2024-01-03T00:00Z")), iso(t("2024-01-03T00:00Z")), iso(t("2024-01-03T00:00Z")), 1, 4],
    ]);
    expect(() => df.groupby(["day"]).agg({ at: "mean" })).toThrow(/Cannot compute mean of datetime column "at"/);
  });

  vtest("keys whose danfo names collide (null and \"\"; \"a-b\",\"c\" and \"a\",\"b-c\") stay apart, next to each other", async () => {
    const d = new dfd.DataFrame({ k: ["", "z", null, "a-b", "a", ""], j: ["x", "y", "y", "c", "b-c", "x"], v: [1, 2, 3, 4, 5, 6] });
    const one = await fromDanfo(d, { lengths: [2, 4] }).groupby(["k"]).agg({ v: "sum" }).compute(SYNC);
    expect(one.values).toEqual([["", 7], [null, 3], ["z", 2], ["a-b", 4], ["a", 5]]);
    const two = await fromDanfo(d, { lengths: [3, 3] }).groupby(["k", "j"]).agg({ v: "count" }).compute(SYNC);
    expect(two.values).toEqual([["", "x", 2], [null, "y", 1], ["z", "y", 1], ["a-b", "c", 1], ["a", "b-c", 1]]);
  });

  vtest("runs on the threads scheduler with the same result", async () => {
    const d = new dfd.DataFrame({ k: ["a", "b", "a", "c", "b", "a", null, "c"], v: [1, 2, 3, 4, 5, 6, 7, 8.5] });
    const df = fromDanfo(d, { npartitions: 3 });
    const agg = { v: ["sum", "mean", "std", "first", "nunique"] };
    const t = await df.groupby(["k"]).agg(agg).compute({ scheduler: "threads", progress: false });
    const s = await df.groupby(["k"]).agg(agg).compute(SYNC);
    expect(t.values).toEqual(s.values);
    expect(t.columns).toEqual(["k", "v_sum", "v_mean", "v_std", "v_first", "v_nunique"]);
  });
});

describe("groupby graphs", () => {
  vtest("the chunk aggregation fuses with the row-wise steps before it: one task per partition, then the tree", () => {
    const d = new dfd.DataFrame({ k: ["a", "b", "a", "c", "b", "a", "c", "c", "a"], v: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const df = fromDanfo(d, { npartitions: 9 });
    const q = df.query(df.column("v").gt(2)).addColumn("w", df.column("v").mul(2));
    const out = q.groupby(["k"]).agg({ w: "sum" }, { splitEvery: 4 });
    const { graph } = prepareGraph([out[TUSK]()]);
    const ops = [...graph.values()].map((t) => t.op);
    // 9 fused chunk tasks (source + pipeline + chunk), 2 combines of 4 (the 9th partial
    // moves up alone), 1 aggregate over 3 partials
    expect(ops.filter((o) => o === "dataframe.groupby.chunk")).toHaveLength(9);
    expect(ops.filter((o) => o === "dataframe.groupby.combine")).toHaveLength(2);
    expect(ops.filter((o) => o === "dataframe.groupby.aggregate")).toHaveLength(1);
    expect(graph.size).toBe(12);
    for (const t of graph.values()) {
      if (t.op === "dataframe.groupby.chunk") expect("call" in t.args[0]!).toBe(true);
    }
  });
});

describe("groupby errors at graph-building time", () => {
  const df = fromDanfo(new dfd.DataFrame({ vendor: ["a", "b"], fare: [1.5, 2], tip: [0, 1] }));

  vtest("an unknown key column lists the columns and the closest name", () => {
    expect(() => df.groupby(["vendr"])).toThrow(ValidationError);
    expect(() => df.groupby(["vendr"])).toThrow(/Column "vendr" does not exist.*"vendor", "fare", "tip".*Did you mean "vendor"/);
  });

  vtest("an unknown column in agg lists the columns", () => {
    expect(() => df.groupby(["vendor"]).agg({ fares: "mean" })).toThrow(/Column "fares" does not exist.*Did you mean "fare"/);
  });

  vtest("an unsupported aggregation lists the supported ones", () => {
    let error: unknown;
    try { df.groupby(["vendor"]).agg({ fare: ["sum", "median"] }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("ERR_UNSUPPORTED_AGG");
    expect((error as Error).message).toMatch(/Unsupported aggregation "median" for column "fare". Supported: sum, mean, count, min, max, std, var, first, last, nunique/);
  });

  vtest("a numeric aggregation of a string column says which ones work on it", () => {
    let error: unknown;
    try { df.groupby(["fare"]).agg({ vendor: "mean" }); } catch (e) { error = e; }
    expect((error as ValidationError).code).toBe("ERR_DTYPE");
    expect((error as Error).message).toMatch(/Cannot compute mean of string column "vendor".*count, first, last, nunique.*asType/);
    expect(() => df.groupby(["tip"]).sum()).toThrow(/groupby sum cannot aggregate "vendor" \(string\).*col\(\["fare"\]\)\.sum\(\)/);
  });
});
