/**
 * tk.merge equals a brute-force nested-loop join (as multisets of rows: chunked joins
 * order rows by partition) for inner/left/right/outer, one or two keys, broadcast and
 * shuffle strategies, nulls and NaN in keys, skewed keys, empty partitions; int32 keys
 * join float64 keys by value; string-vs-number keys are a clear error; and the column
 * naming of overlapping names is danfo's.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo, merge } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { partitionsArb } from "./helpers/frames.js";
import { computeRows, expectSameRows, mergeRows, type Row } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

const HOW = ["inner", "left", "right", "outer"] as const;

/** A side: key columns k0 (int with nulls), k1 (string with nulls), a payload column. */
interface Side { rows: Row[]; lengths: number[] }

const keyInt = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 1, arbitrary: fc.constant(null) });
const keyStr = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("a", "b", "") }, { weight: 1, arbitrary: fc.constant(null) });

function sideArb(payload: fc.Arbitrary<unknown>, skew = false): fc.Arbitrary<Side> {
  const k0 = skew ? fc.oneof({ weight: 9, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: keyInt }) : keyInt;
  return fc.array(fc.tuple(k0, keyStr, payload), { maxLength: 25 })
    .chain((rows) => partitionsArb(rows.length).map((lengths) => ({ rows: rows as Row[], lengths })));
}

function frameOf(side: Side, names: string[], dtypes: string[]) {
  const d = side.rows.length === 0
    ? new dfd.DataFrame([], { columns: names, dtypes })
    : new dfd.DataFrame(Object.fromEntries(names.map((n, j) => [n, side.rows.map((r) => r[j])])), { columns: names, dtypes });
  return fromDanfo(d, { lengths: side.lengths });
}

const leftArb = sideArb(fc.integer({ min: -9, max: 9 }));
const rightArb = sideArb(fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constant(null)));

describe("merge", () => {
  test.prop([leftArb, rightArb, fc.constantFrom(...HOW), fc.constantFrom<string[]>(["k0"], ["k0", "k1"]), fc.constantFrom<boolean | undefined>(true, false, undefined)], { numRuns: 40 })(
    "equals a nested-loop join (how, one or two keys, broadcast or shuffle)",
    async (l, r, how, on, broadcast) => {
      const left = frameOf(l, ["k0", "k1", "v"], ["int32", "string", "int32"]);
      const right = frameOf(r, ["k0", "k1", "v"], ["int32", "string", "float32"]);
      const got = await computeRows(merge({ left, right, on, how, broadcast }));
      const keys = on.map((k) => (k === "k0" ? 0 : 1));
      const others = (n: string[]) => n.filter((c) => !on.includes(c));
      expect(got.columns).toEqual([...on, ...others(["k0", "k1", "v"]), ...others(["k0", "k1", "v"]).map((c) => (c === "v" ? "v_1" : `${c}_1`))]);
      expectSameRows(got.rows, mergeRows(l.rows, keys, r.rows, keys, how, [3, 3]));
    },
  );

  test.prop([sideArb(fc.integer({ min: 0, max: 3 }), true), sideArb(fc.integer({ min: 0, max: 3 }), true), fc.constantFrom(...HOW)], { numRuns: 20 })(
    "a skewed key (90% of rows on one key) joins correctly through the shuffle",
    async (l, r, how) => {
      const left = frameOf(l, ["k0", "k1", "v"], ["int32", "string", "int32"]);
      const right = frameOf(r, ["k0", "k1", "w"], ["int32", "string", "int32"]);
      const got = await computeRows(merge({ left, right, on: "k0", how, broadcast: false, npartitions: 3 }));
      expectSameRows(got.rows, mergeRows(l.rows, [0], r.rows, [0], how, [3, 3]));
    },
  );

  vtest("leftOn/rightOn join differently named keys; int32 keys match float64 keys by value", async () => {
    const left = fromDanfo(new dfd.DataFrame({ id: [1, 2, 3, 4], x: ["a", "b", "c", "d"] }, { dtypes: ["int32", "string"] }), { npartitions: 2 });
    const right = fromDanfo(new dfd.DataFrame({ user: [2.0, 4.0, 4.0, 9.5], y: [20, 40, 41, 95] }, { dtypes: ["float32", "int32"] }), { npartitions: 2 });
    const got = await computeRows(merge({ left, right, leftOn: "id", rightOn: "user", how: "outer", broadcast: false }));
    expect(got.columns).toEqual(["id", "x", "y"]);
    expectSameRows(got.rows, [[1, "a", null], [2, "b", 20], [3, "c", null], [4, "d", 40], [4, "d", 41], [9.5, null, 95]]);
  });

  vtest("column names and values match danfo's merge (overlapping names get _1)", async () => {
    const a = new dfd.DataFrame({ key1: ["K0", "K0", "K1", "K2"], key2: ["K0", "K1", "K0", "K1"], A: [1, 2, 3, 4], B: [5, 6, 7, 8] });
    const b = new dfd.DataFrame({ key1: ["K0", "K1", "K1", "K2"], key2: ["K0", "K0", "K0", "K0"], A: [9, 10, 11, 12], D: [13, 14, 15, 16] });
    for (const how of HOW) {
      const expected = dfd.merge({ left: a, right: b, on: ["key1", "key2"], how });
      const got = await computeRows(merge({ left: fromDanfo(a, { npartitions: 2 }), right: fromDanfo(b, { npartitions: 3 }), on: ["key1", "key2"], how }));
      expect(got.columns).toEqual(expected.columns);
      const danfoRows = (expected.values as Row[]).map((r) => r.map((v) => (typeof v === "number" && Number.isNaN(v) ? null : v)));
      expectSameRows(got.rows, danfoRows);
    }
  });

  vtest("a broadcast join keeps the big side's partitioning; a shuffle join uses the larger side's count", () => {
    const big = fromDanfo(new dfd.DataFrame({ k: Array.from({ length: 40 }, (_, i) => i % 5), v: Array.from({ length: 40 }, (_, i) => i) }), { npartitions: 4 });
    const small = fromDanfo(new dfd.DataFrame({ k: [0, 1, 2, 3, 4], name: ["a", "b", "c", "d", "e"] }));
    expect(merge({ left: big, right: small, on: "k", how: "left" }).npartitions).toBe(4);
    const other = fromDanfo(new dfd.DataFrame({ k: Array.from({ length: 40 }, (_, i) => i % 7) }), { npartitions: 6 });
    const m = merge({ left: big, right: other, on: "k", how: "outer", broadcastRows: 0 });
    expect(m.npartitions).toBe(6);
    expect([...m.toPartitions().graph.layers.values()].some((l) => l.annotations?.kind === "shuffle")).toBe(true);
  });

  vtest("keys of different kinds are a ValidationError that says how to cast", () => {
    const left = fromDanfo(new dfd.DataFrame({ k: [1, 2] }));
    const right = fromDanfo(new dfd.DataFrame({ k: ["1", "2"] }, { dtypes: ["string"] }));
    expect(() => merge({ left, right, on: "k" })).toThrow(ValidationError);
    expect(() => merge({ left, right, on: "k" })).toThrow(/is int32 on the left but "k" is string on the right.*asType/);
    expect(() => merge({ left, right, on: "nope" })).toThrow(/does not exist in the left frame/);
    expect(() => merge({ left, right, leftOn: ["k"], rightOn: [] })).toThrow(/give the key columns|one right key per left key/);
    expect(() => merge({ left, right, on: "k", how: "cross" as never })).toThrow(/how must be one of/);
  });
});
