/**
 * tk.concat: axis 0 stacks partitions (union of columns, missing ones null, int32 with
 * float64 widened) and equals danfo's concat; axis 1 puts aligned frames side by side
 * with danfo's names for repeated columns, and misaligned frames are a clear error.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { concat, fromDanfo } from "../../src/dataframe/index.js";
import { TaskError, ValidationError } from "../../src/errors.js";
import { frameAndPartitions, toDanfo } from "./helpers/frames.js";
import { computeRows, expectRowsInOrder, specRows } from "./shuffle-reference.js";

afterAll(() => shutdownPools());

describe("concat", () => {
  test.prop([frameAndPartitions({ maxRows: 20 }), frameAndPartitions({ maxRows: 20 })], { numRuns: 25 })(
    "axis 0 of frames with the same columns equals the rows one after the other",
    async (a, b) => {
      const x = fromDanfo(toDanfo(a.frame), { lengths: a.lengths });
      const y = fromDanfo(toDanfo(b.frame), { lengths: b.lengths });
      const out = concat({ dfList: [x, y, x], axis: 0 });
      expect(out.npartitions).toBe(2 * a.lengths.length + b.lengths.length);
      const got = await computeRows(out);
      expectRowsInOrder(got.rows, [...specRows(a.frame), ...specRows(b.frame), ...specRows(a.frame)]);
    },
  );

  vtest("axis 0 with different columns matches danfo (missing columns are null there)", async () => {
    const a = new dfd.DataFrame({ x: [1, 2], s: ["a", "b"] }, { dtypes: ["int32", "string"] });
    const b = new dfd.DataFrame({ x: [1.5, 3], y: [true, false] }, { dtypes: ["float32", "boolean"] });
    const got = await computeRows(concat({ dfList: [fromDanfo(a), fromDanfo(b, { npartitions: 2 })], axis: 0 }));
    const expected = dfd.concat({ dfList: [a, b], axis: 0 }) as dfd.DataFrame;
    expect(got.columns).toEqual(expected.columns);
    expectRowsInOrder(got.rows, (expected.values as unknown[][]).map((r) => r.map((v) => (typeof v === "number" && Number.isNaN(v) ? null : v))));
  });

  vtest("axis 1 puts aligned frames side by side with danfo's names", async () => {
    const a = new dfd.DataFrame({ x: [1, 2, 3], y: [4, 5, 6] });
    const b = new dfd.DataFrame({ x: [7, 8, 9], z: ["p", "q", "r"] });
    const got = await computeRows(concat({ dfList: [fromDanfo(a, { npartitions: 2 }), fromDanfo(b, { npartitions: 2 })], axis: 1 }));
    const expected = dfd.concat({ dfList: [a, b], axis: 1 }) as dfd.DataFrame;
    expect(got.columns).toEqual(expected.columns);
    expectRowsInOrder(got.rows, expected.values as unknown[][]);
  });

  vtest("misaligned frames and bad arguments are clear errors", async () => {
    const a = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }), { npartitions: 2 });
    const b = fromDanfo(new dfd.DataFrame({ y: [1, 2, 3] }), { npartitions: 3 });
    expect(() => concat({ dfList: [a, b], axis: 1 })).toThrow(/frame 0 has 2 partitions but frame 1 has 3/);
    const c = fromDanfo(new dfd.DataFrame({ y: [1, 2, 3] }), { lengths: [1, 2] });
    const a21 = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }), { lengths: [2, 1] });
    await expect(computeRows(concat({ dfList: [a21, c], axis: 1 }))).rejects.toThrow(TaskError);
    await expect(computeRows(concat({ dfList: [a21, c], axis: 1 }))).rejects.toThrow(/partitions do not align/);
    expect(() => concat({ dfList: [] })).toThrow(ValidationError);
    const s = fromDanfo(new dfd.DataFrame({ x: ["a"] }));
    expect(() => concat({ dfList: [a, s] })).toThrow(/column "x" is int32 in one frame and string in another; cast with asType/);
  });
});
