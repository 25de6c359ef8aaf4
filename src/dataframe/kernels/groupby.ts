/**
 * Groupby kernels: hash aggregation as a tree reduction.
 *
 * - chunk: dense group codes of the partition's key columns (./hash.ts, on typed
 *   arrays: no string per row), then one pass per value column filling per-group typed
 *   arrays (count, compensated sum, min, max; a second pass for the sum of squared
 *   deviations when std/var are wanted; first/last non-missing; distinct values for
 *   nunique). The partial holds one entry per group.
 * - combine: re-keys the partials' groups with typed hash tables over their typed key
 *   columns (./groupby-keys.ts) and merges states in partition order (Chan et al. for
 *   m2; first from the earliest partition).
 * - aggregate: finishes the statistics and orders rows as danfo does (see
 *   {@link danfoGroupOrder}), returning one partition.
 *
 * Missing values (null, NaN) in value columns are skipped by every aggregation, as in
 * danfo's own reductions and pandas (danfo's groupby itself propagates NaN and counts
 * missing rows: documented difference). Null keys form their own group, as in danfo.
 */
import type { Data } from "apache-arrow";
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { Dtype, FrameMeta } from "../meta.js";
import { fromValues, makePartition, type ColumnData, type Partition } from "../partition.js";
import { batchColumn, cellsOfColumn, concatCodes, indexKeyOrder, takeRows } from "./groupby-keys.js";
import { columnCodes, groupCodes, NumberTable } from "./hash.js";
import { columnData, isValid, numericView, stringView, type Cell } from "./reduce-access.js";
import { objectKeyOrder } from "./reduce-distinct.js";

registerOpModule(import.meta.url);

/** Aggregations of `groupby(...).agg`. */
export const GROUP_AGGS = ["sum", "mean", "count", "min", "max", "std", "var", "first", "last", "nunique"] as const;
/** An aggregation; "size" (rows per group, missing values included) is internal, for valueCounts. */
export type GroupAgg = (typeof GROUP_AGGS)[number] | "size";

/** What a groupby computes. */
export interface GroupSpec {
  readonly keys: ReadonlyArray<{ readonly name: string; readonly dtype: Dtype }>;
  readonly values: ReadonlyArray<{ readonly name: string; readonly dtype: Dtype; readonly ops: readonly GroupAgg[] }>;
}

/** Per-group state of one value column. */
export interface ColState {
  cnt?: Float64Array;
  sum?: Float64Array;
  comp?: Float64Array;
  m2?: Float64Array;
  min?: Float64Array;
  max?: Float64Array;
  first?: Cell[];
  last?: Cell[];
  nu?: Cell[][];
  size?: Float64Array;
}

/** A chunk's or combine's groups and their states. */
export interface GroupPartial {
  n: number;
  /** Key values per key column, one row per group (typed columns, first `n` rows). */
  keys: ColumnData[];
  /** First appearance of each group: partition * 2^32 + row. */
  pos: Float64Array;
  cols: ColState[];
}

const PART = 2 ** 32;

export function needs(ops: readonly GroupAgg[]) {
  const has = (...xs: GroupAgg[]): boolean => xs.some((x) => ops.includes(x));
  return {
    cnt: has("count", "mean", "std", "var", "sum"),
    sum: has("sum", "mean", "std", "var"),
    m2: has("std", "var"),
    min: has("min"), max: has("max"),
    first: has("first"), last: has("last"),
    nu: has("nunique"),
    size: has("size"),
  };
}

function cellAt(data: Data, dtype: Dtype, row: number, view?: ReturnType<typeof numericView>, sview?: ReturnType<typeof stringView>): Cell {
  if (dtype === "string") {
    const c = sview!.codes[row]!;
    return c < 0 ? null : sview!.dict[c]!;
  }
  const v = view!;
  if (!isValid(v, row)) return null;
  const x = v.values[row]!;
  if (dtype === "boolean") return x === 1;
  return x !== x ? null : x;
  void data;
}

/** Aggregates one partition. */
export function groupChunk(batch: Partition, spec: GroupSpec, part: number): GroupPartial {
  const n = batch.numRows;
  const keyCols = spec.keys.map((k) => ({ data: columnData(batch, k.name), dtype: k.dtype }));
  const { codes, ngroups, firstRow } = groupCodes(keyCols, n);
  const keys = spec.keys.map((k) => takeRows([batchColumn(batch, k.name)], null, firstRow));
  const pos = new Float64Array(ngroups);
  for (let g = 0; g < ngroups; g++) pos[g] = part * PART + firstRow[g]!;
  const cols = spec.values.map((col) => chunkColumn(columnData(batch, col.name), col.dtype, col.ops, codes, ngroups));
  return { n: ngroups, keys, pos, cols };
}

function chunkColumn(data: Data, dtype: Dtype, ops: readonly GroupAgg[], codes: Int32Array, ng: number): ColState {
  const need = needs(ops);
  const st: ColState = {};
  const n = codes.length;
  const sview = dtype === "string" ? stringView(data) : undefined;
  const view = dtype === "string" ? undefined : numericView(data);
  const missing = (i: number): boolean => (sview ? sview.codes[i]! < 0 : !isValid(view!, i) || view!.values[i]! !== view!.values[i]!);
  if (need.cnt || need.sum || need.min || need.max) {
    const cnt = new Float64Array(ng);
    const sum = need.sum ? new Float64Array(ng) : undefined;
    const comp = need.sum ? new Float64Array(ng) : undefined;
    const min = need.min ? new Float64Array(ng).fill(Infinity) : undefined;
    const max = need.max ? new Float64Array(ng).fill(-Infinity) : undefined;
    if (sview) {
      const c = sview.codes;
      for (let i = 0; i < n; i++) if (c[i]! >= 0) cnt[codes[i]!]!++;
    } else {
      const vals = view!.values;
      const allValid = view!.valid === null;
      for (let i = 0; i < n; i++) {
        const x = vals[i]!;
        if (x !== x || (!allValid && !isValid(view!, i))) continue;
        const g = codes[i]!;
        cnt[g]!++;
        if (sum) {
          const s = sum[g]!;
          const t = s + x;
          if (Math.abs(s) >= Math.abs(x)) comp![g]! += (s - t) + x;
          else comp![g]! += (x - t) + s;
          sum[g] = t;
        }
        if (min && x < min[g]!) min[g] = x;
        if (max && x > max[g]!) max[g] = x;
      }
    }
    st.cnt = cnt;
    if (sum) { st.sum = sum; st.comp = comp; }
    if (min) st.min = min;
    if (max) st.max = max;
    if (need.m2 && view) {
      const mean = new Float64Array(ng);
      for (let g = 0; g < ng; g++) mean[g] = cnt[g]! > 0 ? (sum![g]! + comp![g]!) / cnt[g]! : 0;
      const ss = new Float64Array(ng), s1 = new Float64Array(ng);
      const vals = view.values;
      for (let i = 0; i < n; i++) {
        const x = vals[i]!;
        if (x !== x || !isValid(view, i)) continue;
        const g = codes[i]!;
        const d = x - mean[g]!;
        ss[g]! += d * d;
        s1[g]! += d;
      }
      const m2 = new Float64Array(ng);
      for (let g = 0; g < ng; g++) m2[g] = cnt[g]! > 0 ? Math.max(0, ss[g]! - (s1[g]! * s1[g]!) / cnt[g]!) : 0;
      st.m2 = m2;
    }
  }
  if (need.first || need.last) {
    const firstRow = new Int32Array(ng).fill(-1);
    const lastRow = new Int32Array(ng).fill(-1);
    for (let i = 0; i < n; i++) {
      if (missing(i)) continue;
      const g = codes[i]!;
      if (firstRow[g]! < 0) firstRow[g] = i;
      lastRow[g] = i;
    }
    const cells = (rows: Int32Array): Cell[] => Array.from(rows, (r) => (r < 0 ? null : cellAt(data, dtype, r, view, sview)));
    if (need.first) st.first = cells(firstRow);
    if (need.last) st.last = cells(lastRow);
  }
  if (need.size) {
    const size = new Float64Array(ng);
    for (let i = 0; i < n; i++) size[codes[i]!]!++;
    st.size = size;
  }
  if (need.nu) {
    const vc = columnCodes(data, dtype);
    const pairs = new NumberTable(ng);
    const nu: Cell[][] = Array.from({ length: ng }, () => []);
    for (let i = 0; i < n; i++) {
      if (missing(i)) continue;
      const g = codes[i]!;
      const before = pairs.size;
      pairs.id(g * vc.ngroups + vc.codes[i]!);
      if (pairs.size > before) nu[g]!.push(cellAt(data, dtype, i, view, sview));
    }
    st.nu = nu;
  }
  return st;
}

function cellKey(c: Cell): Cell {
  return typeof c === "number" && c === 0 ? 0 : c;
}

/** Merges partials given in partition order. */
export function groupCombine(spec: GroupSpec, parts: readonly GroupPartial[]): GroupPartial {
  return parts.length === 1 ? parts[0]! : groupMerge(spec, parts);
}

/** Merges partials given in partition order, also when one partial holds a group several times. */
export function groupMerge(spec: GroupSpec, parts: readonly GroupPartial[]): GroupPartial {
  const total = parts.reduce((n, p) => n + p.n, 0);
  const lengths = parts.map((p) => p.n);
  // Codes of the concatenated key rows: per key column, then folded pairwise.
  let acc: Int32Array | undefined;
  let card = 0;
  for (let j = 0; j < spec.keys.length; j++) {
    const { codes, n } = concatCodes(parts.map((p) => p.keys[j]!), lengths);
    if (acc === undefined) { acc = codes; card = n; continue; }
    const table = new NumberTable(Math.max(card, n));
    for (let i = 0; i < total; i++) acc[i] = table.id(acc[i]! * n + codes[i]!);
    card = table.size;
  }
  const merged = acc ?? new Int32Array(total);
  const ng = acc ? card : Math.min(total, 1);
  const pos = new Float64Array(ng).fill(Infinity);
  const srcPart = new Int32Array(ng);
  const srcRow = new Int32Array(ng);
  const maps: Int32Array[] = [];
  let o = 0;
  parts.forEach((p, pi) => {
    const map = new Int32Array(p.n);
    const ppos = p.pos;
    for (let g = 0; g < p.n; g++) {
      const m = merged[o++]!;
      map[g] = m;
      if (ppos[g]! < pos[m]!) {
        if (pos[m] === Infinity) { srcPart[m] = pi; srcRow[m] = g; }
        pos[m] = ppos[g]!;
      }
    }
    maps.push(map);
  });
  const keys = spec.keys.map((_, j) => takeRows(parts.map((p) => p.keys[j]!), srcPart, srcRow));
  const cols = spec.values.map((col, j) => mergeColumn(col.ops, parts.map((p) => p.cols[j]!), maps, ng));
  return { n: ng, keys, pos, cols };
}

function mergeColumn(ops: readonly GroupAgg[], states: readonly ColState[], maps: readonly Int32Array[], ng: number): ColState {
  const need = needs(ops);
  const out: ColState = {};
  if (states[0]!.cnt) out.cnt = new Float64Array(ng);
  if (need.sum) { out.sum = new Float64Array(ng); out.comp = new Float64Array(ng); }
  if (states[0]!.m2) out.m2 = new Float64Array(ng);
  if (need.min) out.min = new Float64Array(ng).fill(Infinity);
  if (need.max) out.max = new Float64Array(ng).fill(-Infinity);
  if (need.first) out.first = new Array<Cell>(ng).fill(null);
  if (need.last) out.last = new Array<Cell>(ng).fill(null);
  if (need.size) out.size = new Float64Array(ng);
  const sets: Set<Cell>[] | undefined = need.nu ? Array.from({ length: ng }, () => new Set<Cell>()) : undefined;
  states.forEach((s, p) => {
    const map = maps[p]!;
    for (let g = 0; g < map.length; g++) {
      const m = map[g]!;
      if (out.cnt && s.cnt) {
        const na = out.cnt[m]!, nb = s.cnt[g]!;
        if (out.m2 && s.m2 && nb > 0) {
          if (na === 0) out.m2[m] = s.m2[g]!;
          else {
            const ma = (out.sum![m]! + out.comp![m]!) / na;
            const mb = (s.sum![g]! + s.comp![g]!) / nb;
            const d = mb - ma;
            out.m2[m] = out.m2[m]! + s.m2[g]! + (d * d * na * nb) / (na + nb);
          }
        }
        out.cnt[m] = na + nb;
      }
      if (out.sum && s.sum) {
        const a = out.sum[m]!, x = s.sum[g]!;
        const t = a + x;
        out.comp![m]! += (Math.abs(a) >= Math.abs(x) ? (a - t) + x : (x - t) + a) + s.comp![g]!;
        out.sum[m] = t;
      }
      if (out.size && s.size) out.size[m]! += s.size[g]!;
      if (out.min && s.min && s.min[g]! < out.min[m]!) out.min[m] = s.min[g]!;
      if (out.max && s.max && s.max[g]! > out.max[m]!) out.max[m] = s.max[g]!;
      if (out.first && s.first && out.first[m] === null) out.first[m] = s.first[g]!;
      if (out.last && s.last && s.last[g] !== null) out.last[m] = s.last[g]!;
      if (sets && s.nu) for (const x of s.nu[g]!) sets[m]!.add(cellKey(x));
    }
  });
  if (sets) out.nu = sets.map((s) => [...s]);
  return out;
}

/** Output column name of an aggregation, as danfo names it. */
export function aggColumnName(column: string, op: GroupAgg): string {
  return `${column}_${op}`;
}

/** Output dtype of an aggregation of a column of `dtype`. */
export function aggDtype(dtype: Dtype, op: GroupAgg): Dtype {
  switch (op) {
    case "count": case "nunique": case "size": return "int32";
    case "min": case "max": case "first": case "last": return dtype;
    default: return "float64";
  }
}

/** The meta of a groupby result: key columns, then `column_op` per aggregation. */
export function groupMeta(spec: GroupSpec): FrameMeta {
  return {
    columns: [
      ...spec.keys.map((k) => ({ name: k.name, dtype: k.dtype })),
      ...spec.values.flatMap((v) => v.ops.map((op) => ({ name: aggColumnName(v.name, op), dtype: aggDtype(v.dtype, op) }))),
    ],
  };
}

/**
 * danfo's row order for groups (from its `Groupby.group` and `colKeyDict`): a group is
 * named by its key values joined with "-" (null as ""), groups are ordered as a
 * JavaScript object orders those names (integer-like names ascending, then the others
 * in first-appearance order), then regrouped by the part before the first "-" in the
 * same object order. Returns group indices; `byFirstAppearance` must be in order.
 */
export function danfoGroupOrder(keys: Cell[][], byFirstAppearance: readonly number[]): number[] {
  const names = byFirstAppearance.map((g) => (keys.length === 1 ? nameCell(keys[0]![g]!) : keys.map((k) => nameCell(k[g]!)).join("-")));
  const ordered = objectKeyOrder(names);
  if (!names.some((n) => n.includes("-"))) return ordered.map((i) => byFirstAppearance[i]!);
  // regroup by the part before the first "-", heads in object key order of first insertion
  const heads = ordered.map((i) => { const n = names[i]!; const d = n.indexOf("-"); return d < 0 ? n : n.slice(0, d); });
  return objectKeyOrder(heads).map((j) => byFirstAppearance[ordered[j]!]!);
}

function nameCell(c: Cell): string {
  return c === null ? "" : String(c);
}

/** danfo's order of merged groups (typed fast path for one index-like numeric key). */
function groupOrder(merged: GroupPartial): number[] {
  if (merged.keys.length === 1) {
    const fast = indexKeyOrder(merged.keys[0]!, merged.n, merged.pos);
    if (fast) return fast;
  }
  const appearance = Array.from({ length: merged.n }, (_, g) => g).sort((a, b) => merged.pos[a]! - merged.pos[b]!);
  return danfoGroupOrder(merged.keys.map((k) => cellsOfColumn(k, merged.n)), appearance);
}

/** Finishes the statistics and builds the result partition. */
export function groupAggregate(spec: GroupSpec, parts: readonly GroupPartial[]): Partition {
  return finishGroups(spec, groupCombine(spec, parts));
}

/** The result partition of merged groups (each group once), in danfo's group order. */
export function finishGroups(spec: GroupSpec, merged: GroupPartial): Partition {
  const order = groupOrder(merged);
  const meta = groupMeta(spec);
  const columns: ColumnData[] = merged.keys.map((k) => takeRows([k], null, Int32Array.from(order)));
  spec.values.forEach((col, j) => {
    const s = merged.cols[j]!;
    for (const op of col.ops) columns.push(finishColumn(col.dtype, op, s, order));
  });
  return makePartition(meta, columns, order.length);
}

function finishColumn(dtype: Dtype, op: GroupAgg, s: ColState, order: readonly number[]): ColumnData {
  const n = order.length;
  switch (op) {
    case "count": case "nunique": case "size": {
      const out = new Int32Array(n);
      order.forEach((g, i) => { out[i] = op === "count" ? s.cnt![g]! : op === "size" ? s.size![g]! : s.nu![g]!.length; });
      return { dtype: "int32", values: out, validity: null, nullCount: 0 };
    }
    case "first": case "last":
      return fromValues(dtype, order.map((g) => (op === "first" ? s.first! : s.last!)[g]!));
    case "min": case "max": {
      const arr = op === "min" ? s.min! : s.max!;
      const cells: Cell[] = order.map((g) => (s.cnt![g]! === 0 ? null : dtype === "boolean" ? arr[g] === 1 : arr[g]!));
      if (dtype === "float64") return { dtype, values: Float64Array.from(cells, (c) => (c === null ? NaN : (c as number))), validity: null, nullCount: 0 };
      return fromValues(dtype, cells);
    }
    default: {
      const out = new Float64Array(n);
      order.forEach((g, i) => {
        const c = s.cnt![g]!;
        const sum = s.sum![g]! + s.comp![g]!;
        out[i] = op === "sum" ? sum : op === "mean" ? (c === 0 ? NaN : sum / c)
          : c === 0 ? NaN : c === 1 ? 0 : op === "var" ? s.m2![g]! / (c - 1) : Math.sqrt(s.m2![g]! / (c - 1));
      });
      return { dtype: "float64", values: out, validity: null, nullCount: 0 };
    }
  }
}

defineOp("dataframe.groupby.chunk", groupChunk);
defineOp("dataframe.groupby.combine", groupCombine);
defineOp("dataframe.groupby.aggregate", groupAggregate);
