/**
 * Distinct values of a column with their counts and first/last positions, as mergeable
 * partials: the state behind `nUnique`, `unique`, `valueCounts` and `mode`. A position
 * is `partition * 2^32 + row`, so merged tables know the global order of appearance
 * (what danfo's `unique` and `valueCounts` orders, and `mode`'s tie order, depend on).
 *
 * Per chunk the work is on typed arrays: string columns count dictionary codes in an
 * Int32Array; numbers go through one Map lookup per row; booleans use three slots. The
 * partial holds one entry per distinct value, so memory is O(distinct values).
 */
import type { Dtype } from "../meta.js";
import { bit, cellsOf, numericView, stringView, type Cell } from "./reduce-access.js";
import type { Data } from "apache-arrow";

/** Distinct values in order of first appearance. */
export interface Distinct {
  values: Cell[];
  counts: number[];
  first: number[];
  last: number[];
}

const PART = 2 ** 32;

/** The distinct table of a column of partition `part`. */
export function distinctOf(data: Data, dtype: Dtype, part: number): Distinct {
  const base = part * PART;
  if (dtype === "string") {
    const v = stringView(data);
    const k = v.dict.length + 1; // slot k-1 = null
    const counts = new Int32Array(k);
    const first = new Int32Array(k).fill(-1);
    const last = new Int32Array(k);
    const codes = v.codes;
    for (let i = 0; i < v.length; i++) {
      let c = codes[i]!;
      if (c < 0) c = k - 1;
      if (counts[c]++ === 0) first[c] = i;
      last[c] = i;
    }
    const slots: number[] = [];
    for (let c = 0; c < k; c++) if (counts[c]! > 0) slots.push(c);
    slots.sort((a, b) => first[a]! - first[b]!);
    return {
      values: slots.map((c) => (c === k - 1 ? null : v.dict[c]!)),
      counts: slots.map((c) => counts[c]!),
      first: slots.map((c) => base + first[c]!),
      last: slots.map((c) => base + last[c]!),
    };
  }
  if (dtype === "boolean") {
    const cells = cellsOf(data);
    return fromCells(cells, base);
  }
  const v = numericView(data);
  const index = new Map<number, number>();
  const out: Distinct = { values: [], counts: [], first: [], last: [] };
  let nullSlot = -1;
  const vals = v.values;
  for (let i = 0; i < v.length; i++) {
    if (v.valid !== null && !bit(v.valid, v.validOffset + i)) {
      if (nullSlot < 0) { nullSlot = out.values.length; out.values.push(null); out.counts.push(0); out.first.push(base + i); out.last.push(0); }
      out.counts[nullSlot]!++;
      out.last[nullSlot] = base + i;
      continue;
    }
    const x = vals[i]!;
    let s = index.get(x);
    if (s === undefined) {
      s = out.values.length;
      index.set(x, s);
      out.values.push(x); out.counts.push(0); out.first.push(base + i); out.last.push(0);
    }
    out.counts[s]!++;
    out.last[s] = base + i;
  }
  return out;
}

function fromCells(cells: readonly Cell[], base: number): Distinct {
  const index = new Map<Cell, number>();
  const out: Distinct = { values: [], counts: [], first: [], last: [] };
  cells.forEach((x, i) => {
    let s = index.get(x);
    if (s === undefined) {
      s = out.values.length;
      index.set(x, s);
      out.values.push(x); out.counts.push(0); out.first.push(base + i); out.last.push(0);
    }
    out.counts[s]!++;
    out.last[s] = base + i;
  });
  return out;
}

/** Merges distinct tables given in partition order. */
export function mergeDistinct(parts: readonly Distinct[]): Distinct {
  if (parts.length === 1) return parts[0]!;
  const index = new Map<Cell, number>();
  const out: Distinct = { values: [], counts: [], first: [], last: [] };
  for (const p of parts) {
    for (let j = 0; j < p.values.length; j++) {
      const x = p.values[j]!;
      const s = index.get(x);
      if (s === undefined) {
        index.set(x, out.values.length);
        out.values.push(x); out.counts.push(p.counts[j]!); out.first.push(p.first[j]!); out.last.push(p.last[j]!);
      } else {
        out.counts[s]! += p.counts[j]!;
        if (p.first[j]! < out.first[s]!) out.first[s] = p.first[j]!;
        if (p.last[j]! > out.last[s]!) out.last[s] = p.last[j]!;
      }
    }
  }
  // Partials may arrive out of order from a combine level: keep first-appearance order.
  const order = out.values.map((_, i) => i).sort((a, b) => out.first[a]! - out.first[b]!);
  return {
    values: order.map((i) => out.values[i]!), counts: order.map((i) => out.counts[i]!),
    first: order.map((i) => out.first[i]!), last: order.map((i) => out.last[i]!),
  };
}

/** True for null and NaN (danfo's missing values). */
export function isMissing(x: Cell): boolean {
  return x === null || (typeof x === "number" && x !== x);
}

/**
 * The modes: the non-missing values with the highest count, ordered as mathjs's `mode`
 * (danfo's) orders them — by when each reached that count, i.e. by its last occurrence.
 * Booleans count as 0/1 (danfo's values are numbers in mathjs).
 */
export function modesOf(d: Distinct): Cell[] {
  let max = 0;
  for (let j = 0; j < d.values.length; j++) if (!isMissing(d.values[j]!) && d.counts[j]! > max) max = d.counts[j]!;
  const idx: number[] = [];
  for (let j = 0; j < d.values.length; j++) if (!isMissing(d.values[j]!) && d.counts[j] === max) idx.push(j);
  idx.sort((a, b) => d.last[a]! - d.last[b]!);
  return idx.map((j) => d.values[j]!);
}

/** True for a string JavaScript treats as an array index (canonical uint32 below 2^32 - 1). */
function isArrayIndex(s: string): boolean {
  if (s.length === 0 || s.length > 10) return false;
  const c = s.charCodeAt(0);
  if (c === 48) return s.length === 1; // "0"
  for (let i = 0; i < s.length; i++) { const d = s.charCodeAt(i); if (d < 48 || d > 57) return false; }
  return Number(s) < 4294967295;
}

/**
 * Order of danfo's `valueCounts` and groupby output: JavaScript object key order over
 * the keys' strings in first-appearance order — integer-like keys ascending, then the
 * others in insertion order. danfo merges entries whose strings are equal; tusk keeps
 * them apart, each right after the first with its string (where danfo's merged entry
 * sits). Returns every index of `keys`. Computed with a stable sort, not an object.
 */
export function objectKeyOrder(keys: readonly string[]): number[] {
  const indexLike: number[] = [];
  const others: number[] = [];
  const value = new Float64Array(keys.length);
  keys.forEach((k, i) => {
    if (isArrayIndex(k)) { value[i] = Number(k); indexLike.push(i); } else others.push(i);
  });
  indexLike.sort((a, b) => value[a]! - value[b]! || a - b);
  if (others.length <= 1) return indexLike.concat(others);
  const byKey = new Map<string, number[]>();
  const firsts: number[][] = [];
  for (const i of others) {
    const list = byKey.get(keys[i]!);
    if (list) list.push(i);
    else { const l = [i]; byKey.set(keys[i]!, l); firsts.push(l); }
  }
  const out = indexLike;
  for (const l of firsts) for (const i of l) out.push(i);
  return out;
}
