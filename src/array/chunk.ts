/**
 * A chunk: a typed array with a shape and a dtype, C order. This is the value that array
 * tasks produce and that crosses threads, spill files and the wire: its codec (registered
 * in ./kernels.ts) sends `{ dtype, shape }` as meta and the data as one buffer, which is
 * transferred, not copied, when it owns its ArrayBuffer.
 */
import { ValidationError } from "../errors.js";
import { ctorOf, fmtShape, size, type DType, type TypedArray } from "./chunks.js";

export interface Chunk {
  readonly tkChunk: true;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

export function isChunk(v: unknown): v is Chunk {
  return typeof v === "object" && v !== null && (v as { tkChunk?: unknown }).tkChunk === true;
}

/** Makes a chunk; `data` defaults to zeros. */
export function makeChunk(dtype: DType, shape: readonly number[], data?: TypedArray): Chunk {
  const n = size(shape);
  const Ctor = ctorOf(dtype);
  const d = data ?? new Ctor(n);
  if (d.length !== n) throw new ValidationError(`chunk data has ${d.length} elements but shape ${fmtShape(shape)} needs ${n}`);
  if (!(d instanceof Ctor)) throw new ValidationError(`chunk data of dtype ${dtype} must be a ${Ctor.name}, got ${d.constructor.name}`);
  return { tkChunk: true, dtype, shape: [...shape], data: d };
}

/** The dtype a typed array holds (Uint8Array = bool). */
export function dtypeOfTyped(data: ArrayBufferView): DType {
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  throw new ValidationError(`unsupported typed array ${data.constructor.name}; use Float64Array, Float32Array, Int32Array or Uint8Array (bool)`, { code: "ERR_DTYPE" });
}

/** Converts values to a dtype (tfjs's cast: bool is value != 0; int32 truncates). */
export function castData(data: TypedArray, dtype: DType): TypedArray {
  const Ctor = ctorOf(dtype);
  if (data instanceof Ctor) return data;
  const out = new Ctor(data.length);
  if (dtype === "bool") for (let i = 0; i < data.length; i++) out[i] = data[i] !== 0 ? 1 : 0;
  else if (dtype === "int32") for (let i = 0; i < data.length; i++) out[i] = Math.trunc(data[i]!);
  else out.set(data);
  return out;
}
