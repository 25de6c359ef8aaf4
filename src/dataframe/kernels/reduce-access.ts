/**
 * Typed-array views of Arrow columns for reductions, groupby and cumulative kernels.
 * Kernels loop over `values` and test validity bits; they never call `get(i)` per cell.
 *
 * - float64 / int32 / dictionary-string columns: `values` is Arrow's own buffer (already
 *   offset to the slice); validity bits are read at `validOffset + i`.
 * - boolean columns are bit-packed in Arrow: {@link numericView} unpacks them to 0/1 bytes.
 * - datetime (Date64 / Timestamp, BigInt64 milliseconds): converted to float64 milliseconds.
 */
import { Type, type Data, type RecordBatch } from "apache-arrow";

/** A numeric column as one typed array plus validity. */
export interface NumView {
  readonly values: Float64Array | Int32Array | Uint8Array;
  /** Validity bitmap (bit set = valid) or null when every row is valid. */
  readonly valid: Uint8Array | null;
  readonly validOffset: number;
  readonly length: number;
}

/** A string column as dictionary codes (-1 = null) and the dictionary's strings. */
export interface StringView {
  readonly codes: Int32Array;
  readonly dict: readonly string[];
  readonly length: number;
}

/** The kinds of column the kernels distinguish. */
export type ColumnKind = "float64" | "int32" | "boolean" | "datetime" | "string";

/** The Arrow data of a batch's column (a RecordBatch column is one Data chunk). */
export function columnData(batch: RecordBatch, name: string): Data {
  const idx = batch.schema.fields.findIndex((f) => f.name === name);
  if (idx < 0) throw new Error(`partition has no column ${JSON.stringify(name)} (has ${batch.schema.fields.map((f) => f.name).join(", ")})`);
  return batch.data.children[idx]!;
}

/** What a column holds, from its Arrow type. */
export function columnKind(data: Data): ColumnKind {
  switch (data.typeId) {
    case Type.Float: case Type.Float64: case Type.Float32: case Type.Float16: return "float64";
    case Type.Int: case Type.Int32: case Type.Int16: case Type.Int8: case Type.Uint8: case Type.Uint16: return "int32";
    case Type.Bool: return "boolean";
    case Type.Date: case Type.DateMillisecond: case Type.DateDay: case Type.Timestamp:
    case Type.TimestampMillisecond: case Type.TimestampSecond: case Type.TimestampMicrosecond: case Type.TimestampNanosecond:
      return "datetime";
    case Type.Dictionary: case Type.Utf8: case Type.LargeUtf8: return "string";
  }
  throw new Error(`unsupported Arrow column type ${String(data.type)}`);
}

function validityOf(data: Data): Uint8Array | null {
  return data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
}

/** True when bit `i` of a validity bitmap is set. */
export function bit(bitmap: Uint8Array, i: number): boolean {
  return ((bitmap[i >> 3]! >> (i & 7)) & 1) === 1;
}

/** True when row `i` of a view holds a value (not null). */
export function isValid(v: NumView, i: number): boolean {
  return v.valid === null || bit(v.valid, v.validOffset + i);
}

/** A numeric view of a float64, int32, boolean or datetime column. */
export function numericView(data: Data): NumView {
  const kind = columnKind(data);
  const valid = validityOf(data);
  const length = data.length;
  if (kind === "float64" || kind === "int32") {
    const values = data.values as Float64Array | Int32Array;
    if (values instanceof Float64Array || values instanceof Int32Array) return { values, valid, validOffset: data.offset, length };
    return { values: Float64Array.from(values as ArrayLike<number>), valid, validOffset: data.offset, length };
  }
  if (kind === "boolean") {
    const bits = data.values as Uint8Array;
    const out = new Uint8Array(length);
    const off = data.offset;
    for (let i = 0; i < length; i++) out[i] = (bits[(off + i) >> 3]! >> ((off + i) & 7)) & 1;
    return { values: out, valid, validOffset: off, length };
  }
  if (kind === "datetime") {
    const out = new Float64Array(length);
    const raw = data.values as unknown;
    if (raw instanceof BigInt64Array) {
      const scale = timeScale(data);
      for (let i = 0; i < length; i++) out[i] = Number(raw[i]!) * scale;
    } else if (raw instanceof Int32Array && data.typeId === Type.Date && raw.length >= 2 * length) {
      for (let i = 0; i < length; i++) out[i] = raw[2 * i + 1]! * 4294967296 + (raw[2 * i]! >>> 0);
    } else {
      const scale = data.type.typeId === Type.Date && (data.type as { unit?: number }).unit === 0 ? 86400000 : 1;
      for (let i = 0; i < length; i++) out[i] = Number((raw as ArrayLike<number>)[i]) * scale;
    }
    return { values: out, valid, validOffset: data.offset, length };
  }
  throw new Error(`column of type ${String(data.type)} is not numeric`);
}

/** Milliseconds per stored unit of a BigInt64 time column. */
function timeScale(data: Data): number {
  const t = data.type as { unit?: number; typeId: number };
  if (t.typeId === Type.Timestamp) return [1000, 1, 1e-3, 1e-6][t.unit ?? 1]!;
  return t.unit === 0 ? 86400000 : 1;
}

/** A string column as codes into a dictionary (null = -1). */
export function stringView(data: Data): StringView {
  const valid = validityOf(data);
  const length = data.length;
  if (data.typeId === Type.Dictionary) {
    const idx = data.values as Int32Array | Uint32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;
    const codes = idx instanceof Int32Array && valid === null ? idx : new Int32Array(length);
    if (codes !== idx) {
      for (let i = 0; i < length; i++) codes[i] = valid !== null && !bit(valid, data.offset + i) ? -1 : idx[i]!;
    }
    const dictVec = data.dictionary!;
    const dict: string[] = new Array(dictVec.length);
    for (let j = 0; j < dictVec.length; j++) dict[j] = String(dictVec.get(j));
    return { codes, dict, length };
  }
  // Plain Utf8: build a dictionary once.
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const dec = new TextDecoder();
  const seen = new Map<string, number>();
  const dict: string[] = [];
  const codes = new Int32Array(length);
  for (let i = 0; i < length; i++) {
    if (valid !== null && !bit(valid, data.offset + i)) { codes[i] = -1; continue; }
    const s = dec.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!));
    let c = seen.get(s);
    if (c === undefined) { c = dict.length; dict.push(s); seen.set(s, c); }
    codes[i] = c;
  }
  return { codes, dict, length };
}

/** A scalar cell value (null for missing): for small outputs (keys, first/last), never for row loops. */
export type Cell = number | string | boolean | null;

/** Reads every cell of a column as {@link Cell}s (numbers for datetime). */
export function cellsOf(data: Data): Cell[] {
  const kind = columnKind(data);
  if (kind === "string") {
    const v = stringView(data);
    return Array.from(v.codes, (c) => (c < 0 ? null : v.dict[c]!));
  }
  const v = numericView(data);
  const out: Cell[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    out[i] = !isValid(v, i) ? null : kind === "boolean" ? v.values[i] === 1 : v.values[i]!;
  }
  return out;
}
