/**
 * Key columns of groupby partials as typed columns ({@link ColumnData}), not arrays of
 * cells: a chunk gathers its groups' first rows straight from the Arrow buffers, a
 * merge codes the concatenated key rows of several partials with typed hash tables
 * (numbers by value with -0 = 0 and one NaN, booleans by bit, strings by text through
 * each partial's dictionary, null apart), and the result is gathered again. Typed
 * columns also cross worker threads as buffers instead of cloned JS arrays.
 */
import { getBit, isValid, readColumn, type ColumnData, type Partition } from "../partition.js";
import { IntTable, NumberTable } from "./hash.js";
import type { Cell } from "./reduce-access.js";

type NumericColumn = Exclude<ColumnData, { dtype: "string" }>;

/** The column `name` of a batch as buffers. */
export function batchColumn(batch: Partition, name: string): ColumnData {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`groupby: no column ${JSON.stringify(name)} in the batch`);
  return readColumn(batch, i);
}

/** The cell of row `i` (null when missing; booleans as booleans, datetimes as milliseconds). */
export function cellOf(c: ColumnData, i: number): Cell {
  if (c.validity !== null && !isValid(c.validity, i)) return null;
  switch (c.dtype) {
    case "string": return c.dictionary[c.indices[i]!]!;
    case "boolean": return getBit(c.values, i);
    default: return c.values[i]!;
  }
}

/** The cells of the first `n` rows. */
export function cellsOfColumn(c: ColumnData, n: number): Cell[] {
  const out: Cell[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = cellOf(c, i);
  return out;
}

function validityOf(n: number, valid: (i: number) => boolean): { validity: Uint8Array | null; nullCount: number } {
  let bits: Uint8Array | null = null;
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (valid(i)) { if (bits) bits[i >> 3]! |= 1 << (i & 7); continue; }
    if (!bits) { bits = new Uint8Array((n + 7) >> 3); for (let j = 0; j < i; j++) bits[j >> 3]! |= 1 << (j & 7); }
    nullCount++;
  }
  return { validity: bits, nullCount };
}

/**
 * Row `row[i]` of column `cols[part[i]]` for each i, as one column of the columns' dtype
 * (a string result gets its own compact dictionary, each text once).
 */
export function takeRows(cols: readonly ColumnData[], part: Int32Array | null, row: Int32Array): ColumnData {
  const m = row.length;
  const src = (i: number): ColumnData => cols[part === null ? 0 : part[i]!]!;
  const { validity, nullCount } = cols.some((c) => c.validity !== null)
    ? validityOf(m, (i) => { const c = src(i); return c.validity === null || isValid(c.validity, row[i]!); })
    : { validity: null, nullCount: 0 };
  const c0 = cols[0]!;
  switch (c0.dtype) {
    case "float64": case "datetime": {
      const out = new Float64Array(m);
      if (part === null) { const a = c0.values; for (let i = 0; i < m; i++) out[i] = a[row[i]!]!; }
      else for (let i = 0; i < m; i++) out[i] = ((cols[part[i]!] as NumericColumn).values as Float64Array)[row[i]!]!;
      return { dtype: c0.dtype, values: out, validity, nullCount };
    }
    case "int32": {
      const out = new Int32Array(m);
      if (part === null) { const a = c0.values; for (let i = 0; i < m; i++) out[i] = a[row[i]!]!; }
      else for (let i = 0; i < m; i++) out[i] = ((cols[part[i]!] as NumericColumn).values as Int32Array)[row[i]!]!;
      return { dtype: "int32", values: out, validity, nullCount };
    }
    case "boolean": {
      const out = new Uint8Array((m + 7) >> 3);
      for (let i = 0; i < m; i++) if (getBit((src(i) as NumericColumn).values as Uint8Array, row[i]!)) out[i >> 3]! |= 1 << (i & 7);
      return { dtype: "boolean", values: out, validity, nullCount };
    }
    case "string": {
      const dictionary: string[] = [];
      const byText = new Map<string, number>();
      const remaps = cols.map((c) => new Int32Array(c.dtype === "string" ? c.dictionary.length : 0).fill(-1));
      const indices = new Int32Array(m);
      for (let i = 0; i < m; i++) {
        const p = part === null ? 0 : part[i]!;
        const c = cols[p]! as Extract<ColumnData, { dtype: "string" }>;
        const r = row[i]!;
        if (c.validity !== null && !isValid(c.validity, r)) continue;
        const d = c.indices[r]!;
        const remap = remaps[p]!;
        let x = remap[d]!;
        if (x < 0) {
          const s = c.dictionary[d]!;
          x = byText.get(s) ?? -1;
          if (x < 0) { x = dictionary.length; dictionary.push(s); byText.set(s, x); }
          remap[d] = x;
        }
        indices[i] = x;
      }
      return { dtype: "string", indices, dictionary, validity, nullCount };
    }
  }
}

/**
 * Dense codes (first appearance order) of the first `lengths[p]` rows of each column,
 * concatenated: equal keys get equal codes, null its own.
 */
export function concatCodes(cols: readonly ColumnData[], lengths: readonly number[]): { codes: Int32Array; n: number } {
  const total = lengths.reduce((a, b) => a + b, 0);
  const codes = new Int32Array(total);
  let o = 0;
  const c0 = cols[0];
  if (c0 === undefined) return { codes, n: 0 };
  if (c0.dtype === "string") {
    const byText = new Map<string, number>();
    let nullCode = -1;
    let next = 0;
    cols.forEach((c, p) => {
      const s = c as Extract<ColumnData, { dtype: "string" }>;
      const remap = new Int32Array(s.dictionary.length).fill(-1);
      for (let i = 0; i < lengths[p]!; i++) {
        if (s.validity !== null && !isValid(s.validity, i)) { if (nullCode < 0) nullCode = next++; codes[o++] = nullCode; continue; }
        const d = s.indices[i]!;
        let x = remap[d]!;
        if (x < 0) {
          const t = s.dictionary[d]!;
          x = byText.get(t) ?? -1;
          if (x < 0) { x = next++; byText.set(t, x); }
          remap[d] = x;
        }
        codes[o++] = x;
      }
    });
    return { codes, n: next };
  }
  if (c0.dtype === "boolean") {
    const map = new Int32Array(3).fill(-1);
    let next = 0;
    cols.forEach((c, p) => {
      for (let i = 0; i < lengths[p]!; i++) {
        const s = c.validity !== null && !isValid(c.validity, i) ? 2 : getBit((c as NumericColumn).values as Uint8Array, i) ? 1 : 0;
        let g = map[s]!;
        if (g < 0) { g = next++; map[s] = g; }
        codes[o++] = g;
      }
    });
    return { codes, n: next };
  }
  const ints = cols.every((c) => c.dtype === "int32");
  const table = ints ? new IntTable(lengths.reduce((a, b) => Math.max(a, b), 0)) : new NumberTable(lengths.reduce((a, b) => Math.max(a, b), 0));
  let nullCode = -1;
  for (let p = 0; p < cols.length; p++) {
    const c = cols[p] as NumericColumn;
    const n = lengths[p]!;
    const valid = c.validity;
    if (ints) {
      const vals = c.values as Int32Array, t = table as IntTable;
      if (valid === null) { for (let i = 0; i < n; i++) codes[o++] = t.id(vals[i]!); continue; }
      for (let i = 0; i < n; i++) {
        if (!isValid(valid, i)) { if (nullCode < 0) nullCode = t.reserve(); codes[o++] = nullCode; } else codes[o++] = t.id(vals[i]!);
      }
      continue;
    }
    const vals = c.values as Float64Array, t = table as NumberTable;
    for (let i = 0; i < n; i++) {
      if (valid !== null && !isValid(valid, i)) { if (nullCode < 0) nullCode = t.reserve(); codes[o++] = nullCode; } else codes[o++] = t.id(vals[i]!);
    }
  }
  return { codes, n: table.size };
}

const MAX_INDEX = 4294967295; // names of JavaScript array indices are below 2^32 - 1

/**
 * danfo's group order for a single numeric key column whose non-missing values are all
 * array indices (integers in [0, 2^32 - 1)), without a string per group: such names sort
 * ascending and contain no "-", then the null and NaN groups (names "" and "NaN") follow
 * in first appearance. Undefined when the fast path does not apply.
 */
export function indexKeyOrder(c: ColumnData, n: number, pos: Float64Array): number[] | undefined {
  if (c.dtype !== "int32" && c.dtype !== "float64" && c.dtype !== "datetime") return undefined;
  const vals = c.values;
  const idx: number[] = [];
  const rest: number[] = [];
  let max = 0;
  for (let g = 0; g < n; g++) {
    if (c.validity !== null && !isValid(c.validity, g)) { rest.push(g); continue; }
    const v = vals[g]!;
    if (v !== v) { rest.push(g); continue; }
    if (!(v >= 0 && v < MAX_INDEX && Math.floor(v) === v)) return undefined;
    if (v > max) max = v;
    idx.push(g);
  }
  let scale = 1;
  while (scale < n) scale *= 2;
  let sorted: number[];
  if ((max + 1) * scale <= 2 ** 53) {
    const packed = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) packed[i] = vals[idx[i]!]! * scale + idx[i]!;
    packed.sort();
    sorted = new Array<number>(idx.length);
    for (let i = 0; i < packed.length; i++) sorted[i] = packed[i]! % scale;
  } else {
    sorted = idx.sort((a, b) => vals[a]! - vals[b]!);
  }
  rest.sort((a, b) => pos[a]! - pos[b]!);
  for (const g of rest) sorted.push(g);
  return sorted;
}
