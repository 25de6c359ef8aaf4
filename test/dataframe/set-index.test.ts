/**
 * setIndex (sampled range shuffle, given divisions, or sorted: true without a shuffle),
 * known divisions, loc by index label with partition pruning, repartition({ divisions })
 * and resetIndex, against a brute-force stable sort of the whole data (nulls last) and
 * danfo's setIndex/resetIndex on the computed rows.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { TUSK } from "../../src/graph/collection.js";
import { fromDanfo, type DataFrame } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { columnValues, partitionsArb, toDanfo, type FrameSpec } from "./helpers/frames.js";
import { cmpCells, computeRows, expectRowsInOrder, sortRows, specRows, type Row } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

const SYNC = { scheduler: "sync", progress: false } as const;

/** A frame with an index candidate `k` (int32 or string, nulls, duplicates, 90% skew sometimes) and a value column. */
const indexedArb = fc.record({
  kind: fc.constantFrom("int32" as const, "string" as const),
  n: fc.integer({ min: 0, max: 40 }),
  skew: fc.boolean(),
}).chain(({ kind, n, skew }) => fc.record({
  k: columnValues(kind, n).map((xs) => (skew ? xs.map((x, i) => (i % 10 === 3 ? x : kind === "int32" ? 7 : "a")) : kind === "int32" ? xs.map((x) => (x === null ? null : ((x as number) % 9) + 0)) : xs)),
  v: columnValues("float64", n, { nulls: false, nan: false }),
  lengths: partitionsArb(n),
  nout: fc.integer({ min: 1, max: 4 }),
}).map(({ k, v, lengths, nout }) => ({ frame: { names: ["k", "v"], kinds: [kind, "float64"], columns: [k, v], nrows: n } as FrameSpec, lengths, nout })));

function present(x: unknown): boolean {
  return !(x === null || x === undefined || (typeof x === "number" && Number.isNaN(x)));
}

/** Every partition's index values lie in its span, and the spans are in order. */
function expectWithinDivisions(df: DataFrame, partRows: Row[][]): void {
  const divisions = df.divisions!;
  expect(divisions).toHaveLength(partRows.length + 1);
  partRows.forEach((rows, j) => {
    for (const r of rows) {
      if (!present(r[0])) continue;
      if (divisions[j] !== null) expect(cmpCells(divisions[j], r[0], true), `partition ${j}: ${String(r[0])} below ${String(divisions[j])}`).toBeLessThanOrEqual(0);
      if (divisions[j + 1] !== null) expect(cmpCells(r[0], divisions[j + 1], true), `partition ${j}: ${String(r[0])} above ${String(divisions[j + 1])}`).toBeLessThanOrEqual(0);
    }
  });
}

describe("setIndex", () => {
  test.prop([indexedArb], { numRuns: 30 })(
    "sampled: rows sorted by the index (stable, nulls last) as a brute-force sort; computeDivisions gives spans that hold every partition",
    async ({ frame, lengths, nout }) => {
      const d = toDanfo(frame);
      const expected = sortRows(specRows(frame), [0], [true]);
      const indexed = fromDanfo(d, { lengths }).setIndex("k", { npartitions: nout });
      expect(indexed.knownDivisions).toBe(false);
      expectRowsInOrder((await computeRows(indexed)).rows, expected);
      const known = await indexed.computeDivisions(SYNC);
      expect(known.knownDivisions).toBe(true);
      const got = await computeRows(known);
      expectRowsInOrder(got.rows, expected);
      expectWithinDivisions(known, got.partRows);
    });

  test.prop([indexedArb], { numRuns: 20 })(
    "compute() shows danfo's index (setIndex on the sorted rows), drop as danfo; resetIndex forgets it as danfo does",
    async ({ frame, lengths }) => {
      fc.pre(frame.nrows > 0 && frame.columns[0]!.every(present) && new Set(frame.columns[0]).size === frame.nrows);
      const sorted = sortRows(specRows(frame), [0], [true]);
      const sortedDanfo = toDanfo({ ...frame, columns: [sorted.map((r) => r[0]), sorted.map((r) => r[1])] });
      const df = fromDanfo(toDanfo(frame), { lengths });
      for (const drop of [false, true]) {
        const got = await df.setIndex({ column: "k", drop }).compute(SYNC);
        const want = sortedDanfo.setIndex({ column: "k", drop });
        expect(got.index).toEqual(want.index);
        expect(got.columns).toEqual(want.columns);
        expect(got.values).toEqual(want.values);
        const reset = await df.setIndex({ column: "k", drop }).resetIndex().compute(SYNC);
        const wantReset = want.resetIndex();
        expect(reset.columns).toEqual(wantReset.columns);
        expect(reset.index).toEqual(wantReset.index);
        expect(reset.values).toEqual(wantReset.values);
      }
    });

  vtest("repeated index values (danfo needs unique labels): compute keeps the column and a 0..n-1 index", async () => {
    const d = new dfd.DataFrame({ k: [2, 1, 2], v: [1, 2, 3] });
    const got = await fromDanfo(d, { npartitions: 2 }).setIndex({ column: "k", drop: true }).compute(SYNC);
    expect(got.columns).toEqual(["k", "v"]);
    expect(got.values).toEqual([[1, 2], [2, 1], [2, 3]]);
  });

  vtest("with divisions: known at once, each partition within its division, no sampling", async () => {
    const k = [5, 17, 3, 99, 42, 8, 17, 60, 0, 25, null];
    const d = new dfd.DataFrame({ k, v: k.map((_, i) => i) }, { dtypes: ["int32", "int32"] });
    const indexed = fromDanfo(d, { npartitions: 3 }).setIndex("k", { divisions: [0, 10, 40, 100] });
    expect(indexed.knownDivisions).toBe(true);
    expect(indexed.npartitions).toBe(3);
    expect(indexed.divisions).toEqual([null, 10, 40, null]);
    const { partRows, rows } = await computeRows(indexed);
    expect(partRows.map((p) => p.map((r) => r[0]))).toEqual([[0, 3, 5, 8], [17, 17, 25], [42, 60, 99, null]]);
    expectRowsInOrder(rows, sortRows(k.map((x, i) => [x, i]), [0], [true]));
    const { graph } = prepareGraph([indexed[TUSK]()]);
    expect([...graph.values()].some((t) => t.op === "dataframe.sort.sample")).toBe(false);
  });

  vtest("sorted: true: no shuffle; computeDivisions reads [min, max] per partition; overlapping partitions are an error naming them", async () => {
    const d = new dfd.DataFrame({ t: [1, 2, 2, 4, 5, 7, 8, 9, 12], v: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const indexed = fromDanfo(d, { lengths: [3, 0, 3, 3] }).setIndex("t", { sorted: true });
    const { graph } = prepareGraph([indexed[TUSK]()]);
    expect([...graph.values()].some((t) => t.op.startsWith("dataframe.shuffle"))).toBe(false);
    const known = await indexed.computeDivisions(SYNC);
    expect(known.divisions).toEqual([1, 4, 4, 8, 12]);
    const bad = fromDanfo(new dfd.DataFrame({ t: [1, 5, 3, 9] }), { lengths: [2, 2] }).setIndex("t", { sorted: true });
    const error = await bad.computeDivisions(SYNC).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("ERR_NOT_SORTED");
    expect((error as Error).message).toMatch(/partitions 0 and 1 overlap — partition 0 ends at 5 but partition 1 starts at 3\. Drop sorted: true/);
  });

  test.prop([indexedArb, fc.array(fc.integer({ min: -1, max: 9 }), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })], { numRuns: 25 })(
    "loc by labels and by an inclusive 'lo:hi' range equals a brute-force filter of the sorted rows",
    async ({ frame, lengths, nout }, labels, a, b) => {
      fc.pre(frame.kinds[0] === "int32");
      const sorted = sortRows(specRows(frame), [0], [true]);
      const known = await fromDanfo(toDanfo(frame), { lengths }).setIndex("k", { npartitions: nout }).computeDivisions(SYNC);
      expectRowsInOrder((await computeRows(known.loc({ rows: labels }))).rows, sorted.filter((r) => labels.includes(r[0] as number)));
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expectRowsInOrder((await computeRows(known.loc({ rows: `${lo}:${hi}` }))).rows, sorted.filter((r) => present(r[0]) && (r[0] as number) >= lo && (r[0] as number) <= hi));
      expectRowsInOrder((await computeRows(known.loc({ rows: [`${lo}:`] }))).rows, sorted.filter((r) => present(r[0]) && (r[0] as number) >= lo));
    });

  vtest("loc with known divisions reads only the partitions that can hold the labels", async () => {
    const n = 100;
    const d = new dfd.DataFrame({ t: Array.from({ length: n }, (_, i) => i), v: Array.from({ length: n }, (_, i) => i * 2) });
    const indexed = await fromDanfo(d, { npartitions: 10 }).setIndex("t", { sorted: true }).computeDivisions(SYNC);
    const tasksOf = (df: DataFrame) => [...prepareGraph([df[TUSK]()]).graph.values()];
    expect(tasksOf(indexed)).toHaveLength(10);
    const one = indexed.loc({ rows: [31, 35] });
    expect(tasksOf(one)).toHaveLength(1);
    expect((await one.compute(SYNC)).values).toEqual([[31, 62], [35, 70]]);
    expect(tasksOf(indexed.loc({ rows: "38:52" }))).toHaveLength(3);
    // filters keep the divisions
    const q = indexed.query(indexed.column("v").gt(10));
    expect(q.knownDivisions).toBe(true);
    expect(tasksOf(q.loc({ rows: [95] }))).toHaveLength(1);
    // without an index: a clear error
    expect(() => fromDanfo(d).loc({ rows: [1] })).toThrow(/without an index.*setIndex/);
  });

  vtest("sortIndex and head follow danfo on an indexed frame", async () => {
    const k = [5, 1, 9, 3, 7];
    const d = new dfd.DataFrame({ k, v: [50, 10, 90, 30, 70] });
    const indexed = fromDanfo(d, { npartitions: 2 }).setIndex({ column: "k", drop: true });
    const want = d.setIndex({ column: "k", drop: true });
    for (const ascending of [true, false]) {
      const got = await indexed.sortIndex({ ascending }).compute(SYNC);
      const exp = want.sortIndex({ ascending });
      expect(got.index).toEqual(exp.index);
      expect(got.values).toEqual(exp.values);
    }
    const head = await indexed.head(2, SYNC);
    expect(head.index).toEqual([1, 3]);
    expect(head.values).toEqual([[10], [30]]);
    expect(() => fromDanfo(d).sortIndex({ ascending: false })).toThrow(/sortIndex\(\{ ascending: false \}\) without an index/);
  });

  vtest("repartition({ divisions }) moves rows to the new spans, sorted", async () => {
    const k = [9, 1, 8, 2, 7, 3, 6, 4, 5, 0, 5];
    const d = new dfd.DataFrame({ k, v: k.map((_, i) => i) });
    const indexed = fromDanfo(d, { npartitions: 2 }).setIndex("k", { divisions: [0, 5, 9] });
    const re = indexed.repartition({ divisions: [0, 3, 6, 9] });
    expect(re.npartitions).toBe(3);
    const { partRows } = await computeRows(re);
    expect(partRows.map((p) => p.map((r) => r[0]))).toEqual([[0, 1, 2], [3, 4, 5, 5], [6, 7, 8, 9]]);
    expect(() => fromDanfo(d).repartition({ divisions: [0, 1] })).toThrow(/needs an indexed frame: call df.setIndex/);
    expect(() => indexed.repartition({ divisions: [0, 3, 3] })).toThrow(/strictly increasing/);
  });
});
