/**
 * cumSum / cumProd / cumMax / cumMin carried across random partitionings equal danfo's
 * on the whole column (without missing values, where danfo's rules are usable), and a
 * direct reference with pandas' skip-missing rules otherwise.
 *
 * Tolerance: the carry adds a partition's total at once, (a+b)+(c+d) instead of danfo's
 * ((a+b)+c)+d, so running sums may differ by rounding: |got - danfo| <= 1e-12 × the
 * running sum of |x|; running products relative 1e-12. Max and min are exact.
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
const OPS = ["cumSum", "cumProd", "cumMax", "cumMin"] as const;

function oneColumn(kind: ColumnKind, values: unknown[]): dfd.DataFrame {
  return toDanfo({ names: ["x"], kinds: [kind], columns: [values], nrows: values.length });
}

function seriesArb(kinds: readonly ColumnKind[], options: { nulls?: boolean; nan?: boolean }) {
  return fc.record({ kind: fc.constantFrom(...kinds), n: fc.integer({ min: 0, max: 30 }) })
    .chain(({ kind, n }) => fc.record({ kind: fc.constant(kind), values: columnValues(kind, n, options), lengths: partitionsArb(n) }));
}

function expectRunning(op: (typeof OPS)[number], got: readonly unknown[], expected: readonly unknown[], xs: readonly unknown[], what: string): void {
  expect(got.length, what).toBe(expected.length);
  let scale = 0;
  got.forEach((g, i) => {
    const x = xs[i];
    if (typeof x === "number" && !Number.isNaN(x)) scale += Math.abs(x);
    // danfo leaves the first value of a boolean cumSum/cumProd a boolean ([true, 2, 3]); tusk's are numbers
    const e = typeof expected[i] === "boolean" && (op === "cumSum" || op === "cumProd") ? Number(expected[i]) : expected[i];
    if (e === null || e === undefined || typeof e !== "number" || typeof g !== "number" || op === "cumMax" || op === "cumMin") {
      expect(g === undefined ? null : g, `${what} at ${i}`).toEqual(e === undefined ? null : e);
      return;
    }
    if (Number.isNaN(e) || !Number.isFinite(e)) { expect(g, `${what} at ${i}`).toBe(e); return; }
    // A running product that underflows to subnormals loses relative precision in any
    // association order: differences below the smallest normal double are rounding.
    const tol = op === "cumSum" ? 1e-12 * scale : 1e-12 * Math.max(Math.abs(e), Math.abs(g)) + 2.2250738585072014e-308;
    expect(Math.abs(g - e), `${what} at ${i}: got ${g}, expected ${e}`).toBeLessThanOrEqual(tol);
  });
}

/** pandas' rules: missing values are skipped and stay missing. */
function reference(op: (typeof OPS)[number], xs: readonly unknown[]): unknown[] {
  let acc: number | undefined;
  return xs.map((x) => {
    if (x === null || x === undefined) return null;
    if (typeof x === "number" && Number.isNaN(x)) return NaN;
    const v = Number(x);
    acc = acc === undefined ? v : op === "cumSum" ? acc + v : op === "cumProd" ? acc * v : op === "cumMax" ? Math.max(acc, v) : Math.min(acc, v);
    return typeof x === "boolean" && (op === "cumMax" || op === "cumMin") ? acc === 1 : acc;
  });
}

describe("Series cumulative ops", () => {
  test.prop([seriesArb(["int32", "float64", "boolean"], { nulls: false, nan: false })], { numRuns: 50 })(
    "carried across partitions, equal danfo's", async ({ kind, values, lengths }) => {
      const s = fromDanfo(oneColumn(kind, values), { lengths }).column("x");
      for (const op of OPS) {
        const got = (await s[op]().compute(SYNC)).values as unknown[];
        const expected = values.length === 0 ? [] : oneColumn(kind, values).column("x")[op]().values as unknown[];
        expectRunning(op, got, expected, values, `${op} of ${kind} ${JSON.stringify(values)} in [${lengths}]`);
      }
    });

  test.prop([seriesArb(["int32", "float64", "boolean"], { nulls: true, nan: true })], { numRuns: 50 })(
    "skip missing values and keep them missing (pandas' rules; danfo lets NaN poison the rest)", async ({ kind, values, lengths }) => {
      const s = fromDanfo(oneColumn(kind, values), { lengths }).column("x");
      for (const op of OPS) {
        const got = (await s[op]().compute(SYNC)).values as unknown[];
        expectRunning(op, got, reference(op, values), values, `${op} of ${JSON.stringify(values)} in [${lengths}]`);
      }
    });
});

describe("DataFrame cumulative ops", () => {
  const frames = frameAndPartitions({ kinds: ["int32", "float64", "float64"], nulls: false, nan: false });

  test.prop([frames], { numRuns: 30 })("{ axis: 0 } runs down each column across partitions, as danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    for (const op of OPS) {
      const got = await df[op]({ axis: 0 }).compute(SYNC);
      expect(got.columns).toEqual(frame.names);
      if (frame.nrows === 0) continue;
      const expected = d[op]({ axis: 0 }) as dfd.DataFrame;
      frame.names.forEach((c, j) => expectRunning(op, got.column(c).values as unknown[], expected.column(c).values as unknown[], frame.columns[j]!, `${op} ${c}`));
    }
  });

  test.prop([frames], { numRuns: 30 })("danfo's default (axis 1) runs across the columns of each row", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    for (const op of OPS) {
      const got = await df[op]().compute(SYNC);
      if (frame.nrows === 0) { expect(got.shape[0]).toBe(0); continue; }
      const expected = d[op]() as dfd.DataFrame;
      expectValuesEqual((got.values as unknown[][]).flat(), (expected.values as unknown[][]).flat(), 1e-12, op);
    }
  });

  vtest("the carry is a chain of one small task per partition (depth-first order keeps memory per partition)", async () => {
    const d = new dfd.DataFrame({ x: Array.from({ length: 20 }, (_, i) => i + 1) });
    const s = fromDanfo(d, { npartitions: 5 }).column("x").cumSum();
    const { graph } = s.toPartitions();
    const tasks = [...graph.toGraph().values()];
    expect(tasks.filter((t) => t.op === "dataframe.cumulative.carry")).toHaveLength(4);
    expect(tasks.filter((t) => t.op === "dataframe.cumulative.totals")).toHaveLength(4);
    const out = await s.compute({ scheduler: "threads", progress: false });
    expect(out.values).toEqual(d.column("x").cumSum().values);
  });

  vtest("string columns are refused at graph-building time", () => {
    const df = fromDanfo(new dfd.DataFrame({ a: [1, 2], s: ["x", "y"] }));
    expect(() => df.cumSum({ axis: 0 })).toThrow(ValidationError);
    expect(() => df.cumSum({ axis: 0 })).toThrow(/cumSum is not supported for column "s" \(string\).*df\.loc\(\{ columns: \["a"\] \}\)/);
    expect(() => df.column("s").cumMax()).toThrow(/cumMax is not supported/);
  });
});
