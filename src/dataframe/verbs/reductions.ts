/**
 * Reductions of DataFrames and Series (danfo's `sum mean min max count std var median
 * mode nUnique unique valueCounts`), as tree reductions over the lowered partitions.
 *
 * - Series → a `Scalar` (compute gives a number; `mode` gives danfo's array of modes).
 * - DataFrame with `{ axis: 0 }` → a {@link Reduced} whose compute gives a danfo Series
 *   indexed by column name, as danfo's does.
 * - DataFrame with `{ axis: 1 }` — **danfo's default** — → a lazy tusk Series, one
 *   value per row, computed per partition (fused with the steps before it).
 *
 * Accumulation is float64 with compensated (Neumaier) sums and Chan's merge for the
 * second moment; missing values (null, NaN) are skipped, as in danfo. Differences from
 * danfo: an empty column gives NaN for mean/min/max/std/var/median (danfo: undefined or
 * an exception); `sum` of a frame with string columns is an error naming them (danfo
 * returns NaN for those). Booleans reduce as 1/0 (as danfo maps them), so min, max and
 * mode of a boolean Series are numbers, as in danfo.
 */
import type * as dfd from "danfojs-node";
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { list, lit, ref, task } from "../../graph/task.js";
import { groupMeta, type GroupSpec } from "../kernels/groupby.js";
import "../kernels/join.js";
import type { Partition } from "../partition.js";
import { resolveSplitOut, splitGroupby } from "./groupby.js";
import { loadDanfo } from "../danfo.js";
import type { ColumnMeta, Dtype, FrameMeta } from "../meta.js";
import { Scalar } from "../scalar.js";
import { Series } from "../series.js";
import { cellsOf, type Cell } from "../kernels/reduce-access.js";
import "../kernels/reduce.js";
import type { FinalOp, ReduceColumn, ReduceOutput, ReduceSpec, RowOp } from "../kernels/reduce.js";
import type { StatName } from "../kernels/reduce-stats.js";
import { Reduced } from "./reduced.js";
import { mapParts, treeReduce, type Parts } from "./tree-reduce.js";

/** Options of a reduction. */
export interface ReduceOptions {
  /** 0: per column; 1: per row (danfo's default for DataFrames). */
  axis?: 0 | 1;
  /** Partials per combine task of the tree (default 8). */
  splitEvery?: number;
}

/** The reductions of a DataFrame/Series. */
export type ReductionName = StatName | "median" | "mode";

const NUMERIC_OK: Record<ReductionName, readonly Dtype[]> = {
  sum: ["float64", "int32", "boolean"],
  mean: ["float64", "int32", "boolean"],
  std: ["float64", "int32", "boolean"],
  var: ["float64", "int32", "boolean"],
  median: ["float64", "int32", "boolean"],
  mode: ["float64", "int32", "boolean"],
  min: ["float64", "int32", "boolean", "datetime"],
  max: ["float64", "int32", "boolean", "datetime"],
  count: ["float64", "int32", "boolean", "datetime", "string"],
};

/** Checks that `op` applies to every column; the error lists the offending and the usable columns. */
export function checkReducible(meta: FrameMeta, op: string, allowed: readonly Dtype[], what: string): void {
  const bad = meta.columns.filter((c) => !allowed.includes(c.dtype));
  if (bad.length === 0) return;
  const good = meta.columns.filter((c) => allowed.includes(c.dtype)).map((c) => JSON.stringify(c.name));
  const badList = bad.map((c) => `${JSON.stringify(c.name)} (${c.dtype})`).join(", ");
  throw new ValidationError(
    `${op} is not supported for ${what} ${badList}: it needs ${allowed.join(" or ")} columns. ` +
      (good.length > 0 && bad.length < meta.columns.length
        ? `Select the columns it applies to first: df.loc({ columns: [${good.join(", ")}] }).${op}(...)`
        : `Convert the column first, e.g. asType(column, "float32"), or drop it.`),
    { code: "ERR_DTYPE" },
  );
}

function columnsOf(meta: FrameMeta): ReduceColumn[] {
  return meta.columns.map((c) => ({ name: c.name, dtype: c.dtype }));
}

function specFor(op: FinalOp, meta: FrameMeta): ReduceSpec {
  const columns = columnsOf(meta);
  switch (op) {
    case "median": return { columns, values: true };
    case "mode": case "nunique": case "unique": case "valueCounts": return { columns, distinct: true };
    case "describe": return { columns, stats: true, moments: true, values: true };
    case "std": case "var": return { columns, stats: true, moments: true };
    default: return { columns, stats: true };
  }
}

/** Builds the tree of a reduction; returns the graph and the aggregate key. */
export function reduceTree(parts: Parts, op: FinalOp, splitEvery?: number): { graph: LayeredGraph; key: Key } {
  const spec = specFor(op, parts.meta);
  return treeReduce(parts, {
    prefix: op.toLowerCase(),
    chunk: { op: "dataframe.reduce.chunk", args: [spec] },
    chunkIndex: true,
    combine: { op: "dataframe.reduce.combine", args: [spec] },
    aggregate: { op: "dataframe.reduce.aggregate", args: [spec, op] },
    splitEvery,
  });
}

/** danfo maps a boolean Series' values to 1/0 before reducing: modes of booleans are numbers. */
function modeCells(modes: Cell[]): Cell[] {
  return modes.map((m) => (typeof m === "boolean" ? Number(m) : m));
}

/**
 * A Series reduction → Scalar.
 * @example await seriesReduce(s.toPartitions(), "mean").compute()
 */
export function seriesReduce(parts: Parts, op: ReductionName, options: ReduceOptions = {}): Scalar<number | boolean | Cell[]> {
  checkReducible(parts.meta, op, NUMERIC_OK[op], "Series");
  const { graph, key } = reduceTree(parts, op, options.splitEvery);
  return Scalar.fromGraph(graph, key, (v) => {
    const out = v as ReduceOutput;
    if (out.op === "mode") return modeCells(out.modes[0]!);
    return (out as { values: number[] }).values[0]!;
  });
}

/** A Series' number of distinct values (null and NaN count as values, as in danfo). */
export function seriesNUnique(parts: Parts, options: ReduceOptions = {}): Scalar<number> {
  const { graph, key } = reduceTree(parts, "nunique", options.splitEvery);
  return Scalar.fromGraph(graph, key, (v) => (v as { values: number[] }).values[0]!);
}

/** A Series' distinct values in order of first appearance (one partition). */
export function seriesUnique(parts: Parts, options: ReduceOptions = {}): Series {
  const col = parts.meta.columns[0]!;
  const { graph, key } = treeReduce(parts, {
    prefix: "unique",
    chunk: { op: "dataframe.reduce.chunk", args: [specFor("unique", parts.meta)] },
    chunkIndex: true,
    combine: { op: "dataframe.reduce.combine", args: [specFor("unique", parts.meta)] },
    aggregate: { op: "dataframe.reduce.unique", args: [specFor("unique", parts.meta), col] },
    splitEvery: options.splitEvery,
  });
  return Series.fromGraph(graph, [key], col);
}

/** Options of `valueCounts`. */
export interface ValueCountsOptions extends ReduceOptions {
  /**
   * Partitions the counting is split into (Dask's `split_out`, for millions of distinct
   * values): the per-partition counts are hash-shuffled by value and each bucket is
   * finished apart (../kernels/groupby-split.ts), so no task holds every distinct value
   * until the final result is assembled. `true` chooses from the input's partitions.
   * Differences: with n > 1 the values come bucket by bucket (each bucket in danfo's
   * order), not in danfo's overall order.
   */
  splitOut?: number | boolean;
}

/**
 * A Series' value counts → a danfo Series of counts indexed by value, in danfo's order.
 * Differences from danfo: index labels are the values themselves (danfo turns them into
 * `parseInt(value)` when that is truthy, so 1.5 and 1 collide).
 */
export function seriesValueCounts(parts: Parts, options: ValueCountsOptions = {}): Reduced<dfd.Series> {
  const col = parts.meta.columns[0]!;
  const splitOut = resolveSplitOut(options.splitOut, parts.keys.length, 1, "valueCounts");
  const toSeries = async (values: readonly Cell[], counts: readonly number[]): Promise<dfd.Series> => {
    const danfo = await loadDanfo();
    return new danfo.Series([...counts], { index: values.map((x) => (x === null ? "null" : typeof x === "number" && Number.isNaN(x) ? "NaN" : x)) as never });
  };
  if (splitOut > 1) {
    const spec: GroupSpec = { keys: [{ name: col.name, dtype: col.dtype }], values: [{ name: col.name, dtype: col.dtype, ops: ["size"] }] };
    const split = splitGroupby(parts, spec, splitOut);
    const key = makeKey(makeName("value-counts-gather", split.keys));
    const gather = task(key, "dataframe.concat-partitions", list(split.keys.map(ref)), lit(groupMeta(spec)));
    const graph = LayeredGraph.from(layer(keyName(key), [gather], [keyName(split.keys[0]!)]), split.graph);
    return new Reduced(graph, key, (v) => {
      const batch = v as Partition;
      return toSeries(cellsOf(batch.data.children[0]!), Array.from(cellsOf(batch.data.children[1]!), Number));
    });
  }
  const { graph, key } = reduceTree(parts, "valueCounts", options.splitEvery);
  return new Reduced(graph, key, (v) => {
    const out = v as { values: Cell[]; counts: number[] };
    return toSeries(out.values, out.counts);
  });
}

/**
 * A DataFrame reduction along axis 0 → a danfo Series indexed by column name.
 * `mode` takes danfo's `keep` (which mode when several tie; default 0).
 */
export function frameReduce(parts: Parts, op: ReductionName, options: ReduceOptions & { keep?: number } = {}): Reduced<dfd.Series> {
  checkReducible(parts.meta, op, NUMERIC_OK[op], "DataFrame column");
  const { graph, key } = reduceTree(parts, op, options.splitEvery);
  const names = parts.meta.columns.map((c) => c.name);
  return new Reduced(graph, key, async (v) => {
    const out = v as ReduceOutput;
    const danfo = await loadDanfo();
    if (out.op === "mode") {
      const keep = options.keep ?? 0;
      return new danfo.Series(out.modes.map((m) => modeCells(m)).map((m) => (m.length === 1 ? m[0] : m[keep]) ?? NaN) as never, { index: names });
    }
    const values = (out as { values: number[] }).values;
    return new danfo.Series(values, { index: names, dtypes: [op === "count" ? "int32" : "float32"] });
  });
}

/** A DataFrame's number of distinct values per column (danfo's `nUnique(0)`). */
export function frameNUnique(parts: Parts, options: ReduceOptions = {}): Reduced<dfd.Series> {
  const { graph, key } = reduceTree(parts, "nunique", options.splitEvery);
  const names = parts.meta.columns.map((c) => c.name);
  return new Reduced(graph, key, async (v) => {
    const danfo = await loadDanfo();
    return new danfo.Series((v as { values: number[] }).values, { index: names, dtypes: ["int32"] });
  });
}

/**
 * A DataFrame reduction along axis 1 (danfo's default): one value per row, computed
 * per partition → a lazy Series named after the operation.
 */
export function frameReduceRows(parts: Parts, op: RowOp): Series {
  checkReducible(parts.meta, op, NUMERIC_OK[op], "DataFrame column");
  const columns = columnsOf(parts.meta);
  const out: ColumnMeta = { name: op, dtype: op === "count" ? "int32" : "float64" };
  const { graph, keys } = mapParts(parts, `${op}-rows`, "dataframe.reduce.rows", [op, columns, out.name]);
  return Series.fromGraph(graph, keys, out);
}

/** Distinct cells of each row (danfo's default `nUnique(1)`), per partition → a lazy int32 Series. */
export function frameNUniqueRows(parts: Parts): Series {
  const out: ColumnMeta = { name: "nUnique", dtype: "int32" };
  const { graph, keys } = mapParts(parts, "nunique-rows", "dataframe.reduce.nunique-rows", [columnsOf(parts.meta), out.name]);
  return Series.fromGraph(graph, keys, out);
}

/** Rows of a frame: a Scalar (sum of per-partition row counts). */
export function rowCount(parts: Parts, options: ReduceOptions = {}): Scalar<number> {
  const { graph, key } = treeReduce(parts, {
    prefix: "length",
    chunk: { op: "dataframe.reduce.count-rows", args: [] },
    combine: { op: "dataframe.reduce.add", args: [] },
    aggregate: { op: "dataframe.reduce.add", args: [] },
    splitEvery: options.splitEvery,
  });
  return Scalar.fromGraph(graph, key);
}
