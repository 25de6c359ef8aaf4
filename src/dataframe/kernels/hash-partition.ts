/**
 * Row hashing and bucketing for shuffles, on typed arrays.
 *
 * - A row's hash mixes the hashes of its key columns. Numbers hash by value as doubles
 *   (int32 1 and float64 1.0 hash alike, -0 like 0, every NaN alike), strings by their
 *   UTF-16 code units (once per dictionary entry, not per row), null by a constant: so
 *   equal keys land in the same bucket whatever partition, dtype width or dictionary
 *   they come from.
 * - {@link splitRows} cuts a partition into buckets with one counting pass (rows keep
 *   their order inside a bucket, which is what makes the shuffled sort stable), and
 *   re-encodes string dictionaries to the entries each bucket uses.
 * - {@link concatPartitions} glues buckets back (dictionaries merged).
 */
import type { FrameMeta } from "../meta.js";
import { getBit, isValid, makePartition, partitionMeta, readColumn, type ColumnData, type Partition } from "../partition.js";
import { gather } from "./rowwise.js";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const NULL_HASH = 0x2545f491;

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of a number by value (-0 as 0, one NaN). */
export function hashNumber(x: number): number {
  if (x === 0) x = 0;
  else if (x !== x) return 0x7ff80000;
  f64[0] = x;
  return fmix((u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1)) >>> 0);
}

/** Hash of a string by its code units. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix((h ^ s.length) >>> 0);
}

function columnHashes(c: ColumnData, n: number): Uint32Array {
  const out = new Uint32Array(n);
  switch (c.dtype) {
    case "float64": case "datetime": case "int32": {
      const v = c.values;
      for (let i = 0; i < n; i++) out[i] = hashNumber(v[i]!);
      break;
    }
    case "boolean": {
      const h0 = hashNumber(0); const h1 = hashNumber(1);
      for (let i = 0; i < n; i++) out[i] = getBit(c.values, i) ? h1 : h0;
      break;
    }
    case "string": {
      const dh = new Uint32Array(c.dictionary.length);
      for (let d = 0; d < dh.length; d++) dh[d] = hashString(c.dictionary[d]!);
      const idx = c.indices;
      for (let i = 0; i < n; i++) out[i] = dh[idx[i]!] ?? 0;
      break;
    }
  }
  if (c.validity) for (let i = 0; i < n; i++) if (!isValid(c.validity, i)) out[i] = NULL_HASH;
  return out;
}

/** Hash of every row over the given columns. */
export function hashRows(batch: Partition, columns: readonly string[]): Uint32Array {
  const n = batch.numRows;
  const names = batch.schema.fields.map((f) => f.name);
  let acc: Uint32Array | undefined;
  for (const name of columns) {
    const h = columnHashes(readColumn(batch, names.indexOf(name)), n);
    if (!acc) { acc = h; continue; }
    for (let i = 0; i < n; i++) acc[i] = fmix((Math.imul(acc[i]!, 0x9e3779b1) ^ h[i]!) >>> 0);
  }
  return acc ?? new Uint32Array(n);
}

/** Bucket of every row: hash modulo `n`. */
export function hashBuckets(batch: Partition, columns: readonly string[], n: number): Int32Array {
  const h = hashRows(batch, columns);
  const out = new Int32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = h[i]! % n;
  return out;
}

/** A string column keeping only the dictionary entries it uses (in first-use order). */
export function compactDictionary(c: ColumnData): ColumnData {
  if (c.dtype !== "string") return c;
  const remap = new Int32Array(c.dictionary.length).fill(-1);
  const dictionary: string[] = [];
  const indices = new Int32Array(c.indices.length);
  for (let i = 0; i < indices.length; i++) {
    if (!isValid(c.validity, i)) continue;
    const d = c.indices[i]!;
    let r = remap[d]!;
    if (r < 0) { r = dictionary.length; remap[d] = r; dictionary.push(c.dictionary[d]!); }
    indices[i] = r;
  }
  return { ...c, indices, dictionary };
}

/** Rows of a partition at positions `idx` (dictionaries compacted). */
export function takeRows(batch: Partition, idx: Int32Array, meta: FrameMeta = partitionMeta(batch)): Partition {
  const cols = meta.columns.map((_, j) => compactDictionary(gather(readColumn(batch, j), idx)));
  return makePartition(meta, cols, idx.length);
}

/**
 * Cuts a partition into `n` buckets by `bucket[i]`; rows keep their order in a bucket.
 * Returns a function that makes bucket j on demand, so a caller can stage buckets one
 * at a time (peak memory: the partition plus one bucket, not two copies of it).
 */
export function bucketRows(batch: Partition, bucket: Int32Array, n: number): (j: number) => Partition {
  const meta = partitionMeta(batch);
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < bucket.length; i++) counts[bucket[i]! + 1]!++;
  for (let b = 0; b < n; b++) counts[b + 1]! += counts[b]!;
  const perm = new Int32Array(bucket.length);
  const fill = counts.slice(0, n);
  for (let i = 0; i < bucket.length; i++) perm[fill[bucket[i]!]!++] = i;
  const cols = meta.columns.map((_, j) => readColumn(batch, j));
  return (b) => {
    const idx = perm.subarray(counts[b]!, counts[b + 1]!);
    return makePartition(meta, cols.map((c) => compactDictionary(gather(c, idx))), idx.length);
  };
}

/** Cuts a partition into `n` buckets (all at once). */
export function splitRows(batch: Partition, bucket: Int32Array, n: number): Partition[] {
  const at = bucketRows(batch, bucket, n);
  return Array.from({ length: n }, (_, j) => at(j));
}

/** Concatenates columns of one dtype (string dictionaries merged). */
export function concatColumnData(parts: readonly ColumnData[], lengths: readonly number[]): ColumnData {
  const dtype = parts[0]!.dtype;
  const n = lengths.reduce((a, b) => a + b, 0);
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  if (parts.some((p) => p.validity !== null)) {
    validity = new Uint8Array((n + 7) >> 3);
    let at = 0;
    parts.forEach((p, k) => {
      for (let i = 0; i < lengths[k]!; i++, at++) if (isValid(p.validity, i)) validity![at >> 3]! |= 1 << (at & 7);
      nullCount += p.validity ? p.nullCount : 0;
    });
  }
  switch (dtype) {
    case "string": {
      const codes = new Map<string, number>();
      const dictionary: string[] = [];
      const indices = new Int32Array(n);
      let at = 0;
      parts.forEach((p, k) => {
        if (p.dtype !== "string") throw new TypeError("concatColumnData: mixed dtypes");
        const remap = p.dictionary.map((s) => {
          let c = codes.get(s);
          if (c === undefined) { c = dictionary.length; codes.set(s, c); dictionary.push(s); }
          return c;
        });
        for (let i = 0; i < lengths[k]!; i++) indices[at++] = isValid(p.validity, i) ? remap[p.indices[i]!] ?? 0 : 0;
      });
      return { dtype, indices, dictionary, validity, nullCount };
    }
    case "boolean": {
      const values = new Uint8Array((n + 7) >> 3);
      let at = 0;
      parts.forEach((p, k) => {
        for (let i = 0; i < lengths[k]!; i++, at++) if (getBit((p as { values: Uint8Array }).values, i)) values[at >> 3]! |= 1 << (at & 7);
      });
      return { dtype, values, validity, nullCount };
    }
    case "int32": {
      const values = new Int32Array(n);
      let at = 0;
      parts.forEach((p, k) => { values.set((p as { values: Int32Array }).values.subarray(0, lengths[k]!), at); at += lengths[k]!; });
      return { dtype, values, validity, nullCount };
    }
    default: {
      const values = new Float64Array(n);
      let at = 0;
      parts.forEach((p, k) => { values.set((p as { values: Float64Array }).values.subarray(0, lengths[k]!), at); at += lengths[k]!; });
      return { dtype, values, validity, nullCount } as ColumnData;
    }
  }
}

/** Concatenates partitions of the same meta, in order. */
export function concatPartitions(parts: readonly Partition[], meta: FrameMeta): Partition {
  const nonEmpty = parts.filter((p) => p.numRows > 0);
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const lengths = nonEmpty.map((p) => p.numRows);
  const n = lengths.reduce((a, b) => a + b, 0);
  if (nonEmpty.length === 0) return makePartition(meta, meta.columns.map((c) => emptyColumn(c.dtype)), 0);
  const cols = meta.columns.map((_, j) => concatColumnData(nonEmpty.map((p) => readColumn(p, j)), lengths));
  return makePartition(meta, cols, n);
}

/** An empty column of a dtype. */
export function emptyColumn(dtype: ColumnData["dtype"]): ColumnData {
  switch (dtype) {
    case "string": return { dtype, indices: new Int32Array(0), dictionary: [], validity: null, nullCount: 0 };
    case "boolean": return { dtype, values: new Uint8Array(0), validity: null, nullCount: 0 };
    case "int32": return { dtype, values: new Int32Array(0), validity: null, nullCount: 0 };
    default: return { dtype, values: new Float64Array(0), validity: null, nullCount: 0 } as ColumnData;
  }
}
