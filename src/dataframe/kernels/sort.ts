/**
 * Sorting kernels on typed arrays: row comparators over one or several columns
 * (ascending or descending each, nulls and NaN last whatever the direction, as pandas'
 * `na_position="last"`), a stable partition sort, key samples for quantile divisions,
 * and range bucketing against divisions (rows equal to a division go to the same
 * bucket, so ties never straddle output partitions).
 *
 * Strings compare by UTF-16 code units (JavaScript's `<`), booleans false < true,
 * datetimes by time.
 */
import { ValidationError } from "../../errors.js";
import type { Cell } from "./reduce-access.js";
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { FrameMeta } from "../meta.js";
import { getBit, isValid, readColumn, type ColumnData, type Partition } from "../partition.js";
import { concatPartitions, takeRows } from "./hash-partition.js";

/** A sort key: columns and a direction per column. */
export interface SortSpec {
  readonly by: readonly string[];
  readonly ascending: readonly boolean[];
}

/** Per-row access to one key column, as numbers where possible. */
interface KeyColumn {
  /** Rank-comparable number of row i (string → dictionary rank), NaN for missing. */
  num(i: number): number;
  /** The cell of row i (for samples and divisions). */
  cell(i: number): Cell;
  readonly kind: "number" | "string" | "boolean";
}

function keyColumn(c: ColumnData): KeyColumn {
  const valid = (i: number): boolean => isValid(c.validity, i);
  switch (c.dtype) {
    case "float64": case "datetime": case "int32": {
      const v = c.values;
      return { kind: "number", num: (i) => (valid(i) ? v[i]! : NaN), cell: (i) => (valid(i) && v[i] === v[i] ? v[i]! : null) };
    }
    case "boolean":
      return { kind: "boolean", num: (i) => (valid(i) ? (getBit(c.values, i) ? 1 : 0) : NaN), cell: (i) => (valid(i) ? getBit(c.values, i) : null) };
    case "string": {
      const order = c.dictionary.map((_, d) => d).sort((a, b) => cmpStr(c.dictionary[a]!, c.dictionary[b]!));
      const rank = new Float64Array(c.dictionary.length);
      let r = 0;
      order.forEach((d, k) => { if (k > 0 && c.dictionary[d] !== c.dictionary[order[k - 1]!]) r++; rank[d] = r; });
      const idx = c.indices;
      return { kind: "string", num: (i) => (valid(i) ? rank[idx[i]!]! : NaN), cell: (i) => (valid(i) ? c.dictionary[idx[i]!]! : null) };
    }
  }
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two numbers with missing (NaN) last whatever the direction. */
function cmpNum(a: number, b: number, asc: boolean): number {
  const an = a !== a; const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a === b ? 0 : (a < b) === asc ? -1 : 1;
}

/** Compares two cells (null last whatever the direction). */
export function cmpCell(a: Cell, b: Cell, asc: boolean): number {
  const an = a === null || (typeof a === "number" && a !== a);
  const bn = b === null || (typeof b === "number" && b !== b);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  if (typeof a === "boolean") return cmpNum(a ? 1 : 0, b ? 1 : 0, asc);
  if (typeof a === "number" && typeof b === "number") return cmpNum(a, b, asc);
  const c = cmpStr(String(a), String(b));
  return asc ? c : -c;
}

/** Compares two key tuples. */
export function cmpTuple(a: readonly Cell[], b: readonly Cell[], ascending: readonly boolean[]): number {
  for (let k = 0; k < a.length; k++) {
    const c = cmpCell(a[k]!, b[k]!, ascending[k]!);
    if (c !== 0) return c;
  }
  return 0;
}

function keyColumns(batch: Partition, by: readonly string[]): KeyColumn[] {
  const names = batch.schema.fields.map((f) => f.name);
  return by.map((b) => {
    const j = names.indexOf(b);
    if (j < 0) throw new ValidationError(`Sort column ${JSON.stringify(b)} is not in the partition (columns: ${names.join(", ")})`);
    return keyColumn(readColumn(batch, j));
  });
}

/** Row order that sorts a partition (stable: ties keep their order). */
export function sortOrder(batch: Partition, spec: SortSpec): Int32Array {
  const n = batch.numRows;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  const cols = keyColumns(batch, spec.by);
  // Materialize each key as a Float64Array of comparable numbers.
  const keys = cols.map((c) => { const a = new Float64Array(n); for (let i = 0; i < n; i++) a[i] = c.num(i); return a; });
  const asc = spec.ascending;
  if (keys.length === 1) {
    const k = keys[0]!; const up = asc[0]!;
    idx.sort((a, b) => cmpNum(k[a]!, k[b]!, up) || a - b);
  } else {
    idx.sort((a, b) => {
      for (let j = 0; j < keys.length; j++) {
        const c = cmpNum(keys[j]![a]!, keys[j]![b]!, asc[j]!);
        if (c !== 0) return c;
      }
      return a - b;
    });
  }
  return idx;
}

/** Key tuples of up to `size` rows spread over the partition, and its row count. */
export function sampleKeys(batch: Partition, by: readonly string[], size: number): { rows: number; sample: Cell[][] } {
  const n = batch.numRows;
  const cols = keyColumns(batch, by);
  const m = Math.min(n, size);
  const sample: Cell[][] = [];
  for (let s = 0; s < m; s++) {
    const i = Math.floor(((s + 0.5) * n) / m);
    sample.push(cols.map((c) => c.cell(i)));
  }
  return { rows: n, sample };
}

/**
 * Divisions for `n` output partitions from weighted samples: the key tuples at the
 * 1/n, 2/n, … quantiles (repeated tuples removed, so fewer cuts when keys repeat).
 */
export function quantileDivisions(samples: ReadonlyArray<{ rows: number; sample: Cell[][] }>, n: number, ascending: readonly boolean[]): Cell[][] {
  const items: Array<{ t: Cell[]; w: number }> = [];
  for (const s of samples) for (const t of s.sample) items.push({ t, w: s.rows / s.sample.length });
  if (items.length === 0 || n <= 1) return [];
  items.sort((a, b) => cmpTuple(a.t, b.t, ascending));
  const total = items.reduce((a, x) => a + x.w, 0);
  const out: Cell[][] = [];
  let acc = 0;
  let k = 1;
  for (const it of items) {
    acc += it.w;
    while (k < n && acc >= (total * k) / n) {
      const last = out[out.length - 1];
      if (!last || cmpTuple(last, it.t, ascending) < 0) out.push(it.t);
      k++;
    }
  }
  // A division that is all-missing would send only missing keys right of it: fine, keep.
  return out;
}

/** Bucket of each row: the number of divisions ≤ the row's key (binary search). */
export function rangeBuckets(batch: Partition, spec: SortSpec, divisions: readonly Cell[][]): Int32Array {
  const n = batch.numRows;
  const out = new Int32Array(n);
  if (divisions.length === 0) return out;
  const cols = keyColumns(batch, spec.by);
  if (cols.length === 1 && cols[0]!.kind !== "string") {
    // One numeric key: binary search over doubles (missing = NaN, last).
    const c = cols[0]!;
    const asc = spec.ascending[0]!;
    const d = Float64Array.from(divisions, (t) => (t[0] === null ? NaN : Number(t[0])));
    for (let i = 0; i < n; i++) {
      const x = c.num(i);
      let lo = 0; let hi = d.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmpNum(d[mid]!, x, asc) <= 0) lo = mid + 1; else hi = mid;
      }
      out[i] = lo;
    }
    return out;
  }
  const row: Cell[] = new Array(cols.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols.length; j++) row[j] = cols[j]!.cell(i);
    let lo = 0; let hi = divisions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpTuple(divisions[mid]!, row, spec.ascending) <= 0) lo = mid + 1; else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

// ---- ops -------------------------------------------------------------------------

registerOpModule(import.meta.url);

/** A partition sorted by a spec (stable). */
export function sortPartition(batch: Partition, spec: SortSpec): Partition {
  if (batch.numRows < 2) return batch;
  return takeRows(batch, sortOrder(batch, spec));
}

/** The first `n` rows of a partition sorted by `spec` (stable). */
export function topRows(batch: Partition, spec: SortSpec, n: number): Partition {
  const rows = batch.numRows;
  if (n < rows / 4) {
    // Only rows whose first key is at least as good as the n-th best can be in the top
    // n (ties on it included): find that value with a native numeric sort of the key,
    // keep the candidates (in row order, so stability holds) and sort just those.
    const first = keyColumns(batch, spec.by.slice(0, 1))[0]!;
    if (first.kind !== "string") {
      const asc = spec.ascending[0]!;
      const vals = new Float64Array(rows);
      let m = 0;
      for (let i = 0; i < rows; i++) { const x = first.num(i); if (x === x) vals[m++] = x; }
      if (m >= n && n > 0) {
        const sorted = vals.subarray(0, m).sort();
        const t = asc ? sorted[n - 1]! : sorted[m - n]!;
        const keep: number[] = [];
        for (let i = 0; i < rows; i++) { const x = first.num(i); if (x === x && (asc ? x <= t : x >= t)) keep.push(i); }
        const cand = takeRows(batch, Int32Array.from(keep));
        const order = sortOrder(cand, spec);
        return takeRows(cand, order.subarray(0, Math.min(n, order.length)));
      }
    }
  }
  const order = sortOrder(batch, spec);
  return order.length <= n && isSorted(order) ? batch : takeRows(batch, order.subarray(0, Math.min(n, order.length)));
}

function isSorted(order: Int32Array): boolean {
  for (let i = 0; i < order.length; i++) if (order[i] !== i) return false;
  return true;
}

defineOp("dataframe.sort.partition", (part: Partition, spec: SortSpec) => sortPartition(part, spec));
defineOp("dataframe.sort.sample", (part: Partition, by: string[], size: number) => sampleKeys(part, by, size));
defineOp("dataframe.sort.divisions", (samples: Array<{ rows: number; sample: Cell[][] }>, n: number, ascending: boolean[]) =>
  quantileDivisions(samples, n, ascending));
defineOp("dataframe.sort.top", (part: Partition, spec: SortSpec, n: number) => topRows(part, spec, n));
defineOp("dataframe.sort.top-combine", (parts: Partition[], spec: SortSpec, n: number, meta: FrameMeta) =>
  topRows(concatPartitions(parts, meta), spec, n));
