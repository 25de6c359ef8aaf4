/**
 * The reduction, groupby, cumulative and head/tail methods of DataFrame and Series:
 * frame.ts and series.ts delegate to these in one line each.
 *
 * Axis (danfo): DataFrame reductions default to `{ axis: 1 }` (one value per row → a
 * lazy Series); `{ axis: 0 }` reduces each column → a {@link Reduced} whose compute
 * gives danfo's Series indexed by column name. Cumulative ops likewise default to
 * across each row. Series reductions give a `Scalar`.
 */
import type * as dfd from "danfojs-node";
import { ValidationError } from "../../errors.js";
import type { ComputeOptions } from "../../graph/compute.js";
import { partitionsToDanfo, partitionsToDanfoSeries } from "../danfo.js";
import { DataFrame } from "../frame.js";
import type { CumOp } from "../kernels/cumulative.js";
import { Scalar } from "../scalar.js";
import { Series } from "../series.js";
import { cumulative, cumulativeRows } from "./cumulative.js";
import { describeFrame, describedColumns, describeSeries } from "./describe.js";
import { dropDuplicates } from "./drop-duplicates.js";
import { GroupBy, resolveSplitOut } from "./groupby.js";
import { indexDanfo, withInfo } from "./set-index.js";
import { seriesAsFrame } from "./sort.js";
import { checkRows, headPartitions } from "./head-tail.js";
import { Reduced } from "./reduced.js";
import type { Parts } from "./tree-reduce.js";
import {
  frameNUnique, frameNUniqueRows, frameReduce, frameReduceRows, rowCount, seriesNUnique, seriesReduce, seriesUnique, seriesValueCounts,
  type ReduceOptions, type ReductionName, type ValueCountsOptions,
} from "./reductions.js";
import type { Cell } from "../kernels/reduce-access.js";

/** A frame's partitions with only `columns` (in frame order), and the meta to match. */
function partsOf(df: DataFrame, columns?: readonly string[]): Parts {
  const { graph, keys, meta } = df.toPartitions(columns);
  if (!columns) return { graph, keys, meta };
  return { graph, keys, meta: { columns: meta.columns.filter((c) => columns.includes(c.name)) } };
}

/** What a DataFrame reduction returns for its options. */
export type AxisResult<O> = O extends { axis: 0 } ? Reduced<dfd.Series> : Series;

function axisOf(options: ReduceOptions | undefined, what: string): 0 | 1 {
  const axis = options?.axis ?? 1;
  if (axis !== 0 && axis !== 1) throw new ValidationError(`${what}: axis must be 0 or 1, got ${JSON.stringify(axis)}`);
  return axis;
}

/**
 * A DataFrame reduction (`sum`, `mean`, … `mode`) with danfo's `{ axis }`.
 * @example df.sum({ axis: 0 }) // per column; df.sum() // per row, as danfo
 */
export function frameReduction<O extends ReduceOptions & { keep?: number }>(df: DataFrame, op: ReductionName, options?: O): AxisResult<O> {
  if (axisOf(options, op) === 0) return frameReduce(df.toPartitions(), op, options) as AxisResult<O>;
  return frameReduceRows(df.toPartitions(), op) as AxisResult<O>;
}

/** danfo's `df.nUnique(axis)` (a number, default 1: distinct cells per row → lazy Series; 0: per column). */
export function frameNUniqueAxis(df: DataFrame, axis: 0 | 1 = 1): Reduced<dfd.Series> | Series {
  if (axis === 0) return frameNUnique(df.toPartitions());
  if (axis === 1) return frameNUniqueRows(df.toPartitions());
  throw new ValidationError(`nUnique: axis must be 0 or 1, got ${JSON.stringify(axis)}`);
}

/** A cumulative op of a frame (danfo's default axis 1: across each row). */
export function frameCumulative(df: DataFrame, op: CumOp, options?: { axis?: 0 | 1 }): DataFrame {
  const axis = axisOf(options as ReduceOptions, `cum${op}`);
  const r = axis === 0 ? cumulative(df.toPartitions(), op) : cumulativeRows(df.toPartitions(), op);
  return DataFrame.fromGraph(r.graph, r.keys, r.meta);
}

/** A cumulative op of a Series, carried across partitions. */
export function seriesCumulative(s: Series, op: CumOp): Series {
  const { graph, keys, meta } = s.toPartitions();
  const r = cumulative({ graph, keys, meta: { columns: [meta] } }, op);
  return Series.fromGraph(r.graph, r.keys, r.meta.columns[0]!);
}

/** `df.groupby(keys)`. */
export function frameGroupby(df: DataFrame, keys: readonly string[] | string): GroupBy<DataFrame> {
  return new GroupBy<DataFrame>({
    meta: df.meta,
    lower: (columns) => partsOf(df, columns),
    wrap: (graph, keys2, meta, hash) => (hash ? withInfo(DataFrame.fromGraph(graph, keys2, meta), { hash }) : DataFrame.fromGraph(graph, keys2, meta)),
  }, keys);
}

/** `df.describe()`. */
export function frameDescribe(df: DataFrame): Reduced<dfd.DataFrame> {
  return describeFrame(partsOf(df, describedColumns({ meta: df.meta })));
}

/** `await df.head(rows)`: a danfo DataFrame of the first rows. */
export async function frameHead(df: DataFrame, rows = 5, options: ComputeOptions = {}, fromEnd = false): Promise<dfd.DataFrame> {
  checkRows(rows, fromEnd ? "tail" : "head");
  const parts = df.toPartitions();
  return indexDanfo(await partitionsToDanfo(await headPartitions(parts, rows, options, fromEnd), parts.meta), df);
}

/** `await s.head(rows)`: a danfo Series of the first rows. */
export async function seriesHead(s: Series, rows = 5, options: ComputeOptions = {}, fromEnd = false): Promise<dfd.Series> {
  checkRows(rows, fromEnd ? "tail" : "head");
  const { graph, keys, meta } = s.toPartitions();
  return partitionsToDanfoSeries(await headPartitions({ graph, keys, meta: { columns: [meta] } }, rows, options, fromEnd), meta);
}

/** `df.length`: rows, lazily. */
export function frameLength(df: DataFrame): Scalar<number> {
  // One column is enough to count rows (projection keeps the others unread).
  return rowCount(partsOf(df, df.columns.slice(0, 1)));
}

/** `await df.shape()`: `[rows, columns]`. */
export async function frameShape(df: DataFrame, options: ComputeOptions = {}): Promise<[number, number]> {
  return [await frameLength(df).compute(options), df.columns.length];
}

function seriesParts(s: Series) {
  const { graph, keys, meta } = s.toPartitions();
  return { graph, keys, meta: { columns: [meta] } };
}

/** A Series reduction → Scalar (min/max of booleans are booleans; mode is danfo's array). */
export function seriesReduction(s: Series, op: Exclude<ReductionName, "mode">, options?: ReduceOptions): Scalar<number> {
  return seriesReduce(seriesParts(s), op, options) as Scalar<number>;
}

/** `s.mode()` → danfo's array of modes. */
export function seriesMode(s: Series, options?: ReduceOptions): Scalar<Cell[]> {
  return seriesReduce(seriesParts(s), "mode", options) as unknown as Scalar<Cell[]>;
}

/** `s.nUnique()`. */
export function seriesNUniqueOf(s: Series, options?: ValueCountsOptions): Scalar<number> {
  // Many distinct values: distinct rows by a hash shuffle into splitOut pieces, then counted.
  const splitOut = resolveSplitOut(options?.splitOut, s.npartitions, 1, "nUnique");
  if (splitOut > 1) return frameLength(dropDuplicates(seriesAsFrame(s), { splitOut }));
  return seriesNUnique(seriesParts(s), options);
}

/** `s.unique()`. */
export function seriesUniqueOf(s: Series, options?: ReduceOptions): Series {
  return seriesUnique(seriesParts(s), options);
}

/** `s.valueCounts()`. */
export function seriesValueCountsOf(s: Series, options?: ValueCountsOptions): Reduced<dfd.Series> {
  return seriesValueCounts(seriesParts(s), options);
}

/** `s.describe()`. */
export function seriesDescribe(s: Series): Reduced<dfd.Series> {
  return describeSeries(seriesParts(s));
}

/** `s.length`. */
export function seriesLength(s: Series): Scalar<number> {
  return rowCount(seriesParts(s));
}

export type { Reduced, GroupBy, Scalar, ReduceOptions, ValueCountsOptions, Cell };
