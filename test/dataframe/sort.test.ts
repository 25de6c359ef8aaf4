/**
 * sortValues (sampled divisions + range shuffle + per-partition stable sort) and
 * nLargest/nSmallest (per-partition top-n + combine tree) equal a brute-force stable
 * sort of the whole frame (nulls and NaN last) on random frames and partitionings —
 * ties, nulls in keys, skewed keys, empty partitions — and danfo's sortValues where
 * danfo's rules are the same (one column without missing values).
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { frameAndPartitions, partitionsArb, toDanfo, type FrameSpec } from "./helpers/frames.js";
import { computeRows, expectRowsInOrder, sortRows, specRows } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

const byArb = (spec: FrameSpec): fc.Arbitrary<{ cols: number[]; asc: boolean[] }> =>
  fc.shuffledSubarray(spec.names.map((_, j) => j), { minLength: 1, maxLength: 3 }).chain((cols) =>
    fc.array(fc.boolean(), { minLength: cols.length, maxLength: cols.length }).map((asc) => ({ cols, asc })));

describe("sortValues", () => {
  test.prop([frameAndPartitions({ maxRows: 40 }).chain((fp) => byArb(fp.frame).map((by) => ({ ...fp, by }))), fc.integer({ min: 1, max: 5 })], { numRuns: 40 })(
    "equals a stable sort of the whole frame, nulls last (random columns, directions, partitionings)",
    async ({ frame, lengths, by }, nout) => {
      const df = fromDanfo(toDanfo(frame), { lengths });
      const names = by.cols.map((j) => frame.names[j]!);
      const got = await computeRows(df.sortValues(names, { ascending: by.asc, npartitions: nout }));
      expect(got.columns).toEqual(frame.names);
      expectRowsInOrder(got.rows, sortRows(specRows(frame), by.cols, by.asc));
    },
  );

  test.prop([fc.integer({ min: 0, max: 80 }).chain((n) => fc.tuple(
    fc.array(fc.oneof({ weight: 9, arbitrary: fc.constant(7) }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) }), { minLength: n, maxLength: n }),
    partitionsArb(n)))], { numRuns: 20 })(
    "a skewed key (90% one value) stays sorted and stable",
    async ([keys, lengths]) => {
      const d = keys.length
        ? new dfd.DataFrame({ k: keys, pos: keys.map((_, i) => i) }, { dtypes: ["int32", "int32"] })
        : new dfd.DataFrame([], { columns: ["k", "pos"], dtypes: ["int32", "int32"] });
      const got = await computeRows(fromDanfo(d, { lengths }).sortValues("k"));
      expectRowsInOrder(got.rows, sortRows(keys.map((k, i) => [k, i]), [0], [true]));
    },
  );

  test.prop([frameAndPartitions({ kinds: ["float64", "int32"], nulls: false, nan: false, minRows: 1, maxRows: 30 })], { numRuns: 15 })(
    "matches danfo's sortValues on one column without missing values",
    async ({ frame, lengths }) => {
      const d = toDanfo(frame);
      const got = await computeRows(fromDanfo(d, { lengths }).sortValues("f0", { ascending: false }));
      const expected = d.sortValues("f0", { ascending: false }) as dfd.DataFrame;
      expect(got.rows.map((r) => r[0])).toEqual(expected.column("f0").values);
    },
  );

  vtest("runs on worker threads and gives the same rows as sync", async () => {
    const n = 3000;
    const d = new dfd.DataFrame({ x: Array.from({ length: n }, (_, i) => (i * 7919) % 1000), s: Array.from({ length: n }, (_, i) => `s${i % 37}`) });
    const df = fromDanfo(d, { npartitions: 6 }).sortValues(["s", "x"], { ascending: [true, false] });
    const a = await computeRows(df, { scheduler: "threads" });
    const b = await computeRows(df);
    expectRowsInOrder(a.rows, b.rows);
    expectRowsInOrder(a.rows, sortRows(a.rows, [1, 0], [true, false]));
    expect(a.nparts).toBe(6);
  });

  vtest("Series.sortValues sorts values", async () => {
    const s = fromDanfo(new dfd.DataFrame({ x: [3, null, 1, 2] }), { npartitions: 2 }).column("x");
    expect((await s.sortValues({ ascending: false }).compute({ scheduler: "sync", progress: false })).values).toEqual([3, 2, 1, null]);
  });

  vtest("bad arguments are ValidationErrors that name the problem", () => {
    const df = fromDanfo(new dfd.DataFrame({ fare: [1, 2] }));
    expect(() => df.sortValues("far")).toThrow(ValidationError);
    expect(() => df.sortValues("far")).toThrow(/Did you mean "fare"/);
    expect(() => df.sortValues(["fare"], { ascending: [true, false] })).toThrow(/one boolean per column/);
  });
});

describe("nLargest / nSmallest", () => {
  test.prop([frameAndPartitions({ maxRows: 40 }).chain((fp) => byArb(fp.frame).map((by) => ({ ...fp, by }))), fc.integer({ min: 0, max: 12 }), fc.boolean()], { numRuns: 40 })(
    "equal the first n rows of a stable sort (ties: earlier row first)",
    async ({ frame, lengths, by }, n, largest) => {
      const df = fromDanfo(toDanfo(frame), { lengths });
      const names = by.cols.map((j) => frame.names[j]!);
      const got = await computeRows(largest ? df.nLargest(n, names) : df.nSmallest(n, names));
      expect(got.nparts).toBe(1);
      expectRowsInOrder(got.rows, sortRows(specRows(frame), by.cols, by.cols.map(() => !largest)).slice(0, n));
    },
  );

  test.prop([fc.array(fc.tuple(fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constant(null), fc.constant(Number.NaN)), fc.integer({ min: 0, max: 3 })), { minLength: 200, maxLength: 400 }), fc.integer({ min: 1, max: 20 }), fc.boolean()], { numRuns: 10 })(
    "partitions much larger than n take the candidate path (ties, nulls and NaN in the first key)",
    async (rows, n, largest) => {
      const d = new dfd.DataFrame({ a: rows.map((r) => r[0]), b: rows.map((r) => r[1]), pos: rows.map((_, i) => i) }, { dtypes: ["float32", "int32", "int32"] });
      const df = fromDanfo(d, { npartitions: 2 });
      const got = await computeRows(largest ? df.nLargest(n, ["a", "b"]) : df.nSmallest(n, ["a", "b"]));
      const all = rows.map((r, i) => [r[0], r[1], i]);
      expectRowsInOrder(got.rows, sortRows(all, [0, 1], [!largest, !largest]).slice(0, n));
    },
  );

  vtest("Series.nLargest gives the largest values", async () => {
    const s = fromDanfo(new dfd.DataFrame({ x: [3, 9, 1, 9, 4] }), { npartitions: 3 }).column("x");
    expect((await s.nLargest(3).compute({ scheduler: "sync", progress: false })).values).toEqual([9, 9, 4]);
    expect((await s.nSmallest(2).compute({ scheduler: "sync", progress: false })).values).toEqual([1, 3]);
  });
});
