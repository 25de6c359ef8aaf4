/**
 * Reduction kernels (tree reduction: chunk → combine → aggregate). A chunk task reads
 * one partition and returns a small partial per column (./reduce-stats.ts statistics,
 * the non-missing values for an exact median, or a ./reduce-distinct.ts table); combine
 * merges partials in partition order; aggregate turns the merged partial into plain
 * values that the caller's `finalize` wraps as danfo objects.
 *
 * Median is exact: chunks send their non-missing values (8 bytes per row, as float64)
 * and the aggregate selects the middle with a quickselect, so its memory is one
 * column's values — not the frame's.
 */
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { Dtype } from "../meta.js";
import { fromValues, makePartition, type ColumnData, type Partition } from "../partition.js";
import { cellsOf, columnData, isValid, numericView, type Cell, stringView } from "./reduce-access.js";
import { distinctOf, mergeDistinct, modesOf, objectKeyOrder, type Distinct } from "./reduce-distinct.js";
import { finishStat, mergeAllStats, statsOf, type StatName, type Stats } from "./reduce-stats.js";

registerOpModule(import.meta.url);

/** A column a reduction reads. */
export interface ReduceColumn {
  readonly name: string;
  readonly dtype: Dtype;
}

/** Which partial states a reduction needs. */
export interface ReduceSpec {
  readonly columns: readonly ReduceColumn[];
  readonly stats?: boolean;
  /** Also the second moment (std, var). */
  readonly moments?: boolean;
  /** The non-missing values (median). */
  readonly values?: boolean;
  /** The distinct table (mode, nUnique, unique, valueCounts). */
  readonly distinct?: boolean;
}

/** The partial of one column. */
export interface ColumnPartial {
  s?: Stats;
  v?: Float64Array[];
  d?: Distinct;
}

/** The partials of a chunk (one per column of the spec). */
export function reduceChunk(batch: Partition, spec: ReduceSpec, part: number): ColumnPartial[] {
  return spec.columns.map((col) => {
    const data = columnData(batch, col.name);
    const out: ColumnPartial = {};
    if (col.dtype === "string" && spec.stats && !spec.moments && !spec.values) {
      // count of a string column: non-null cells
      const codes = stringView(data).codes;
      let n = 0;
      for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) n++;
      out.s = { n, sum: 0, comp: 0, min: NaN, max: NaN, m2: 0 };
    } else if (spec.stats || spec.moments || spec.values) {
      if (col.dtype === "string") throw new Error(`column ${JSON.stringify(col.name)} is a string column; this reduction needs numbers`);
      const view = numericView(data);
      if (spec.stats || spec.moments) out.s = statsOf(view, spec.moments ?? false);
      if (spec.values) out.v = [nonMissing(view)];
    }
    if (spec.distinct) out.d = distinctOf(data, col.dtype, part);
    return out;
  });
}

function nonMissing(view: ReturnType<typeof numericView>): Float64Array {
  const out = new Float64Array(view.length);
  let n = 0;
  const vals = view.values;
  for (let i = 0; i < view.length; i++) {
    const x = vals[i]!;
    if (x === x && isValid(view, i)) out[n++] = x;
  }
  return out.subarray(0, n);
}

/** Merges chunk (or combine) partials given in partition order. */
export function reduceCombine(spec: ReduceSpec, parts: readonly ColumnPartial[][]): ColumnPartial[] {
  return spec.columns.map((_, j) => {
    const cols = parts.map((p) => p[j]!);
    const out: ColumnPartial = {};
    if (spec.stats || spec.moments) out.s = mergeAllStats(cols.map((c) => c.s!));
    if (spec.values) out.v = cols.flatMap((c) => c.v!);
    if (spec.distinct) out.d = mergeDistinct(cols.map((c) => c.d!));
    return out;
  });
}

/** What the aggregate step returns. */
export type ReduceOutput =
  | { op: StatName | "median" | "nunique"; values: number[] }
  | { op: "mode"; modes: Cell[][] }
  | { op: "unique"; values: Cell[] }
  | { op: "valueCounts"; values: Cell[]; counts: number[] }
  | { op: "describe"; stats: number[][] };

/** The final operation of a reduction. */
export type FinalOp = StatName | "median" | "nunique" | "mode" | "unique" | "valueCounts" | "describe";

/** Describe's rows, in danfo's order. */
export const DESCRIBE_INDEX = ["count", "mean", "std", "min", "median", "max", "variance"] as const;

/** Turns merged partials into plain values. */
export function reduceAggregate(spec: ReduceSpec, op: FinalOp, parts: readonly ColumnPartial[][]): ReduceOutput {
  const merged = reduceCombine(spec, parts);
  switch (op) {
    case "median": return { op, values: merged.map((c) => median(c.v!)) };
    case "nunique": return { op, values: merged.map((c) => c.d!.values.length) };
    case "mode": return { op, modes: merged.map((c) => modesOf(c.d!)) };
    case "unique": return { op, values: merged[0]!.d!.values.map((x) => (x === 0 ? 0 : x)) }; // a Set stores -0 as 0
    case "valueCounts": {
      const d = merged[0]!.d!;
      const order = objectKeyOrder(d.values.map((x) => String(x)));
      return { op, values: order.map((i) => d.values[i]!), counts: order.map((i) => d.counts[i]!) };
    }
    case "describe":
      return {
        op,
        stats: merged.map((c) => [
          finishStat(c.s!, "count"), finishStat(c.s!, "mean"), finishStat(c.s!, "std"), finishStat(c.s!, "min"),
          median(c.v!), finishStat(c.s!, "max"), finishStat(c.s!, "var"),
        ]),
      };
    default: return { op, values: merged.map((c) => finishStat(c.s!, op)) };
  }
}

/** The exact median of several arrays of values (NaN when empty); mathjs's rule for even counts. */
export function median(chunks: readonly Float64Array[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  if (n === 0) return NaN;
  const all = new Float64Array(n);
  let o = 0;
  for (const c of chunks) { all.set(c, o); o += c.length; }
  const hi = n >> 1;
  const upper = select(all, hi);
  if (n % 2 === 1) return upper;
  // After select, all[0..hi) <= all[hi]: the lower middle is their max.
  let lower = -Infinity;
  for (let i = 0; i < hi; i++) if (all[i]! > lower) lower = all[i]!;
  return (lower + upper) / 2;
}

/** Hoare quickselect: rearranges `a` so `a[k]` is the k-th smallest; returns it. */
function select(a: Float64Array, k: number): number {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median of three pivot
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : (x < z ? x : y < z ? z : y);
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The distinct values of a one-column partial as a one-column partition (Series.unique). */
export function uniquePartition(spec: ReduceSpec, col: ReduceColumn, parts: readonly ColumnPartial[][]): Partition {
  const out = reduceAggregate(spec, "unique", parts) as { values: Cell[] };
  return makePartition({ columns: [{ name: col.name, dtype: col.dtype }] }, [fromValues(col.dtype, out.values)], out.values.length);
}

// ---- row-wise (axis 1) ---------------------------------------------------------------

/** A row-wise reduction over some columns of each row (danfo's `{ axis: 1 }`). */
export type RowOp = StatName | "median" | "mode";

/**
 * Reduces across the given columns of every row, skipping missing values. Counts also
 * count string cells. Returns a one-column partition named `name`.
 */
export function reduceRows(batch: Partition, op: RowOp, columns: readonly ReduceColumn[], name: string): Partition {
  const n = batch.numRows;
  if (op === "count") {
    const counts = new Int32Array(n);
    for (const col of columns) {
      const data = columnData(batch, col.name);
      if (col.dtype === "string") {
        const v = stringView(data);
        for (let i = 0; i < n; i++) if (v.codes[i]! >= 0) counts[i]!++;
      } else {
        const v = numericView(data);
        for (let i = 0; i < n; i++) { const x = v.values[i]!; if (x === x && isValid(v, i)) counts[i]!++; }
      }
    }
    return makePartition({ columns: [{ name, dtype: "int32" }] }, [{ dtype: "int32", values: counts, validity: null, nullCount: 0 }]);
  }
  const views = columns.map((c) => numericView(columnData(batch, c.name)));
  const out = new Float64Array(n);
  const row = new Float64Array(views.length);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (const v of views) { const x = v.values[i]!; if (x === x && isValid(v, i)) row[k++] = x; }
    out[i] = rowValue(row.subarray(0, k), op);
  }
  const col: ColumnData = { dtype: "float64", values: out, validity: null, nullCount: 0 };
  return makePartition({ columns: [{ name, dtype: "float64" }] }, [col]);
}

function rowValue(xs: Float64Array, op: RowOp): number {
  const k = xs.length;
  switch (op) {
    case "sum": { let s = 0; for (const x of xs) s += x; return s; }
    case "mean": { if (k === 0) return NaN; let s = 0; for (const x of xs) s += x; return s / k; }
    case "min": { if (k === 0) return NaN; let m = Infinity; for (const x of xs) if (x < m) m = x; return m; }
    case "max": { if (k === 0) return NaN; let m = -Infinity; for (const x of xs) if (x > m) m = x; return m; }
    case "count": return k;
    case "var": case "std": {
      if (k === 0) return NaN;
      if (k === 1) return 0;
      let s = 0; for (const x of xs) s += x;
      const mean = s / k;
      let ss = 0; for (const x of xs) ss += (x - mean) * (x - mean);
      return op === "var" ? ss / (k - 1) : Math.sqrt(ss / (k - 1));
    }
    case "median": return median([Float64Array.from(xs)]);
    case "mode": {
      if (k === 0) return NaN;
      const counts = new Map<number, number>();
      let best = NaN, max = 0;
      for (const x of xs) {
        const c = (counts.get(x) ?? 0) + 1;
        counts.set(x, c);
        if (c > max) { max = c; best = x; }
      }
      return best;
    }
  }
}

/**
 * Distinct cells per row across the given columns (danfo's `nUnique(1)`: a JavaScript
 * Set over the row, so null and NaN each count once).
 */
export function nuniqueRows(batch: Partition, columns: readonly ReduceColumn[], name: string): Partition {
  const n = batch.numRows;
  const cols = columns.map((c) => cellsOf(columnData(batch, c.name)));
  const out = new Int32Array(n);
  const row = new Set<Cell>();
  for (let i = 0; i < n; i++) {
    row.clear();
    for (const c of cols) row.add(c[i]!);
    out[i] = row.size;
  }
  return makePartition({ columns: [{ name, dtype: "int32" }] }, [{ dtype: "int32", values: out, validity: null, nullCount: 0 }]);
}

// ---- row counts ----------------------------------------------------------------------

/** Rows of a partition. */
export function countRows(batch: Partition): number {
  return batch.numRows;
}

/** The first `n` rows (n >= 0) or the last `-n` rows (n < 0) of a partition, zero-copy. */
export function sliceRows(batch: Partition, n: number): Partition {
  const len = batch.numRows;
  return n >= 0 ? batch.slice(0, Math.min(n, len)) : batch.slice(Math.max(0, len + n), len);
}

defineOp("dataframe.reduce.chunk", reduceChunk);
defineOp("dataframe.reduce.slice", sliceRows);
defineOp("dataframe.reduce.combine", reduceCombine);
defineOp("dataframe.reduce.aggregate", reduceAggregate);
defineOp("dataframe.reduce.rows", reduceRows);
defineOp("dataframe.reduce.unique", uniquePartition);
defineOp("dataframe.reduce.nunique-rows", nuniqueRows);
defineOp("dataframe.reduce.count-rows", countRows);
defineOp("dataframe.reduce.add", (xs: number[]) => xs.reduce((a, b) => a + b, 0));
