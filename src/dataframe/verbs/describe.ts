/**
 * `describe()`: danfo's summary — rows `count mean std min median max variance` (not
 * pandas' quartiles) for every non-string column — from one tree reduction that
 * gathers statistics and, for the exact median, the non-missing values of each column.
 *
 * Differences from danfo: missing values are skipped (danfo's `describe` throws on a
 * null and gives NaN means with a NaN); datetime columns are left out like strings.
 */
import type * as dfd from "danfojs-node";
import { ValidationError } from "../../errors.js";
import { loadDanfo } from "../danfo.js";
import { DESCRIBE_INDEX, type ReduceOutput } from "../kernels/reduce.js";
import { reduceTree } from "./reductions.js";
import { Reduced } from "./reduced.js";
import type { Parts } from "./tree-reduce.js";

/** Columns danfo describes: every non-string one (booleans as 0/1); datetimes are left out. */
export function describedColumns(parts: Pick<Parts, "meta">): string[] {
  return parts.meta.columns.filter((c) => c.dtype !== "string" && c.dtype !== "datetime").map((c) => c.name);
}

/**
 * The summary of a frame's numeric columns → a danfo DataFrame indexed by statistic.
 * @example await describeFrame(df.toPartitions(describedColumns(...))).compute()
 */
export function describeFrame(parts: Parts, options: { splitEvery?: number } = {}): Reduced<dfd.DataFrame> {
  if (parts.meta.columns.length === 0) {
    throw new ValidationError("describe: the frame has no numeric or boolean columns to describe");
  }
  const { graph, key } = reduceTree(parts, "describe", options.splitEvery);
  const names = parts.meta.columns.map((c) => c.name);
  return new Reduced(graph, key, async (v) => {
    const out = v as Extract<ReduceOutput, { op: "describe" }>;
    const danfo = await loadDanfo();
    const obj: Record<string, number[]> = {};
    names.forEach((n, j) => { obj[n] = out.stats[j]!; });
    return new danfo.DataFrame(obj, { index: [...DESCRIBE_INDEX] });
  });
}

/** The summary of a Series → a danfo Series indexed by statistic (string Series: an error, as in danfo). */
export function describeSeries(parts: Parts, options: { splitEvery?: number } = {}): Reduced<dfd.Series> {
  const col = parts.meta.columns[0]!;
  if (col.dtype === "string" || col.dtype === "datetime") {
    throw new ValidationError(`describe: Series ${JSON.stringify(col.name)} is ${col.dtype}; descriptive statistics need numbers or booleans (danfo raises the same)`, { code: "ERR_DTYPE" });
  }
  const { graph, key } = reduceTree(parts, "describe", options.splitEvery);
  return new Reduced(graph, key, async (v) => {
    const out = v as Extract<ReduceOutput, { op: "describe" }>;
    const danfo = await loadDanfo();
    return new danfo.Series(out.stats[0]!, { index: [...DESCRIBE_INDEX] });
  });
}
