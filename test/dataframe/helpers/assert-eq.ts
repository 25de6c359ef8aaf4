/**
 * `assertEq`: a tusk collection computed chunked equals danfo's result on the whole
 * frame (values and dtype labels), and every computed partition matches the declared
 * meta (as dask's `assert_eq` checks `_meta` against each partition).
 *
 * How values compare: null and undefined are equal to each other and to nothing else;
 * NaN equals NaN; numbers are equal when identical or within `rtol` (default 0: exact);
 * Dates by time; strings and booleans by `===`. danfo's index is not compared (tusk
 * results get 0..n-1).
 */
import { expect } from "vitest";
import type * as dfd from "danfojs-node";
import { computeOne, type ComputeOptions } from "../../../src/graph/compute.js";
import { TUSK } from "../../../src/graph/collection.js";
import {
  DataFrame, Series, metaTable, partitionMeta, partitionsToDanfo, partitionsToDanfoSeries, sameMeta, type FrameMeta, type Partition,
} from "../../../src/dataframe/index.js";

export interface AssertEqOptions extends ComputeOptions {
  /** Relative tolerance for numbers (default 0: exact). */
  rtol?: number;
  /** Skip comparing dtype labels (for documented differences). */
  checkDtypes?: boolean;
}

/** Computes a collection's partitions (not concatenated). */
export async function computePartitions(x: DataFrame | Series, options: ComputeOptions = {}): Promise<{ parts: Partition[]; meta: FrameMeta }> {
  const lowered = x.toPartitions();
  const meta: FrameMeta = x instanceof Series ? { columns: [x.meta] } : (lowered.meta as FrameMeta);
  const parts = await computeOne<Partition[]>({
    [TUSK]: () => ({ graph: lowered.graph, keys: lowered.keys, finalize: (v: unknown[]) => v as Partition[], rebuild: () => { throw new Error("no"); } }),
  }, { scheduler: "sync", progress: false, ...options });
  return { parts, meta };
}

/** Throws unless every partition has the declared columns and dtypes. */
export function checkPartitionsMeta(parts: readonly Partition[], meta: FrameMeta): void {
  parts.forEach((p, i) => {
    const found = partitionMeta(p);
    if (!sameMeta(found, meta)) throw new Error(`partition ${i} does not match the declared meta:\n${metaTable(found, meta)}`);
  });
}

function same(a: unknown, b: unknown, rtol: number): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a)) return Number.isNaN(b);
    if (a === b) return true;
    return rtol > 0 && Math.abs(a - b) <= rtol * Math.max(Math.abs(a), Math.abs(b));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b;
}

/** Compares two columns of values; the message names the first differing row. */
export function expectValuesEqual(actual: readonly unknown[], expected: readonly unknown[], rtol = 0, what = "values"): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!same(actual[i], expected[i], rtol)) {
      throw new Error(`${what} differ at row ${i}: got ${String(actual[i])}, expected ${String(expected[i])}\n  got:      ${JSON.stringify(actual)}\n  expected: ${JSON.stringify(expected)}`);
    }
  }
}

function danfoColumnValues(df: dfd.DataFrame): unknown[][] {
  return df.columns.map((c) => (df.shape[0] === 0 ? [] : (df.column(c).values as unknown[])));
}

/**
 * Asserts that a tusk DataFrame/Series computes to `expected` (a danfo DataFrame or
 * Series, or plain `{ columns, dtypes, values }`), checking every partition's meta.
 */
export async function assertEq(
  actual: DataFrame | Series,
  expected: dfd.DataFrame | dfd.Series | { columns: string[]; dtypes?: string[]; values: unknown[][] },
  options: AssertEqOptions = {},
): Promise<void> {
  const { rtol = 0, checkDtypes = true, ...computeOptions } = options;
  const { parts, meta } = await computePartitions(actual, computeOptions);
  checkPartitionsMeta(parts, meta);
  let got: { columns: string[]; dtypes: string[]; values: unknown[][] };
  if (actual instanceof Series) {
    const s = await partitionsToDanfoSeries(parts, actual.meta);
    got = { columns: [actual.name], dtypes: [s.dtype], values: [s.values as unknown[]] };
  } else {
    const d = await partitionsToDanfo(parts, meta);
    got = { columns: d.columns, dtypes: d.dtypes, values: danfoColumnValues(d) };
  }
  let exp: { columns: string[]; dtypes?: string[]; values: unknown[][] };
  if ("values" in expected && Array.isArray((expected as { values: unknown }).values) && !("shape" in expected)) {
    exp = expected as { columns: string[]; dtypes?: string[]; values: unknown[][] };
  } else if (typeof (expected as dfd.DataFrame).column === "function") {
    const d = expected as dfd.DataFrame;
    exp = { columns: d.columns, dtypes: d.dtypes, values: danfoColumnValues(d) };
  } else {
    const s = expected as dfd.Series;
    exp = { columns: [actual instanceof Series ? actual.name : String(s.columns?.[0])], dtypes: [s.dtype], values: [s.values as unknown[]] };
  }
  if (!(actual instanceof Series)) expect(got.columns).toEqual(exp.columns);
  if (checkDtypes && exp.dtypes) expect(got.dtypes).toEqual(exp.dtypes);
  got.values.forEach((v, j) => expectValuesEqual(v, exp.values[j]!, rtol, `column ${JSON.stringify(got.columns[j])}`));
}
