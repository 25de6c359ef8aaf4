/**
 * `sortValues`: a distributed, stable sort on one or several columns (nulls and NaN
 * last), the way Dask's `sort_values` works but lazily in one graph:
 *
 * 1. sample: each partition, read with only the sort columns (projection pushdown:
 *    a CSV/Parquet source is read a second time for just those columns rather than
 *    holding whole partitions until the divisions are known), gives ~256 key tuples;
 * 2. divisions: the weighted 1/n … (n-1)/n quantiles of the samples;
 * 3. range shuffle (../shuffle/shuffle.ts) of the whole rows by those divisions;
 * 4. each output partition is sorted (stable; rows arrive in input order).
 *
 * Rows with equal keys always land in the same output partition, so a key holding 90%
 * of the rows makes one big partition (as in Dask): sort keys should not be that skewed.
 */
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { list, lit, ref, task } from "../../graph/task.js";
import { DataFrame } from "../frame.js";
import { Series } from "../series.js";
import { exprToken } from "../expr/frame-expr.js";
import "../kernels/sort.js";
import { getColumn } from "../meta.js";
import { shuffle } from "../shuffle/shuffle.js";

/** Options of `sortValues`. */
export interface SortValuesOptions {
  /** One flag for all columns or one per column (default true). */
  ascending?: boolean | readonly boolean[];
  /** Output partitions (default: the input's). */
  npartitions?: number;
  inplace?: boolean;
}

/** Rows per partition sampled for the divisions. */
export const SAMPLE_SIZE = 256;

/** Checks `by` / `ascending` and gives one flag per column. */
export function sortSpec(df: DataFrame, by: string | readonly string[], ascending: boolean | readonly boolean[] | undefined, what: string): { by: string[]; ascending: boolean[] } {
  const cols = typeof by === "string" ? [by] : [...by];
  if (cols.length === 0) throw new ValidationError(`${what}: give at least one column to sort by, e.g. ${what}("fare")`);
  for (const c of cols) getColumn(df.meta, c, "the DataFrame");
  const asc = ascending === undefined ? cols.map(() => true) : typeof ascending === "boolean" ? cols.map(() => ascending) : [...ascending];
  if (asc.length !== cols.length || asc.some((a) => typeof a !== "boolean")) {
    throw new ValidationError(`${what}: ascending must be a boolean or one boolean per column (${cols.length}), got ${JSON.stringify(ascending)}`);
  }
  return { by: cols, ascending: asc };
}

/**
 * The frame sorted by `by`.
 * @example df.sortValues(["vendor", "fare"], { ascending: [true, false] })
 */
export function sortValues(df: DataFrame, by: string | readonly string[], options: SortValuesOptions = {}): DataFrame {
  if (options.inplace) throw new ValidationError("sortValues does not support inplace: true on a lazy frame; rebind the variable: df = df.sortValues(...)");
  const spec = sortSpec(df, by, options.ascending, "sortValues");
  const nout = options.npartitions ?? df.npartitions;
  if (!Number.isInteger(nout) || nout < 1) throw new ValidationError(`sortValues: npartitions must be a positive integer, got ${nout}`);
  const full = df.toPartitions();
  const token = [exprToken(df.expr), spec, nout];
  const sortName = makeName("sort-values", ...token);
  if (full.keys.length === 1 && nout === 1) {
    const key = makeKey(sortName, 0);
    const graph = LayeredGraph.from(layer(sortName, [task(key, "dataframe.sort.partition", ref(full.keys[0]!), lit(spec))], [keyName(full.keys[0]!)]), full.graph);
    return DataFrame.fromGraph(graph, [key], full.meta);
  }
  const div = sampleDivisions(df, spec, nout);
  return rangeSorted(df, spec, nout, div, sortName);
}

/**
 * Steps 1-2: samples of the key columns only (projection), then the `nout - 1` division
 * tuples (the value of `key`).
 */
export function sampleDivisions(df: DataFrame, spec: { by: string[]; ascending: boolean[] }, nout: number): { graph: LayeredGraph; key: Key } {
  const token = [exprToken(df.expr), spec, nout];
  const keyParts = df.toPartitions(spec.by);
  const sampleName = makeName("sort-sample", ...token);
  const sampleTasks = keyParts.keys.map((k, i) => task(makeKey(sampleName, i), "dataframe.sort.sample", ref(k), lit(spec.by), lit(SAMPLE_SIZE)));
  const divKey = makeKey(makeName("sort-divisions", ...token));
  const divTask = task(divKey, "dataframe.sort.divisions", list(sampleTasks.map((t) => ref(t.key))), lit(nout), lit(spec.ascending));
  return { graph: LayeredGraph.from(layer(keyName(divKey), [...sampleTasks, divTask], [...new Set(keyParts.keys.map(keyName))]), keyParts.graph), key: divKey };
}

/**
 * Steps 3-4: range shuffle of the whole rows by the divisions that task `div.key`
 * computes (`nout - 1` key tuples; partition j gets [d[j-1], d[j])), then a stable sort
 * of each output partition.
 */
export function rangeSorted(df: DataFrame, spec: { by: string[]; ascending: boolean[] }, nout: number, div: { graph: LayeredGraph; key: Key }, sortName: string): DataFrame {
  const full = df.toPartitions();
  const shuffled = shuffle({ graph: LayeredGraph.merge(full.graph, div.graph), keys: full.keys, meta: full.meta },
    { kind: "range", by: spec.by, ascending: spec.ascending, divisions: div.key }, nout, "sort-shuffle");
  const keys = shuffled.keys.map((_, j) => makeKey(sortName, j));
  const tasks = shuffled.keys.map((k, j) => task(keys[j]!, "dataframe.sort.partition", ref(k), lit(spec)));
  const graph = LayeredGraph.from(layer(sortName, tasks, [keyName(shuffled.keys[0]!)]), shuffled.graph);
  return DataFrame.fromGraph(graph, keys, full.meta);
}

/** A Series as a one-column DataFrame and back (for the Series forms of the shuffle verbs). */
export function seriesAsFrame(s: Series): DataFrame {
  return new DataFrame(s.toFrameExpr());
}

/** The one column of a frame as a Series. */
export function frameAsSeries(df: DataFrame): Series {
  const { graph, keys, meta } = df.toPartitions();
  return Series.fromGraph(graph, keys, meta.columns[0]!);
}

/**
 * danfo's `Series.sortValues({ ascending })`.
 * @example s.sortValues({ ascending: false })
 */
export function seriesSortValues(s: Series, options: { ascending?: boolean; inplace?: boolean } = {}): Series {
  return frameAsSeries(sortValues(seriesAsFrame(s), s.name, options));
}
