/**
 * dropDuplicates (tree reduction by default, hash shuffle with splitOut) equals
 * pandas' drop_duplicates computed by brute force — keep "first" | "last" | false,
 * subsets, nulls and NaN (null equals null, NaN equals NaN), skewed keys, empty
 * partitions — and danfo's Series.dropDuplicates.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo } from "../../src/dataframe/index.js";
import { ValidationError } from "../../src/errors.js";
import { frameAndPartitions, toDanfo } from "./helpers/frames.js";
import { computeRows, dedupeRows, expectRowsInOrder, expectSameRows, specRows } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

const KEEP = ["first", "last", false] as const;

describe("dropDuplicates", () => {
  test.prop([
    frameAndPartitions({ maxRows: 40, kinds: ["int32", "string", "boolean", "float64"] }),
    fc.subarray([0, 1, 2, 3], { minLength: 1 }),
    fc.constantFrom(...KEEP),
    fc.integer({ min: 1, max: 4 }),
  ], { numRuns: 50 })(
    "equals a brute-force drop_duplicates (in order with splitOut 1; as a multiset with a shuffle)",
    async ({ frame, lengths }, cols, keep, splitOut) => {
      // Small value domains so that duplicates are common.
      const f = { ...frame, columns: frame.columns.map((c, j) => (j === 3 ? c.map((v) => (typeof v === "number" && !Number.isNaN(v) ? Math.round(v) % 3 : v)) : j === 0 ? c.map((v) => (v === null ? null : Number(v) % 3)) : c)) };
      const df = fromDanfo(toDanfo(f), { lengths });
      const subset = cols.map((j) => f.names[j]!);
      const got = await computeRows(df.dropDuplicates({ subset, keep, splitOut }));
      const expected = dedupeRows(specRows(f), cols, keep);
      if (splitOut === 1) expectRowsInOrder(got.rows, expected);
      else expectSameRows(got.rows, expected);
      expect(got.nparts).toBe(splitOut);
    },
  );

  test.prop([fc.integer({ min: 0, max: 60 }).chain((n) => fc.array(fc.oneof({ weight: 9, arbitrary: fc.constant("hot") }, { weight: 1, arbitrary: fc.constantFrom("a", "b", null) }), { minLength: n, maxLength: n })), fc.constantFrom(...KEEP)], { numRuns: 20 })(
    "a skewed column (90% one value) through the shuffle",
    async (values, keep) => {
      const d = values.length ? new dfd.DataFrame({ s: values, i: values.map((_, i) => i) }, { dtypes: ["string", "int32"] }) : new dfd.DataFrame([], { columns: ["s", "i"], dtypes: ["string", "int32"] });
      const got = await computeRows(fromDanfo(d, { npartitions: Math.min(3, Math.max(1, values.length)) }).dropDuplicates({ subset: "s", keep, splitOut: 3 }));
      expectSameRows(got.rows, dedupeRows(values.map((v, i) => [v, i]), [0], keep));
    },
  );

  vtest("Series.dropDuplicates matches danfo", async () => {
    const values = [3, 1, 3, 2, 1, 5, 2, 2];
    for (const keep of ["first", "last"] as const) {
      const expected = new dfd.Series([...values]).dropDuplicates({ keep }).values; // danfo reverses its input in place for keep: "last"
      const s = fromDanfo(new dfd.DataFrame({ x: values }), { npartitions: 3 }).column("x");
      expect((await s.dropDuplicates({ keep }).compute({ scheduler: "sync", progress: false })).values).toEqual(expected);
    }
  });

  vtest("bad options are ValidationErrors", () => {
    const df = fromDanfo(new dfd.DataFrame({ a: [1, 1] }));
    expect(() => df.dropDuplicates({ subset: ["b"] })).toThrow(ValidationError);
    expect(() => df.dropDuplicates({ keep: "middle" as never })).toThrow(/keep must be "first", "last" or false/);
    expect(() => df.dropDuplicates({ splitOut: 0 })).toThrow(/splitOut must be a positive integer/);
  });
});
