/**
 * Partitions: a partition of a DataFrame is an Apache Arrow `RecordBatch`; a Series
 * partition is a one-column batch. Storage per dtype (documented choice):
 *
 * | dtype    | Arrow type                   | buffers                                        |
 * |----------|------------------------------|------------------------------------------------|
 * | float64  | Float64                      | Float64Array values + validity bitmap          |
 * | int32    | Int32                        | Int32Array values + validity bitmap            |
 * | boolean  | Bool                         | bit-packed Uint8Array (LSB first) + validity   |
 * | string   | Dictionary<Utf8, Int32>      | Int32Array indices + validity; dictionary: Utf8 offsets + bytes |
 * | datetime | Float64 (ms since epoch UTC) | like float64; the field carries metadata `tusk.dtype = datetime` |
 *
 * Datetimes are Float64 milliseconds, not Arrow Timestamp (whose values are BigInt64
 * in arrow-js): kernels stay plain double loops, and `toArrow()` converts to
 * Timestamp(ms) at the edge. NaN is a value (a float), null is a cleared validity bit:
 * they are different, as in Arrow and pandas' nullable dtypes.
 *
 * The "dataframe.partition" codec moves a batch across threads, sockets and spill
 * files as its Arrow buffers (zero copy; no IPC re-encoding) and rebuilds it with
 * `makeData` over the received views.
 */
import {
  Bool, Data, Dictionary, Field, Float64, Int32, RecordBatch, Schema, Struct, Utf8, makeData, makeVector, type Vector,
} from "apache-arrow";
import { registerCodec, viewAs } from "../graph/codec.js";
import { ValidationError } from "../errors.js";
import type { ColumnMeta, Dtype, FrameMeta } from "./meta.js";

/** A partition: an Arrow record batch. */
export type Partition = RecordBatch;

/**
 * One column's buffers, ready to wrap as Arrow data without copying. `validity` is an
 * LSB-first bitmap (1 = valid) or null when nothing is null. The same layout the CSV
 * parser produces.
 */
export type ColumnData =
  | { dtype: "float64"; values: Float64Array; validity: Uint8Array | null; nullCount: number }
  | { dtype: "int32"; values: Int32Array; validity: Uint8Array | null; nullCount: number }
  | { dtype: "boolean"; values: Uint8Array; validity: Uint8Array | null; nullCount: number }
  | { dtype: "datetime"; values: Float64Array; validity: Uint8Array | null; nullCount: number }
  | { dtype: "string"; indices: Int32Array; dictionary: string[]; validity: Uint8Array | null; nullCount: number };

const DTYPE_KEY = "tusk.dtype";
const STRING_TYPE = new Dictionary(new Utf8(), new Int32());

function arrowType(dtype: Dtype): Float64 | Int32 | Bool | Dictionary<Utf8, Int32> {
  switch (dtype) {
    case "float64": case "datetime": return new Float64();
    case "int32": return new Int32();
    case "boolean": return new Bool();
    case "string": return STRING_TYPE;
  }
}

/** The Arrow field of a column (datetime and string carry `tusk.dtype` metadata). */
export function arrowField(col: ColumnMeta): Field {
  return new Field(col.name, arrowType(col.dtype), true, new Map([[DTYPE_KEY, col.dtype]]));
}

/** The Arrow schema of a meta. */
export function arrowSchema(meta: FrameMeta): Schema {
  return new Schema(meta.columns.map(arrowField));
}

const encoder = new TextEncoder();

/** Utf8 Data of a list of strings (the dictionary of a string column). */
export function utf8Data(strings: readonly string[]): Data<Utf8> {
  const parts = strings.map((s) => encoder.encode(s));
  const offsets = new Int32Array(parts.length + 1);
  let n = 0;
  for (let i = 0; i < parts.length; i++) { n += parts[i]!.length; offsets[i + 1] = n; }
  const bytes = new Uint8Array(n);
  for (let i = 0; i < parts.length; i++) bytes.set(parts[i]!, offsets[i]!);
  return makeData({ type: new Utf8(), length: parts.length, nullCount: 0, valueOffsets: offsets, data: bytes });
}

/** Length of a column. */
export function columnLength(c: ColumnData): number {
  return c.dtype === "string" ? c.indices.length : c.dtype === "boolean" ? -1 : c.values.length;
}

function columnDataToArrow(col: ColumnData, length: number): Data {
  const nullBitmap = col.validity ?? undefined;
  const nullCount = col.validity ? col.nullCount : 0;
  switch (col.dtype) {
    case "float64": case "datetime":
      return makeData({ type: new Float64(), length, nullCount, data: col.values, nullBitmap });
    case "int32":
      return makeData({ type: new Int32(), length, nullCount, data: col.values, nullBitmap });
    case "boolean":
      return makeData({ type: new Bool(), length, nullCount, data: col.values, nullBitmap });
    case "string":
      return makeData({ type: STRING_TYPE, length, nullCount, data: col.indices, nullBitmap, dictionary: makeVector(utf8Data(col.dictionary)) });
  }
}

/**
 * A partition from column buffers, with no copy. `length` is required when there are
 * no columns (a frame of rows without columns) and checked otherwise.
 * @example makePartition(frameMeta([["x", "float64"]]), [{ dtype: "float64", values, validity: null, nullCount: 0 }])
 */
export function makePartition(meta: FrameMeta, columns: readonly ColumnData[], length?: number): Partition {
  if (columns.length !== meta.columns.length) {
    throw new ValidationError(`makePartition: meta has ${meta.columns.length} columns, got ${columns.length} column buffers`);
  }
  let n = length;
  columns.forEach((c, i) => {
    const m = meta.columns[i]!;
    if (c.dtype !== m.dtype) throw new ValidationError(`makePartition: column ${JSON.stringify(m.name)} is declared ${m.dtype} but its buffers are ${c.dtype}`);
    const len = columnLength(c);
    if (len >= 0) {
      if (n === undefined) n = len;
      else if (n !== len) throw new ValidationError(`makePartition: column ${JSON.stringify(m.name)} has ${len} rows, expected ${n}`);
    }
  });
  if (n === undefined) {
    if (columns.length === 0) throw new ValidationError("makePartition: a partition without columns needs its length");
    throw new ValidationError("makePartition: a partition of only boolean columns needs its length");
  }
  const schema = arrowSchema(meta);
  const children = columns.map((c) => columnDataToArrow(c, n!));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
}

/** The stored dtype of a batch's field (from `tusk.dtype` metadata, else from the Arrow type). */
export function fieldDtype(field: Field): Dtype {
  const tagged = field.metadata.get(DTYPE_KEY);
  if (tagged) return tagged as Dtype;
  const t = field.type as { typeId: number } & Record<string, unknown>;
  const name = String(field.type);
  if (name === "Float64" || name === "Float32" || name === "Float16") return "float64";
  if (/^U?Int(8|16|32)$/.test(name)) return "int32";
  if (/^U?Int64$/.test(name)) return "float64";
  if (name === "Bool") return "boolean";
  if (name === "Utf8" || name === "LargeUtf8" || name.startsWith("Dictionary")) return "string";
  if (name.startsWith("Timestamp") || name.startsWith("Date")) return "datetime";
  void t;
  throw new ValidationError(`Arrow type ${name} of column ${JSON.stringify(field.name)} is not supported; cast it to float64, int32, utf8, bool or timestamp first`);
}

/** The meta of a batch. */
export function partitionMeta(batch: Partition): FrameMeta {
  return { columns: batch.schema.fields.map((f) => ({ name: f.name, dtype: fieldDtype(f) })) };
}

function bitmapSlice(bitmap: Uint8Array | null | undefined, offset: number, length: number): Uint8Array | null {
  if (!bitmap || bitmap.length === 0) return null;
  if (offset % 8 === 0) return bitmap.subarray(offset >> 3, (offset + length + 7) >> 3);
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    const j = offset + i;
    if (bitmap[j >> 3]! & (1 << (j & 7))) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

const dictCache = new WeakMap<object, string[]>();

function dictionaryStrings(dict: Vector | undefined): string[] {
  if (!dict) return [];
  const cached = dictCache.get(dict);
  if (cached) return cached;
  const out: string[] = new Array(dict.length);
  let i = 0;
  for (const v of dict) out[i++] = v === null ? "" : String(v);
  dictCache.set(dict, out);
  return out;
}

/**
 * One column of a batch as buffers (zero copy for batches tusk made; Arrow data from
 * elsewhere with offsets, plain Utf8 or other numeric widths is converted).
 */
export function readColumn(batch: Partition, index: number): ColumnData {
  const field = batch.schema.fields[index]!;
  const dtype = fieldDtype(field);
  const vector = batch.getChildAt(index)!;
  const length = batch.numRows;
  const datas = vector.data as Data[];
  if (datas.length !== 1 || datas[0]!.offset !== 0) return fromValues(dtype, [...vector] as unknown[]);
  const data = datas[0]!;
  const validity = data.nullCount > 0 ? bitmapSlice(data.nullBitmap, data.offset, length) : null;
  const nullCount = validity ? data.nullCount : 0;
  const typeName = String(data.type);
  switch (dtype) {
    case "float64": case "datetime": {
      if (typeName === "Float64") return { dtype, values: (data.values as Float64Array).subarray(0, length), validity, nullCount };
      return fromValues(dtype, [...vector] as unknown[]);
    }
    case "int32":
      if (typeName === "Int32") return { dtype, values: (data.values as Int32Array).subarray(0, length), validity, nullCount };
      return fromValues(dtype, [...vector] as unknown[]);
    case "boolean": {
      const values = bitmapSlice(data.values as Uint8Array, data.offset, length) ?? new Uint8Array((length + 7) >> 3);
      return { dtype, values, validity, nullCount };
    }
    case "string": {
      if (typeName.startsWith("Dictionary") && data.values instanceof Int32Array) {
        return { dtype, indices: data.values.subarray(0, length), dictionary: dictionaryStrings(data.dictionary), validity, nullCount };
      }
      return fromValues(dtype, [...vector] as unknown[]);
    }
  }
}

/** A validity bitmap from a predicate "is null at i"; null when nothing is null. */
export function bitmapFrom(length: number, isNull: (i: number) => boolean): { validity: Uint8Array | null; nullCount: number } {
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (isNull(i)) {
      if (!validity) { validity = new Uint8Array((length + 7) >> 3).fill(0xff); }
      validity[i >> 3]! &= ~(1 << (i & 7));
      nullCount++;
    }
  }
  return { validity, nullCount };
}

/** True when row i is valid (not null). */
export function isValid(validity: Uint8Array | null, i: number): boolean {
  return validity === null || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** Bit i of a bit-packed array. */
export function getBit(bits: Uint8Array, i: number): boolean {
  return (bits[i >> 3]! & (1 << (i & 7))) !== 0;
}

/**
 * A column from plain JS values (null/undefined are nulls; for float64 NaN stays NaN).
 * Strings are dictionary-encoded; datetimes accept Date, ms numbers and ISO strings.
 */
export function fromValues(dtype: Dtype, values: readonly unknown[]): ColumnData {
  const n = values.length;
  const isNull = (i: number): boolean => values[i] === null || values[i] === undefined;
  const { validity, nullCount } = bitmapFrom(n, isNull);
  switch (dtype) {
    case "float64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = isNull(i) ? 0 : Number(values[i]);
      return { dtype, values: out, validity, nullCount };
    }
    case "datetime": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = isNull(i) ? 0 : toMillis(values[i]);
      return { dtype, values: out, validity, nullCount };
    }
    case "int32": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = isNull(i) ? 0 : Number(values[i]);
      return { dtype, values: out, validity, nullCount };
    }
    case "boolean": {
      const out = new Uint8Array((n + 7) >> 3);
      for (let i = 0; i < n; i++) if (!isNull(i) && values[i]) out[i >> 3]! |= 1 << (i & 7);
      return { dtype, values: out, validity, nullCount };
    }
    case "string": {
      const codes = new Map<string, number>();
      const dictionary: string[] = [];
      const indices = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (isNull(i)) continue;
        const s = String(values[i]);
        let c = codes.get(s);
        if (c === undefined) { c = dictionary.length; codes.set(s, c); dictionary.push(s); }
        indices[i] = c;
      }
      return { dtype, indices, dictionary, validity, nullCount };
    }
  }
}

/** Milliseconds since the epoch of a Date, number or date string (NaN if unparsable). */
export function toMillis(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return new Date(String(v)).getTime();
}

/** A column's values as plain JS values (nulls as null; datetimes as Date). For the danfo edge and tests. */
export function toValues(c: ColumnData, length: number): unknown[] {
  const out = new Array<unknown>(length);
  const v = c.validity;
  switch (c.dtype) {
    case "float64": case "int32":
      for (let i = 0; i < length; i++) out[i] = isValid(v, i) ? c.values[i] : null;
      break;
    case "datetime":
      for (let i = 0; i < length; i++) out[i] = isValid(v, i) ? new Date(c.values[i]!) : null;
      break;
    case "boolean":
      for (let i = 0; i < length; i++) out[i] = isValid(v, i) ? getBit(c.values, i) : null;
      break;
    case "string":
      for (let i = 0; i < length; i++) out[i] = isValid(v, i) ? c.dictionary[c.indices[i]!] : null;
      break;
  }
  return out;
}

/** An empty partition of a meta. */
export function emptyPartition(meta: FrameMeta): Partition {
  return makePartition(meta, meta.columns.map((c) => fromValues(c.dtype, [])), 0);
}

// ---- the partition codec ---------------------------------------------------------

interface CodecField { name: string; dtype: Dtype; nullCount: number; hasValidity: boolean; dictLength: number }
interface CodecMeta { length: number; fields: CodecField[] }



function bytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Encodes a batch as its Arrow buffers (views, no copy). */
export function encodePartition(batch: Partition): { meta: CodecMeta; buffers: Uint8Array[] } {
  const buffers: Uint8Array[] = [];
  const fields: CodecField[] = [];
  for (let i = 0; i < batch.numCols; i++) {
    const col = readColumn(batch, i);
    const name = batch.schema.fields[i]!.name;
    if (col.dtype === "string") {
      const dict = batch.getChildAt(i)!.data[0]!.dictionary;
      const dictData = dict && dict.data.length === 1 && dict.data[0]!.offset === 0 && String(dict.type) === "Utf8"
        ? (dict.data[0] as Data<Utf8>) : utf8Data(col.dictionary);
      buffers.push(bytes(col.indices), col.validity ?? new Uint8Array(0), bytes(dictData.valueOffsets), dictData.values);
      fields.push({ name, dtype: col.dtype, nullCount: col.nullCount, hasValidity: col.validity !== null, dictLength: dictData.length });
    } else {
      buffers.push(bytes(col.values), col.validity ?? new Uint8Array(0));
      fields.push({ name, dtype: col.dtype, nullCount: col.nullCount, hasValidity: col.validity !== null, dictLength: 0 });
    }
  }
  return { meta: { length: batch.numRows, fields }, buffers };
}

/** Rebuilds a batch from {@link encodePartition}'s output with `makeData` over the buffers. */
export function decodePartition(meta: CodecMeta, buffers: readonly Uint8Array[]): Partition {
  const { length } = meta;
  let b = 0;
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const f of meta.fields) {
    const colMeta: ColumnMeta = { name: f.name, dtype: f.dtype };
    fields.push(arrowField(colMeta));
    if (f.dtype === "string") {
      const indices = viewAs("Int32Array", buffers[b++]!) as Int32Array;
      const validity = buffers[b++]!;
      const offsets = viewAs("Int32Array", buffers[b++]!) as Int32Array;
      const data = buffers[b++]!;
      const dict = makeData({ type: new Utf8(), length: f.dictLength, nullCount: 0, valueOffsets: offsets, data });
      children.push(makeData({ type: STRING_TYPE, length, nullCount: f.nullCount, data: indices, nullBitmap: f.hasValidity ? validity : undefined, dictionary: makeVector(dict) }));
    } else {
      const raw = buffers[b++]!;
      const validity = buffers[b++]!;
      const nullBitmap = f.hasValidity ? validity : undefined;
      const nullCount = f.hasValidity ? f.nullCount : 0;
      if (f.dtype === "boolean") children.push(makeData({ type: new Bool(), length, nullCount, data: raw, nullBitmap }));
      else if (f.dtype === "int32") children.push(makeData({ type: new Int32(), length, nullCount, data: viewAs("Int32Array", raw) as Int32Array, nullBitmap }));
      else children.push(makeData({ type: new Float64(), length, nullCount, data: viewAs("Float64Array", raw) as Float64Array, nullBitmap }));
    }
  }
  const schema = new Schema(fields);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }));
}

/** Bytes held by a batch's buffers. */
export function partitionBytes(batch: Partition): number {
  let n = 0;
  for (const child of batch.data.children) {
    n += child.values?.byteLength ?? 0;
    n += child.nullBitmap?.byteLength ?? 0;
    const dict = child.dictionary;
    if (dict) for (const d of dict.data) n += (d.values?.byteLength ?? 0) + (d.valueOffsets?.byteLength ?? 0);
  }
  return n;
}

registerCodec<Partition>({
  name: "dataframe.partition",
  test: (v): v is Partition => v instanceof RecordBatch,
  encode: (v) => encodePartition(v),
  decode: (meta, buffers) => decodePartition(meta as CodecMeta, buffers),
  nbytes: partitionBytes,
});
