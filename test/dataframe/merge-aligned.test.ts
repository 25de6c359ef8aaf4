/**
 * tk.merge reusing the partitioning (Dask's align_partitions): sides hash-partitioned on
 * the join keys into the same number of partitions, or indexed by the join key with
 * known split points, join partition by partition — no shuffle layer for the merge (or
 * only the side whose splits differ is range-shuffled) — and the rows equal a
 * brute-force merge of the whole data: duplicates, null keys, skew, empty partitions.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { TUSK } from "../../src/graph/collection.js";
import { fromDanfo, merge, type DataFrame } from "../../src/dataframe/index.js";
import { columnValues, partitionsArb, toDanfo, type FrameSpec } from "./helpers/frames.js";
import { computeRows, expectSameRows, mergeRows, specRows } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

const HOWS = ["inner", "left", "right", "outer"] as const;

/** A side: int key k (small domain: duplicates; nulls; ~90% one key sometimes) and a value column. */
function sideArb(value: string) {
  return fc.record({ n: fc.integer({ min: 0, max: 30 }), skew: fc.boolean() }).chain(({ n, skew }) => fc.record({
    k: columnValues("int32", n).map((xs) => xs.map((x, i) => (x === null ? null : skew && i % 10 !== 0 ? 3 : (Math.abs(x as number) % 7) + 0))),
    v: columnValues("float64", n, { nulls: false, nan: false }),
    lengths: partitionsArb(n),
  }).map(({ k, v, lengths }) => ({ frame: { names: ["k", value], kinds: ["int32", "float64"], columns: [k, v], nrows: n } as FrameSpec, lengths })));
}

/** Ops of the merge's graph after culling. */
function opsOf(df: DataFrame): string[] {
  return [...prepareGraph([df[TUSK]()], false).graph.values()].map((t) => t.op);
}

function strategyOf(df: DataFrame): unknown {
  const layers = [...df.toPartitions().graph.layers.values()];
  return layers.map((l) => (l.annotations as { strategy?: unknown } | undefined)?.strategy).filter(Boolean).pop();
}

describe("merge on aligned partitions", () => {
  test.prop([sideArb("a"), sideArb("b"), fc.constantFrom(...HOWS), fc.integer({ min: 2, max: 4 })], { numRuns: 15 })(
    "both sides hash-partitioned on the key (outputs of splitOut / merge shuffles): joined partition by partition, equal to a brute-force merge",
    async (l, r, how, n) => {
      const lf = fromDanfo(toDanfo(l.frame), { lengths: l.lengths });
      // hash-partitioned on k with repeated keys: a shuffle join with the distinct keys
      const left = merge({ left: lf, right: lf.loc({ columns: ["k"] }).dropDuplicates({ subset: "k" }), on: ["k"], broadcast: false, npartitions: n });
      const right = fromDanfo(toDanfo(r.frame), { lengths: r.lengths }).groupby(["k"]).agg({ b: "sum" }, { splitOut: n });
      const joined = merge({ left, right, on: ["k"], how, broadcast: false });
      expect(strategyOf(joined)).toBe("aligned-hash");
      const splits = opsOf(joined).filter((o) => o === "dataframe.shuffle.split").length;
      expect(splits).toBe(opsOf(left).filter((o) => o === "dataframe.shuffle.split").length + opsOf(right).filter((o) => o === "dataframe.shuffle.split").length);
      const [lr, rr] = [await computeRows(left), await computeRows(right)];
      expectSameRows((await computeRows(joined)).rows, mergeRows(lr.rows, [0], rr.rows, [0], how, [2, 2]));
    });

  test.prop([sideArb("a"), sideArb("b"), fc.constantFrom(...HOWS)], { numRuns: 15 })(
    "both indexed by the key: equal divisions join without a shuffle, different ones range-shuffle one side only",
    async (l, r, how) => {
      const lf = fromDanfo(toDanfo(l.frame), { lengths: l.lengths });
      const rf = fromDanfo(toDanfo(r.frame), { lengths: r.lengths });
      const expected = mergeRows(specRows(l.frame), [0], specRows(r.frame), [0], how, [2, 2]);
      const left = lf.setIndex("k", { divisions: [0, 2, 4, 7] });
      const same = merge({ left, right: rf.setIndex("k", { divisions: [0, 2, 4, 7] }), on: ["k"], how });
      expect(strategyOf(same)).toBe("aligned-index");
      expect(opsOf(same).filter((o) => o === "dataframe.shuffle.split")).toHaveLength(l.lengths.length + r.lengths.length);
      expectSameRows((await computeRows(same)).rows, expected);
      const other = merge({ left, right: rf.setIndex("k", { divisions: [0, 3, 7] }), on: ["k"], how });
      expect(strategyOf(other)).toBe("aligned-index-repartition-right");
      expectSameRows((await computeRows(other)).rows, expected);
      const sampled = merge({ left, right: rf.setIndex("k"), on: ["k"], how });
      expect(strategyOf(sampled)).toBe("aligned-index-repartition-right");
      expectSameRows((await computeRows(sampled)).rows, expected);
    });

  vtest("frames already sorted by the key (sorted: true, divisions computed) join with no shuffle at all", async () => {
    const left = await fromDanfo(new dfd.DataFrame({ id: [1, 2, 3, 5, 8, 9, 11, 12], x: [1, 2, 3, 4, 5, 6, 7, 8] }), { lengths: [3, 3, 2] }).setIndex("id", { sorted: true }).computeDivisions({ scheduler: "sync" });
    const right = fromDanfo(new dfd.DataFrame({ id: [2, 2, 5, 9, 12, 13], y: [10, 20, 30, 40, 50, 60] }), { npartitions: 2 }).setIndex("id", { sorted: true });
    const joined = merge({ left, right, on: ["id"], how: "inner" });
    expect(left.divisions).toEqual([1, 5, 11, 12]);
    // the right side's splits are not known: it is range-shuffled to the left's
    expect(strategyOf(joined)).toBe("aligned-index-repartition-right");
    const rightKnown = await right.computeDivisions({ scheduler: "sync" });
    const direct = merge({ left, right: await fromDanfo(new dfd.DataFrame({ id: [2, 2, 5, 9, 12, 13], y: [10, 20, 30, 40, 50, 60] }), { lengths: [2, 2, 2] }).setIndex("id", { divisions: [1, 5, 11, 13] }), on: ["id"], how: "inner" });
    expect(strategyOf(direct)).toBe("aligned-index");
    const rows = (await computeRows(joined)).rows;
    expect(rows).toEqual([[2, 2, 10], [2, 2, 20], [5, 4, 30], [9, 6, 40], [12, 8, 50]]);
    expectSameRows((await computeRows(direct)).rows, rows);
    expect(rightKnown.knownDivisions).toBe(true);
    expect(opsOf(merge({ left, right: left.loc({ columns: ["id", "x"] }).rename({ x: "z" }), on: ["id"] })).some((o) => o.startsWith("dataframe.shuffle"))).toBe(false);
  });
});
