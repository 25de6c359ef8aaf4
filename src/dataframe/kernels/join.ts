/**
 * The hash join of two partitions, on typed arrays: a chained hash table over the
 * build side's key hashes (../kernels/hash-partition.ts), probed row by row; equal
 * hashes are confirmed by comparing the key values (numbers by value, so int32 1
 * joins float64 1.0; strings by content across different dictionaries; null joins
 * null and NaN joins NaN, as danfo's and pandas' merge do).
 *
 * Row order: `inner`/`left`/`outer` follow the left rows (each with its matches in
 * right order); `outer` then appends the right rows that matched nothing; `right`
 * follows the right rows. Missing sides are nulls.
 */
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { Dtype, FrameMeta } from "../meta.js";
import { getBit, isValid, makePartition, readColumn, type ColumnData, type Partition } from "../partition.js";
import { compactDictionary, concatPartitions, hashRows } from "./hash-partition.js";

registerOpModule(import.meta.url);

/** How to join. */
export type JoinHow = "inner" | "left" | "right" | "outer";

/** One output column of a join. */
export type JoinColumn =
  | { readonly name: string; readonly dtype: Dtype; readonly from: "key"; readonly left: string; readonly right: string }
  | { readonly name: string; readonly dtype: Dtype; readonly from: "left" | "right"; readonly column: string };

/** Everything a join task needs (plain data). */
export interface JoinPlan {
  readonly leftOn: readonly string[];
  readonly rightOn: readonly string[];
  readonly how: JoinHow;
  readonly columns: readonly JoinColumn[];
}

type Eq = (l: number, r: number) => boolean;

function column(batch: Partition, name: string): ColumnData {
  const j = batch.schema.fields.findIndex((f) => f.name === name);
  return readColumn(batch, j);
}

/** Equality of left row l and right row r on one key column pair. */
export function keyEquality(a: ColumnData, b: ColumnData): Eq {
  const bothNull = (l: number, r: number): boolean | undefined => {
    const lv = isValid(a.validity, l); const rv = isValid(b.validity, r);
    if (!lv || !rv) return !lv && !rv;
    return undefined;
  };
  if (a.dtype === "string" && b.dtype === "string") {
    const ids = new Map<string, number>();
    const rid = Int32Array.from(b.dictionary, (s) => { let x = ids.get(s); if (x === undefined) { x = ids.size; ids.set(s, x); } return x; });
    const lid = Int32Array.from(a.dictionary, (s) => ids.get(s) ?? -1);
    return (l, r) => bothNull(l, r) ?? (lid[a.indices[l]!] === rid[b.indices[r]!]);
  }
  if (a.dtype === "boolean" && b.dtype === "boolean") return (l, r) => bothNull(l, r) ?? (getBit(a.values, l) === getBit(b.values, r));
  const av = (a as { values: Float64Array | Int32Array }).values;
  const bv = (b as { values: Float64Array | Int32Array }).values;
  return (l, r) => {
    const n = bothNull(l, r);
    if (n !== undefined) return n;
    const x = av[l]!; const y = bv[r]!;
    return x === y || (x !== x && y !== y);
  };
}

/**
 * Matching row pairs: `probe` rows in order, each with its `build` matches in order;
 * -1 where a row has no match and is kept.
 */
function matchRows(build: Partition, buildOn: readonly string[], probe: Partition, probeOn: readonly string[], keepUnmatchedProbe: boolean, eqOf: (probeRow: number, buildRow: number) => boolean, matched?: Uint8Array): { p: Int32Array; b: Int32Array } {
  const nb = build.numRows;
  const np = probe.numRows;
  const bh = hashRows(build, buildOn);
  const ph = hashRows(probe, probeOn);
  let cap = 16;
  while (cap < nb * 2) cap *= 2;
  const mask = cap - 1;
  const head = new Int32Array(cap).fill(-1);
  const next = new Int32Array(nb);
  for (let r = nb - 1; r >= 0; r--) { const s = bh[r]! & mask; next[r] = head[s]!; head[s] = r; }
  let outP = new Int32Array(Math.max(16, np));
  let outB = new Int32Array(outP.length);
  let m = 0;
  const push = (p: number, b: number): void => {
    if (m === outP.length) {
      const grow = (x: Int32Array): Int32Array => { const y = new Int32Array(x.length * 2); y.set(x); return y; };
      outP = grow(outP); outB = grow(outB);
    }
    outP[m] = p; outB[m] = b; m++;
  };
  for (let i = 0; i < np; i++) {
    const h = ph[i]!;
    let found = false;
    for (let r = head[h & mask]!; r >= 0; r = next[r]!) {
      if (bh[r] !== h || !eqOf(i, r)) continue;
      push(i, r);
      found = true;
      if (matched) matched[r] = 1;
    }
    if (!found && keepUnmatchedProbe) push(i, -1);
  }
  return { p: outP.subarray(0, m), b: outB.subarray(0, m) };
}

/** Rows at `idx` (-1 gives null); numbers cast to `dtype` (int32 → float64). */
function takeNullable(c: ColumnData, idx: Int32Array, dtype: Dtype): ColumnData {
  const m = idx.length;
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  const valid = (k: number): boolean => { const i = idx[k]!; return i >= 0 && isValid(c.validity, i); };
  for (let k = 0; k < m; k++) {
    if (!valid(k)) {
      if (!validity) validity = new Uint8Array((m + 7) >> 3).fill(0xff);
      validity[k >> 3]! &= ~(1 << (k & 7));
      nullCount++;
    }
  }
  switch (c.dtype) {
    case "string": {
      const out = new Int32Array(m);
      for (let k = 0; k < m; k++) { const i = idx[k]!; if (i >= 0) out[k] = c.indices[i]!; }
      return compactDictionary({ dtype: "string", indices: out, dictionary: c.dictionary, validity, nullCount });
    }
    case "boolean": {
      const out = new Uint8Array((m + 7) >> 3);
      for (let k = 0; k < m; k++) { const i = idx[k]!; if (i >= 0 && getBit(c.values, i)) out[k >> 3]! |= 1 << (k & 7); }
      return { dtype: "boolean", values: out, validity, nullCount };
    }
    default: {
      const out = dtype === "int32" ? new Int32Array(m) : new Float64Array(m);
      const v = c.values;
      for (let k = 0; k < m; k++) { const i = idx[k]!; if (i >= 0) out[k] = v[i]!; }
      return { dtype, values: out, validity, nullCount } as ColumnData;
    }
  }
}

/** The key column: the left key where the left row exists, else the right key. */
function coalesceKey(a: ColumnData, li: Int32Array, b: ColumnData, ri: Int32Array, dtype: Dtype): ColumnData {
  const x = takeNullable(a, li, dtype);
  const y = takeNullable(b, ri, dtype);
  const m = li.length;
  const useRight = (k: number): boolean => li[k]! < 0;
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  for (let k = 0; k < m; k++) {
    const v = useRight(k) ? isValid(y.validity, k) : isValid(x.validity, k);
    if (!v) {
      if (!validity) validity = new Uint8Array((m + 7) >> 3).fill(0xff);
      validity[k >> 3]! &= ~(1 << (k & 7));
      nullCount++;
    }
  }
  if (x.dtype === "string" && y.dtype === "string") {
    const n = x.dictionary.length;
    const out = new Int32Array(m);
    for (let k = 0; k < m; k++) out[k] = useRight(k) ? n + y.indices[k]! : x.indices[k]!;
    return compactDictionary({ dtype: "string", indices: out, dictionary: [...x.dictionary, ...y.dictionary], validity, nullCount });
  }
  if (x.dtype === "boolean" && y.dtype === "boolean") {
    const out = new Uint8Array((m + 7) >> 3);
    for (let k = 0; k < m; k++) if (getBit(useRight(k) ? y.values : x.values, k)) out[k >> 3]! |= 1 << (k & 7);
    return { dtype: "boolean", values: out, validity, nullCount };
  }
  const xv = (x as { values: Float64Array | Int32Array }).values;
  const yv = (y as { values: Float64Array | Int32Array }).values;
  const out = dtype === "int32" ? new Int32Array(m) : new Float64Array(m);
  for (let k = 0; k < m; k++) out[k] = useRight(k) ? yv[k]! : xv[k]!;
  return { dtype, values: out, validity, nullCount } as ColumnData;
}

/** Joins two partitions. */
export function hashJoin(left: Partition, right: Partition, plan: JoinPlan): Partition {
  const lk = plan.leftOn.map((c) => column(left, c));
  const rk = plan.rightOn.map((c) => column(right, c));
  const eqs = lk.map((a, k) => keyEquality(a, rk[k]!));
  const eqLR = (l: number, r: number): boolean => { for (const e of eqs) if (!e(l, r)) return false; return true; };
  let li: Int32Array;
  let ri: Int32Array;
  if (plan.how === "right") {
    const m = matchRows(left, plan.leftOn, right, plan.rightOn, true, (r, l) => eqLR(l, r));
    li = m.b; ri = m.p;
  } else {
    const matched = plan.how === "outer" ? new Uint8Array(right.numRows) : undefined;
    const m = matchRows(right, plan.rightOn, left, plan.leftOn, plan.how !== "inner", eqLR, matched);
    li = m.p; ri = m.b;
    if (matched) {
      let extra = 0;
      for (let r = 0; r < matched.length; r++) if (!matched[r]) extra++;
      if (extra > 0) {
        const l2 = new Int32Array(li.length + extra).fill(-1); l2.set(li);
        const r2 = new Int32Array(ri.length + extra); r2.set(ri);
        let at = li.length;
        for (let r = 0; r < matched.length; r++) if (!matched[r]) r2[at++] = r;
        li = l2; ri = r2;
      }
    }
  }
  const meta: FrameMeta = { columns: plan.columns.map((c) => ({ name: c.name, dtype: c.dtype })) };
  const cols = plan.columns.map((c) => {
    if (c.from === "key") return coalesceKey(column(left, c.left), li, column(right, c.right), ri, c.dtype);
    return c.from === "left" ? takeNullable(column(left, c.column), li, c.dtype) : takeNullable(column(right, c.column), ri, c.dtype);
  });
  return makePartition(meta, cols, li.length);
}

defineOp("dataframe.join", (left: Partition, right: Partition, plan: JoinPlan) => hashJoin(left, right, plan));
/** One partition made of several (the small side of a broadcast join). */
defineOp("dataframe.concat-partitions", (parts: Partition[], meta: FrameMeta) => concatPartitions(parts, meta));
