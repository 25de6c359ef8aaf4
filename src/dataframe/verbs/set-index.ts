/**
 * `setIndex`, known divisions, `loc` by index label, `repartition({ divisions })`, and
 * what a frame knows about how its rows are partitioned (used by `tk.merge` to join
 * partition by partition without a shuffle).
 *
 * How partitions carry an index: the index column stays an ordinary column of every
 * Arrow partition; the frame remembers its name (and danfo's `drop`) and, once known,
 * per partition the span [lo, hi] of its values (Dask's divisions). `compute()` gives
 * danfo's frame with `setIndex({ column, drop })` applied.
 *
 * Three ways to an indexed frame, as Dask's `set_index`:
 * - `setIndex(col)`: sampled quantiles + range shuffle + per-partition sort (sortValues'
 *   machinery). Divisions are not known at graph-building time (Dask computes the
 *   quantiles eagerly; a JavaScript method cannot block): `await df.computeDivisions()`
 *   computes them from the index column only and rebuilds the shuffle with them;
 * - `setIndex(col, { divisions })`: range shuffle by the given divisions — known at once;
 * - `setIndex(col, { sorted: true })`: no shuffle, the data is already in order;
 *   `computeDivisions()` reads the per-partition [min, max] and fails naming the
 *   partitions that overlap or are out of order.
 *
 * What survives: filters (`query`, `loc` by mask) and column selections that keep the
 * index column unchanged keep the index and divisions; anything else (mapPartitions,
 * changing the index column) forgets them.
 */
import type * as dfd from "danfojs-node";
import { ValidationError } from "../../errors.js";
import { TUSK } from "../../graph/collection.js";
import { computeOne, type ComputeOptions } from "../../graph/compute.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { makeKey, makeName, type Key } from "../../graph/key.js";
import { lit, ref, task } from "../../graph/task.js";
import { DataFrame } from "../frame.js";
import { exprToken, type FrameExpr } from "../expr/frame-expr.js";
import type { Cell } from "../kernels/reduce-access.js";
import type { PartitionBounds } from "../kernels/set-index.js";
import "../kernels/set-index.js";
import { cmpCell } from "../kernels/sort.js";
import { getColumn, isNumeric } from "../meta.js";
import { noInplace, notChunked } from "../series.js";
import { rangeSorted, sampleDivisions, sortValues } from "./sort.js";

/** The index of a frame. */
export interface IndexInfo {
  /** The index column (kept as a column in the partitions). */
  readonly name: string;
  /** danfo's `drop`: the column is not a data column of the computed frame. */
  readonly drop: boolean;
  /**
   * Per partition the inclusive span [lo, hi] its (non-missing) index values may take
   * (null: unbounded on that side), or null for a partition known to be empty;
   * undefined while unknown.
   */
  readonly bounds?: ReadonlyArray<readonly [Cell, Cell] | null>;
  /**
   * n - 1 split points such that partition j holds exactly the values in
   * [split[j-1], split[j]) (missing values in the last): rows of another frame range-
   * shuffled by them land beside their equals. Undefined when not known or not true.
   */
  readonly splits?: readonly Cell[];
  /** How `computeDivisions` learns the bounds (set on the frame setIndex returned). */
  readonly learn?: (options: ComputeOptions) => Promise<DataFrame>;
}

/** What a frame knows about how its rows are partitioned. */
export interface PartitionInfo {
  readonly index?: IndexInfo;
  /** Rows are hash-partitioned by these columns (../shuffle/shuffle.ts), in this order. */
  readonly hash?: readonly string[];
}

const infos = new WeakMap<FrameExpr, PartitionInfo>();
const forgets = new WeakSet<FrameExpr>();

/** The frame `df` with `info` attached (`df` must be a fresh frame from `DataFrame.fromGraph`). */
export function withInfo(df: DataFrame, info: PartitionInfo): DataFrame {
  infos.set(df.expr, info);
  return df;
}

/** What `df` knows about its partitioning (empty when nothing). */
export function partitionInfo(df: DataFrame): PartitionInfo {
  return infoOf(df.expr) ?? {};
}

function infoOf(e: FrameExpr): PartitionInfo | undefined {
  const own = infos.get(e);
  if (own || e.kind !== "rowwise" || forgets.has(e)) return own;
  const up = infoOf(e.input);
  if (!up) return undefined;
  const stage = e.stage;
  // A filter removes rows: spans stay true, the split points too; learn() would drop the filter.
  if (stage.s === "filter") return { ...up, index: up.index && { ...up.index, learn: undefined } };
  const kept = (name: string): boolean => stage.cols.some(([n, x]) => n === name && x.t === "col" && x.name === name);
  const index = up.index && kept(up.index.name) ? { ...up.index, learn: undefined } : undefined;
  const hash = up.hash && up.hash.every(kept) ? up.hash : undefined;
  return index || hash ? { index, hash } : undefined;
}

/** Options of `setIndex` (besides danfo's `{ column, drop }`). */
export interface SetIndexOptions {
  /** The index column (danfo's form: `df.setIndex({ column: "id" })`). */
  column?: string;
  /** danfo's drop: the column leaves the computed frame's columns (default false, as danfo). */
  drop?: boolean;
  /** The frame is already sorted by the column: no shuffle (checked by computeDivisions). */
  sorted?: boolean;
  /** Dask's divisions: npartitions + 1 increasing values; partition j gets [d[j], d[j+1]). */
  divisions?: readonly Cell[];
  /** Output partitions of the sampled shuffle (default: the input's). */
  npartitions?: number;
  inplace?: boolean;
  /** danfo's index given as an array: not available chunked. */
  index?: unknown;
}

function checkDivisions(divisions: readonly Cell[], what: string): void {
  if (!Array.isArray(divisions) || divisions.length < 2) throw new ValidationError(`${what}: divisions must be an array of at least 2 values (npartitions + 1), got ${JSON.stringify(divisions)}`);
  divisions.forEach((d, i) => {
    if (d === null || (typeof d === "number" && Number.isNaN(d))) throw new ValidationError(`${what}: divisions must not hold null or NaN (position ${i})`);
    if (i > 0 && cmpCell(divisions[i - 1]!, d, true) >= 0) {
      throw new ValidationError(`${what}: divisions must be strictly increasing, but position ${i - 1} (${JSON.stringify(divisions[i - 1])}) >= position ${i} (${JSON.stringify(d)})`, { code: "ERR_DIVISIONS" });
    }
  });
}

/** Spans of the partitions a range shuffle by `divisions` makes (open ends unless `exactEnds`). */
function spansOf(divisions: readonly Cell[], exactEnds: boolean): Array<readonly [Cell, Cell]> {
  const n = divisions.length - 1;
  return Array.from({ length: n }, (_, j) => [j === 0 && !exactEnds ? null : divisions[j]!, j === n - 1 && !exactEnds ? null : divisions[j + 1]!] as const);
}

/** A task whose value is `value`. */
function literal(value: unknown, label: string): { graph: LayeredGraph; key: Key } {
  const name = makeName(label, value);
  const key = makeKey(name);
  return { graph: new LayeredGraph([layer(name, [task(key, "dataframe.set-index.literal", lit(value))])]), key };
}

/** `df` range-shuffled and sorted by `column` into the partitions of `divisions` (npartitions + 1 values). */
function byDivisions(df: DataFrame, column: string, divisions: readonly Cell[], label: string): DataFrame {
  const splits = divisions.slice(1, -1).map((d) => [d]);
  return rangeSorted(df, { by: [column], ascending: [true] }, divisions.length - 1, literal(splits, `${label}-divisions`), makeName(label, exprToken(df.expr), column, divisions));
}

/**
 * danfo's `setIndex`: the frame indexed (and partitioned, sorted) by a column.
 * @example df.setIndex("id") ; df.setIndex({ column: "id", drop: true }) ; df.setIndex("t", { sorted: true })
 */
export function setIndex(df: DataFrame, column: string | SetIndexOptions, options: SetIndexOptions = {}): DataFrame {
  const o: SetIndexOptions = typeof column === "string" ? { ...options, column } : { ...column, ...options };
  if (o.inplace) throw new ValidationError("setIndex does not support inplace: true on a lazy frame; rebind the variable: df = df.setIndex(...)");
  if (o.index !== undefined) throw notChunked("setIndex({ index: [labels] })", "df.setIndex({ column: \"id\" }) to index by a column, or (await df.compute()).setIndex({ index })");
  if (typeof o.column !== "string") throw new ValidationError(`setIndex needs the index column, e.g. df.setIndex("id") or df.setIndex({ column: "id" }); got ${JSON.stringify(column)}`);
  const name = getColumn(df.meta, o.column, "the DataFrame").name;
  const drop = o.drop ?? false;
  if (o.divisions !== undefined) checkDivisions(o.divisions, "setIndex");
  if (o.sorted) {
    if (o.divisions && o.divisions.length !== df.npartitions + 1) {
      throw new ValidationError(`setIndex: with sorted: true, divisions must have npartitions + 1 = ${df.npartitions + 1} values, got ${o.divisions.length}`, { code: "ERR_DIVISIONS" });
    }
    const { graph, keys, meta } = df.toPartitions();
    const out = DataFrame.fromGraph(graph, keys, meta);
    const known = o.divisions && { bounds: spansOf(o.divisions, true), splits: o.divisions.slice(1, -1) };
    return withInfo(out, { index: { name, drop, ...known, learn: known ? undefined : (opts) => learnBounds(out, { name, drop }, opts) } });
  }
  if (o.divisions) {
    return withInfo(byDivisions(df, name, o.divisions, "set-index"), { index: { name, drop, bounds: spansOf(o.divisions, false), splits: o.divisions.slice(1, -1) } });
  }
  const nout = o.npartitions ?? df.npartitions;
  if (!Number.isInteger(nout) || nout < 1) throw new ValidationError(`setIndex: npartitions must be a positive integer, got ${nout}`);
  const spec = { by: [name], ascending: [true] };
  const div = sampleDivisions(df, spec, nout);
  const out = rangeSorted(df, spec, nout, div, makeName("set-index", exprToken(df.expr), name, nout));
  return withInfo(out, { index: { name, drop, learn: (opts) => learnSampled(df, name, drop, div, opts) } });
}

/** Computes `keys` of `graph` (values in key order). */
function computeKeys(graph: LayeredGraph, keys: readonly Key[], options: ComputeOptions): Promise<unknown[]> {
  return computeOne<unknown[]>({
    [TUSK]: () => ({ graph, keys, finalize: (v: unknown[]) => v, rebuild: () => { throw new ValidationError("not persistable"); } }),
  }, { progress: false, ...options });
}

/** Per-partition bounds of column `name`, computed from that column only. */
async function boundsOf(df: DataFrame, name: string, options: ComputeOptions, extra?: { graph: LayeredGraph; key: Key }): Promise<{ bounds: PartitionBounds[]; extra: unknown }> {
  const parts = df.toPartitions([name]);
  const bname = makeName("index-bounds", exprToken(df.expr), name);
  const tasks = parts.keys.map((k, i) => task(makeKey(bname, i), "dataframe.set-index.bounds", ref(k), lit(name)));
  let graph = LayeredGraph.from(layer(bname, tasks, [...parts.graph.layers.keys()]), parts.graph);
  if (extra) graph = LayeredGraph.merge(graph, extra.graph);
  const values = await computeKeys(graph, [...tasks.map((t) => t.key), ...(extra ? [extra.key] : [])], options);
  return { bounds: values.slice(0, tasks.length) as PartitionBounds[], extra: extra ? values[tasks.length] : undefined };
}

/** setIndex(col) with its sampled divisions computed, rebuilt as a range shuffle by them. */
async function learnSampled(df: DataFrame, name: string, drop: boolean, div: { graph: LayeredGraph; key: Key }, options: ComputeOptions): Promise<DataFrame> {
  const { bounds, extra } = await boundsOf(df, name, options, div);
  const nonEmpty = bounds.filter((b) => b.min !== null);
  if (nonEmpty.length === 0) {
    // no index values at all (empty, or all missing): the rows are in order as they are
    const { graph, keys, meta } = df.toPartitions();
    return withInfo(DataFrame.fromGraph(graph, keys, meta), { index: { name, drop, bounds: bounds.map((b) => (b.missing > 0 ? [null, null] as const : null)) } });
  }
  const min = nonEmpty.reduce<Cell>((m, b) => (cmpCell(b.min, m, true) < 0 ? b.min : m), nonEmpty[0]!.min);
  const max = nonEmpty.reduce<Cell>((m, b) => (cmpCell(b.max, m, true) > 0 ? b.max : m), nonEmpty[0]!.max);
  const inner: Cell[] = [];
  for (const [d] of extra as Cell[][]) {
    if (d === null || cmpCell(d, min, true) <= 0 || cmpCell(d, max, true) >= 0) continue;
    if (inner.length === 0 || cmpCell(inner[inner.length - 1]!, d, true) < 0) inner.push(d);
  }
  const divisions = [min, ...inner, max];
  return withInfo(byDivisions(df, name, divisions, "set-index"), { index: { name, drop, bounds: spansOf(divisions, true), splits: divisions.slice(1, -1) } });
}

/** The frame with its per-partition bounds read and checked (sorted: true, or after filters). */
async function learnBounds(df: DataFrame, index: { name: string; drop: boolean }, options: ComputeOptions): Promise<DataFrame> {
  const { bounds } = await boundsOf(df, index.name, options);
  const { graph, keys, meta } = df.toPartitions();
  let prev = -1;
  let strict = true;
  bounds.forEach((b, i) => {
    if (!b.ascending) {
      throw new ValidationError(`setIndex(${JSON.stringify(index.name)}, { sorted: true }): partition ${i} is not sorted by ${JSON.stringify(index.name)}. Drop sorted: true to sort it (setIndex shuffles by sampled divisions)`, { code: "ERR_NOT_SORTED" });
    }
    if (b.missing > 0) strict = false;
    if (b.min === null) return;
    if (prev >= 0) {
      const c = cmpCell(bounds[prev]!.max, b.min, true);
      if (c > 0) {
        throw new ValidationError(
          `setIndex(${JSON.stringify(index.name)}, { sorted: true }): partitions ${prev} and ${i} overlap — partition ${prev} ends at ${JSON.stringify(bounds[prev]!.max)} but partition ${i} starts at ${JSON.stringify(b.min)}. ` +
            "Drop sorted: true to sort the data (setIndex shuffles by sampled divisions)",
          { code: "ERR_NOT_SORTED" },
        );
      }
      if (c === 0) strict = false;
    }
    prev = i;
  });
  const spans = bounds.map((b) => (b.min === null ? (b.missing > 0 ? [null, null] as const : null) : [b.min, b.max] as const));
  const splits = strict && bounds.every((b) => b.min !== null) ? bounds.slice(1).map((b) => b.min) : undefined;
  return withInfo(DataFrame.fromGraph(graph, keys, meta), { index: { name: index.name, drop: index.drop, bounds: spans, splits } });
}

/**
 * The frame with its divisions known (Dask's `compute_current_divisions`): after
 * `setIndex(col)`, computes the sampled divisions and the index's min and max from the
 * index column only; after `setIndex(col, { sorted: true })`, reads each partition's
 * [min, max] and checks they do not overlap.
 * @example const indexed = await df.setIndex("id").computeDivisions(); indexed.divisions
 */
export async function computeDivisions(df: DataFrame, options: ComputeOptions = {}): Promise<DataFrame> {
  const index = partitionInfo(df).index;
  if (!index) throw new ValidationError("computeDivisions needs an indexed frame: call df.setIndex(column) first", { code: "ERR_NO_INDEX" });
  if (index.bounds) return df;
  return index.learn ? index.learn(options) : learnBounds(df, index, options);
}

/** Dask's divisions (npartitions + 1 values; null where open or unknown) or undefined. */
export function divisionsOf(df: DataFrame): Cell[] | undefined {
  const b = partitionInfo(df).index?.bounds;
  if (!b) return undefined;
  const firstLo = (j: number): Cell => { for (let k = j; k < b.length; k++) if (b[k]) return b[k]![0]; return null; };
  let lastHi: Cell = null;
  for (let k = b.length - 1; k >= 0; k--) if (b[k]) { lastHi = b[k]![1]; break; }
  return [...b.map((_, j) => firstLo(j)), lastHi];
}

/**
 * The danfo frame of a computed indexed frame (danfo's setIndex applied). danfo's index
 * must be unique: with repeated index values the column stays a column and the index
 * is 0..n-1 (what danfo cannot represent, tusk does not drop).
 */
export function indexDanfo(out: dfd.DataFrame, df: DataFrame): dfd.DataFrame {
  const index = partitionInfo(df).index;
  if (!index || out.shape[0] === 0) return out;
  const labels = out.column(index.name).values as unknown[];
  if (new Set(labels).size !== labels.length) return out;
  return out.setIndex({ column: index.name, drop: index.drop }) as dfd.DataFrame;
}

/**
 * danfo's sortIndex. An indexed frame is already in ascending index order (setIndex sorts
 * it); descending sorts by the index column. A frame without an index is in the order of
 * its default 0..n-1 index. Differences from danfo: descending without an index needs
 * the whole data (compute first).
 */
export function sortIndex(df: DataFrame, options: { ascending?: boolean; inplace?: boolean } = {}): DataFrame {
  noInplace(options, "sortIndex");
  const index = partitionInfo(df).index;
  if (options.ascending ?? true) return df;
  if (!index) throw notChunked("sortIndex({ ascending: false }) without an index", "(await df.compute()).sortIndex({ ascending: false })");
  const { graph, keys, meta } = sortValues(df, index.name, { ascending: false }).toPartitions();
  return withInfo(DataFrame.fromGraph(graph, keys, meta), { index: { name: index.name, drop: index.drop } });
}

/** danfo's resetIndex: the index forgotten (and its column gone when setIndex dropped it). */
export function resetIndex(df: DataFrame): DataFrame {
  const info = partitionInfo(df);
  if (!info.index) return df;
  const keep = info.index.drop ? df.columns.filter((c) => c !== info.index!.name) : df.columns;
  const out = df.loc({ columns: keep });
  if (out === df) return df;
  forgets.add(out.expr);
  if (info.hash && info.hash.every((c) => keep.includes(c))) infos.set(out.expr, { hash: info.hash });
  return out;
}

function within(x: Cell, span: readonly [Cell, Cell]): boolean {
  return (span[0] === null || cmpCell(span[0], x, true) <= 0) && (span[1] === null || cmpCell(x, span[1], true) <= 0);
}

/**
 * Rows by index label: an array of labels, or a `"lo:hi"` string (inclusive, as pandas'
 * label slices; either side may be empty). Only the partitions whose span can hold the
 * labels are read when the divisions are known.
 * Differences from danfo: rows come in frame order, and missing labels are skipped
 * (danfo throws).
 */
export function locByIndex(df: DataFrame, rows: string | readonly unknown[]): DataFrame {
  const index = partitionInfo(df).index;
  if (!index) {
    throw notChunked("loc({ rows: [labels] }) (rows by index label) without an index", "df.setIndex(\"id\").loc({ rows: [1, 2] }), a boolean mask, or (await df.compute()).loc({ rows })");
  }
  const dtype = getColumn(df.meta, index.name).dtype;
  const parse = (s: string): Cell => (isNumeric(dtype) ? Number(s) : s);
  const range = typeof rows === "string" ? rows : rows.length === 1 && typeof rows[0] === "string" && rows[0].includes(":") && dtype !== "string" ? rows[0] : undefined;
  let keep: (span: readonly [Cell, Cell]) => boolean;
  let mask: (s: ReturnType<DataFrame["column"]>) => ReturnType<DataFrame["column"]>;
  if (range !== undefined) {
    const m = /^([^:]*):([^:]*)$/.exec(range);
    if (!m) throw new ValidationError(`loc: a label range must be "lo:hi" (inclusive), got ${JSON.stringify(range)}`);
    const lo = m[1]!.trim() === "" ? null : parse(m[1]!.trim());
    const hi = m[2]!.trim() === "" ? null : parse(m[2]!.trim());
    keep = (span) => (lo === null || span[1] === null || cmpCell(lo, span[1], true) <= 0) && (hi === null || span[0] === null || cmpCell(span[0], hi, true) <= 0);
    mask = (s) => (lo === null ? (hi === null ? s.eq(s) : s.le(hi as never)) : hi === null ? s.ge(lo as never) : s.ge(lo as never).and(s.le(hi as never)));
  } else {
    const labels = [...(rows as readonly Cell[])];
    if (labels.length === 0) throw new ValidationError("loc: give at least one index label, e.g. df.loc({ rows: [1, 2] })");
    keep = (span) => labels.some((l) => within(l, span));
    mask = (s) => labels.slice(1).reduce((m, l) => m.or(s.eq(l as never)), s.eq(labels[0] as never));
  }
  let frame = df;
  if (index.bounds) {
    const { graph, keys, meta } = df.toPartitions();
    const kept = keys.map((_, j) => j).filter((j) => index.bounds![j] !== null && keep(index.bounds![j]!));
    const parts = kept.length > 0 ? kept : [0];
    frame = withInfo(DataFrame.fromGraph(graph, parts.map((j) => keys[j]!), meta), {
      index: { name: index.name, drop: index.drop, bounds: parts.map((j) => index.bounds![j]!) },
    });
  }
  return frame.query(mask(frame.column(index.name)));
}

/**
 * Dask's `repartition(divisions=)`: an indexed frame range-shuffled into the partitions
 * of `divisions` (npartitions + 1 increasing values), sorted by the index.
 * @example df.setIndex("id", { sorted: true }).repartition({ divisions: [0, 100, 200, 300] })
 */
export function repartition(df: DataFrame, options: { divisions?: readonly Cell[] }): DataFrame {
  const index = partitionInfo(df).index;
  if (!options || options.divisions === undefined) throw new ValidationError("repartition needs { divisions: [d0, d1, …, dn] } (npartitions + 1 increasing index values)");
  if (!index) throw new ValidationError("repartition({ divisions }) needs an indexed frame: call df.setIndex(column) first", { code: "ERR_NO_INDEX" });
  checkDivisions(options.divisions, "repartition");
  return withInfo(byDivisions(df, index.name, options.divisions, "repartition"), {
    index: { name: index.name, drop: index.drop, bounds: spansOf(options.divisions, false), splits: options.divisions.slice(1, -1) },
  });
}

/** `df` range-shuffled on `column` by split points (partition j gets [splits[j-1], splits[j])). */
export function alignTo(df: DataFrame, column: string, splits: readonly Cell[]): DataFrame {
  return rangeSorted(df, { by: [column], ascending: [true] }, splits.length + 1, literal(splits.map((d) => [d]), "align-divisions"), makeName("align", exprToken(df.expr), column, splits));
}
