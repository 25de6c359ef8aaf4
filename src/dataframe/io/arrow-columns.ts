/**
 * Arrow data from elsewhere (Parquet files, user tables) → tusk column buffers, with a
 * typed-array loop per column (never per cell through `get(i)`):
 * - floats and 8/16/32-bit integers → float64 or int32;
 * - Int64/UInt64 (BigInt64Array) → int32 when the declared dtype is int32 (the reader
 *   checked that every value fits), else float64 (exact up to 2^53);
 * - Timestamp (any unit) and Date32/Date64 → datetime (float64 ms since the epoch);
 * - Utf8/LargeUtf8 → dictionary-encoded strings; Dictionary<Utf8> keeps its dictionary;
 * - Bool → bit-packed booleans.
 */
import type { Data, Vector } from "apache-arrow";
import { ValidationError } from "../../errors.js";
import type { Dtype } from "../meta.js";
import type { ColumnData } from "../partition.js";
import { concatColumnData } from "../kernels/hash-partition.js";

function bitmapSlice(bitmap: Uint8Array | null | undefined, offset: number, length: number): Uint8Array | null {
  if (!bitmap || bitmap.length === 0) return null;
  if (offset % 8 === 0) return bitmap.slice(offset >> 3, (offset + length + 7) >> 3);
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    const j = offset + i;
    if (bitmap[j >> 3]! & (1 << (j & 7))) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

const TIME_UNIT_MS = [1000, 1, 1e-3, 1e-6]; // arrow-js TimeUnit: SECOND, MILLISECOND, MICROSECOND, NANOSECOND

/** True when every valid value of a BigInt64 column fits in int32 (its high word is the sign of its low word). */
export function int64FitsInt32(values: BigInt64Array | BigUint64Array, validity: Uint8Array | null): boolean {
  const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const unsigned = values instanceof BigUint64Array;
  for (let i = 0; i < values.length; i++) {
    if (validity !== null && (validity[i >> 3]! & (1 << (i & 7))) === 0) continue;
    const lo = w[2 * i]!;
    const hi = w[2 * i + 1]!;
    if (unsigned ? hi !== 0 || lo < 0 : hi !== lo >> 31) return false;
  }
  return true;
}

const decoder = new TextDecoder();

/**
 * Dictionary-encodes a Utf8/LargeUtf8 column. Strings of up to 6 bytes (codes, tickers,
 * airports: the common case for repeated values) are looked up by their bytes packed
 * into one exact double, so each row costs a number Map lookup and no string decode;
 * longer strings are decoded and looked up by value.
 */
function stringsToDictionary(data: Data, length: number, validity: Uint8Array | null): { indices: Int32Array; dictionary: string[] } {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const bytes = data.values as Uint8Array;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // LargeUtf8 offsets are int64: read them as pairs of int32 words (no BigInt per row).
  const words = offsets instanceof BigInt64Array ? new Int32Array(offsets.buffer, offsets.byteOffset, offsets.length * 2) : undefined;
  const small = words === undefined ? (offsets as Int32Array) : undefined;
  const codes = new Map<string, number>();
  const short = new Map<number, number>();
  const dictionary: string[] = [];
  const indices = new Int32Array(length);
  const lookup = (str: string): number => {
    let c = codes.get(str);
    if (c === undefined) { c = dictionary.length; codes.set(str, c); dictionary.push(str); }
    return c;
  };
  for (let i = 0; i < length; i++) {
    if (validity !== null && (validity[i >> 3]! & (1 << (i & 7))) === 0) continue;
    const j = data.offset + i;
    const s = small !== undefined ? small[j]! : (words![2 * j]! >>> 0) + words![2 * j + 1]! * 4294967296;
    const e = small !== undefined ? small[j + 1]! : (words![2 * j + 2]! >>> 0) + words![2 * j + 3]! * 4294967296;
    const n = e - s;
    if (n <= 6) {
      let key = n;
      for (let k = s, m = 8; k < e; k++, m *= 256) key += bytes[k]! * m;
      let c = short.get(key);
      if (c === undefined) { c = lookup(buf.toString("utf8", s, e)); short.set(key, c); }
      indices[i] = c;
    } else indices[i] = lookup(n < 32 ? buf.toString("utf8", s, e) : decoder.decode(bytes.subarray(s, e)));
  }
  return { indices, dictionary };
}

function dictionaryStrings(dict: Vector | undefined): string[] {
  if (!dict) return [];
  const out: string[] = new Array(dict.length);
  let i = 0;
  for (const v of dict) out[i++] = v === null || v === undefined ? "" : String(v);
  return out;
}

/** One Arrow chunk as column buffers of dtype `dtype`. */
export function arrowDataToColumn(data: Data, dtype: Dtype, name: string): ColumnData {
  const n = data.length;
  const validity = data.nullCount > 0 ? bitmapSlice(data.nullBitmap, data.offset, n) : null;
  const nullCount = validity ? data.nullCount : 0;
  const typeName = String(data.type);
  const t = data.type as unknown as { typeId: number; unit?: number };
  const values = data.values as ArrayLike<number | bigint> & ArrayBufferView;
  const off = data.offset;
  const unsupported = (): never => {
    throw new ValidationError(`Column ${JSON.stringify(name)} has Arrow type ${typeName}, which cannot be read as ${dtype}; cast it first`);
  };
  switch (dtype) {
    case "float64": case "int32": {
      if (typeName.startsWith("Timestamp") || typeName.startsWith("Date") || typeName.startsWith("Dictionary") || typeName.includes("Utf8") || typeName === "Bool") unsupported();
      const out = dtype === "int32" ? new Int32Array(n) : new Float64Array(n);
      if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
        // Read the int64 as two int32 words (no BigInt per row): v = hi * 2^32 + lo (exact below 2^53).
        const w = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
        const unsigned = values instanceof BigUint64Array;
        if (dtype === "int32") for (let i = 0; i < n; i++) out[i] = w[2 * (off + i)]!;
        else if (unsigned) for (let i = 0; i < n; i++) out[i] = (w[2 * (off + i)]! >>> 0) + (w[2 * (off + i) + 1]! >>> 0) * 4294967296;
        else for (let i = 0; i < n; i++) out[i] = (w[2 * (off + i)]! >>> 0) + w[2 * (off + i) + 1]! * 4294967296;
      } else if (dtype === "float64" && values instanceof Float64Array) {
        out.set(values.subarray(off, off + n));
      } else {
        const v = values as ArrayLike<number>;
        for (let i = 0; i < n; i++) out[i] = v[off + i]!;
      }
      return dtype === "int32"
        ? { dtype, values: out as Int32Array, validity, nullCount }
        : { dtype, values: out as Float64Array, validity, nullCount };
    }
    case "datetime": {
      const out = new Float64Array(n);
      if (typeName.startsWith("Timestamp")) {
        const scale = TIME_UNIT_MS[t.unit ?? 1]!;
        const v = values as unknown as BigInt64Array;
        for (let i = 0; i < n; i++) out[i] = Number(v[off + i]!) * scale;
      } else if (typeName.startsWith("Date")) {
        const v = values as ArrayLike<number | bigint>;
        // Date32 holds days (Int32Array); Date64 holds ms (two int32 words per value in arrow-js).
        if (values instanceof Int32Array && typeName.includes("DAY")) for (let i = 0; i < n; i++) out[i] = (v[off + i] as number) * 86400000;
        else if (values instanceof Int32Array) for (let i = 0; i < n; i++) out[i] = (values[2 * (off + i)]! >>> 0) + values[2 * (off + i) + 1]! * 4294967296;
        else for (let i = 0; i < n; i++) out[i] = Number(v[off + i]!);
      } else if (values instanceof Float64Array) out.set(values.subarray(off, off + n));
      else unsupported();
      return { dtype, values: out, validity, nullCount };
    }
    case "boolean": {
      if (typeName !== "Bool") unsupported();
      const bits = bitmapSlice(data.values as Uint8Array, off, n) ?? new Uint8Array((n + 7) >> 3);
      return { dtype, values: bits, validity, nullCount };
    }
    case "string": {
      if (typeName.startsWith("Dictionary")) {
        const idx = data.values as ArrayLike<number | bigint>;
        const indices = idx instanceof Int32Array ? idx.slice(off, off + n) : Int32Array.from({ length: n }, (_, i) => Number(idx[off + i]!));
        return { dtype, indices, dictionary: dictionaryStrings(data.dictionary), validity, nullCount };
      }
      if (!typeName.includes("Utf8")) unsupported();
      return { dtype, ...stringsToDictionary(data, n, validity), validity, nullCount };
    }
  }
}

/** Concatenates columns of one dtype (re-encoding string dictionaries); see concatColumnData. */
export function concatColumns(parts: readonly ColumnData[], dtype: Dtype): ColumnData {
  if (parts.length === 1) return parts[0]!;
  if (dtype === "boolean") throw new ValidationError("concatColumns: boolean columns need their lengths; read them as one chunk");
  if (parts.some((p) => p.dtype !== dtype)) throw new ValidationError("concatColumns: mixed dtypes");
  return concatColumnData(parts, parts.map((p) => (p.dtype === "string" ? p.indices.length : (p as { values: Float64Array | Int32Array }).values.length)));
}
