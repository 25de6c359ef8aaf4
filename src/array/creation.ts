/**
 * Creation functions (Dask's names, since they take a `chunks` option tfjs lacks):
 * `fromArray zeros ones full arange range linspace eye random.normal random.uniform
 * fromFunction fromDelayed`. Each chunk is its own task, so an array larger than memory
 * is generated block by block and never whole. float64 is the default dtype (numpy, Dask);
 * typed arrays and `tf.Tensor`s keep theirs.
 */
import { ValidationError } from "../errors.js";
import { TUSK, isCollection, type Collection } from "../graph/collection.js";
import { makeKey } from "../graph/key.js";
import { shipFunction } from "../graph/shipped-function.js";
import { lit, ref, task, type Arg } from "../graph/task.js";
import { ChunkedArray, fromLayer } from "./array.js";
import { dtypeOfTyped } from "./chunk.js";
import {
  blockIndices, blockShape, checkDType, checkShape, ctorOf, fmtShape, normalizeChunks, numBlocks, offsets, size,
  type ChunksInput, type DType, type TypedArray,
} from "./chunks.js";
import { select } from "./kernels.js";
import { makeChunk } from "./chunk.js";

/** Options shared by creation functions. */
export interface CreationOptions {
  /** Chunk sizes: a number for every axis, one per axis, or explicit sizes per axis (default "auto", ~32 MiB chunks). */
  chunks?: ChunksInput;
  dtype?: DType;
}

function meta(shape: number[], options: CreationOptions, dflt: DType = "float64"): { shape: number[]; dtype: DType; chunks: number[][] } {
  const dtype = options.dtype ? checkDType(options.dtype) : dflt;
  return { shape, dtype, chunks: normalizeChunks(options.chunks, shape, ctorOf(dtype).BYTES_PER_ELEMENT) };
}

function perBlock(prefix: string, token: unknown[], m: { shape: number[]; dtype: DType; chunks: number[][] }, make: (idx: number[], bshape: number[], start: number[], linear: number) => { op: string; args: Arg[] }): ChunkedArray {
  return fromLayer(prefix, [...token, m.dtype, m.chunks], m, (name) => {
    const offs = m.chunks.map(offsets);
    let linear = 0;
    return [...blockIndices(numBlocks(m.chunks))].map((idx) => {
      const t = make(idx, blockShape(m.chunks, idx), idx.map((b, a) => offs[a]![b]!), linear++);
      return task(makeKey(name, idx), t.op, ...t.args);
    });
  });
}

interface TensorLike { shape: number[]; dtype: string; dataSync(): ArrayLike<number> }

function isTensorLike(v: unknown): v is TensorLike {
  return typeof v === "object" && v !== null && typeof (v as TensorLike).dataSync === "function" && Array.isArray((v as TensorLike).shape);
}

function nestedShape(v: unknown, what: string): number[] {
  const shape: number[] = [];
  let cur = v;
  while (Array.isArray(cur)) { shape.push(cur.length); cur = cur[0]; }
  const flat = (v as unknown[]).flat(Infinity);
  if (flat.length !== size(shape)) throw new ValidationError(`${what}: nested arrays are ragged (expected shape ${fmtShape(shape)}, ${size(shape)} elements, found ${flat.length})`, { code: "ERR_SHAPE" });
  return shape;
}

/**
 * An array from data in memory: a typed array (1-d, or give `shape`), nested JS arrays,
 * or a `tf.Tensor` (keeps its dtype). Each chunk is copied into the graph.
 * @example tk.array.fromArray(new Float64Array(1e6), { shape: [1000, 1000], chunks: 250 })
 */
export function fromArray(data: TypedArray | readonly unknown[] | TensorLike | number, options: CreationOptions & { shape?: number[] } = {}): ChunkedArray {
  let flat: TypedArray;
  let shape: number[];
  if (isTensorLike(data)) {
    if (!["float32", "int32", "bool"].includes(data.dtype)) throw new ValidationError(`fromArray: tf.Tensor of dtype ${data.dtype} is not supported; use float32, int32 or bool`, { code: "ERR_DTYPE" });
    const d = data.dataSync();
    const dt = data.dtype as DType;
    flat = d instanceof ctorOf(dt) ? (d as TypedArray).slice() : ctorOf(dt).from(d as ArrayLike<number>) as TypedArray;
    shape = [...data.shape];
  } else if (ArrayBuffer.isView(data)) {
    flat = data as TypedArray;
    dtypeOfTyped(flat);
    shape = options.shape ? checkShape(options.shape) : [flat.length];
  } else if (Array.isArray(data)) {
    shape = nestedShape(data, "fromArray");
    const values = (data as unknown[]).flat(Infinity);
    const isBool = values.length > 0 && values.every((v) => typeof v === "boolean");
    if (!values.every((v) => typeof v === "number" || typeof v === "boolean")) throw new ValidationError("fromArray: nested arrays must hold numbers or booleans");
    flat = isBool ? Uint8Array.from(values as boolean[], (b) => (b ? 1 : 0)) : Float64Array.from(values as number[]);
  } else if (typeof data === "number") {
    flat = Float64Array.of(data);
    shape = [];
  } else {
    throw new ValidationError(`fromArray takes a typed array, nested arrays or a tf.Tensor, got ${data === null ? "null" : typeof data}`);
  }
  if (flat.length !== size(shape)) throw new ValidationError(`fromArray: data has ${flat.length} elements but shape ${fmtShape(shape)} needs ${size(shape)}`, { code: "ERR_SHAPE_MISMATCH" });
  const own = dtypeOfTyped(flat);
  const m = meta(shape, options, own);
  const whole = makeChunk(own, shape, flat);
  const Ctor = ctorOf(m.dtype);
  return perBlock("array", [Ctor.name, flat], m, (_idx, bshape, start) => {
    const part = select(whole, bshape.map((n, a) => ({ start: start[a]!, step: 1, count: n })));
    const d = m.dtype === own ? part.data : Ctor.from(part.data as ArrayLike<number>);
    return { op: "array.literal", args: [lit(m.dtype), lit(bshape), lit(d)] };
  });
}

function shapeArg(shape: unknown): number[] {
  return checkShape(shape);
}

function optionsArg(o: CreationOptions | DType | undefined): CreationOptions {
  return typeof o === "string" ? { dtype: o } : o ?? {};
}

/** An array filled with `value`. */
export function full(shape: number[], value: number, options?: CreationOptions | DType): ChunkedArray {
  const s = shapeArg(shape);
  const o = optionsArg(options);
  const m = meta(s, o, o.dtype ?? "float64");
  return perBlock("full", [s, value], m, (_i, bshape) => ({ op: "array.full", args: [lit(m.dtype), lit(bshape), lit(value)] }));
}

/** Zeros (tfjs: `tf.zeros(shape, dtype)`; here `zeros(shape, { dtype, chunks })` or a dtype). */
export function zeros(shape: number[], options?: CreationOptions | DType): ChunkedArray {
  return full(shape, 0, options);
}

export function ones(shape: number[], options?: CreationOptions | DType): ChunkedArray {
  return full(shape, 1, options);
}

/** numpy's `arange(start, stop, step)` (one argument = stop). */
export function arange(start: number, stop?: number, step = 1, options: CreationOptions = {}): ChunkedArray {
  if (stop === undefined) { stop = start; start = 0; }
  if (step === 0 || !Number.isFinite(step)) throw new ValidationError(`arange step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const m = meta([n], options);
  const s0 = start;
  return perBlock("arange", [start, stop, step], m, (_i, bshape, st) => ({ op: "array.arange", args: [lit(m.dtype), lit(s0), lit(step), lit(st[0]!), lit(bshape[0]!)] }));
}

/** tfjs's `range(start, stop, step, dtype)` with a `chunks` option. */
export function range(start: number, stop: number, step = 1, options?: CreationOptions | DType): ChunkedArray {
  const o = optionsArg(options);
  if (step === 0 || !Number.isFinite(step)) throw new ValidationError(`range step must be a finite non-zero number, got ${step}`);
  // tfjs's rules: empty when the step points away (except step 1, which turns to -1)
  let n: number;
  if (start === stop || (start < stop && step < 0) || (stop < start && step > 1)) n = 0;
  else {
    if (stop < start && step === 1) step = -1;
    n = Math.abs(Math.ceil((stop - start) / step));
  }
  const m = meta([n], { ...o, dtype: o.dtype ?? "float32" });
  const s0 = start, st0 = step;
  return perBlock("range", [start, stop, step], m, (_i, bshape, st) => ({ op: "array.arange", args: [lit(m.dtype), lit(s0), lit(st0), lit(st[0]!), lit(bshape[0]!)] }));
}

/** `num` evenly spaced values from start to stop. */
export function linspace(start: number, stop: number, num: number, options: CreationOptions & { endpoint?: boolean } = {}): ChunkedArray {
  if (!Number.isInteger(num) || num < 0) throw new ValidationError(`linspace num must be a non-negative integer, got ${num}`);
  const endpoint = options.endpoint ?? true;
  const m = meta([num], options);
  return perBlock("linspace", [start, stop, num, endpoint], m, (_i, bshape, st) => ({
    op: "array.linspace", args: [lit(m.dtype), lit(start), lit(stop), lit(num), lit(endpoint), lit(st[0]!), lit(bshape[0]!)],
  }));
}

/** Identity-like matrix: ones on diagonal `k`. */
export function eye(n: number, m?: number, options: CreationOptions & { k?: number } = {}): ChunkedArray {
  const shape = checkShape([n, m ?? n]);
  const k = options.k ?? 0;
  const mm = meta(shape, options);
  return perBlock("eye", [shape, k], mm, (_i, bshape, st) => ({ op: "array.eye", args: [lit(mm.dtype), lit(bshape), lit(st[0]!), lit(st[1]!), lit(k)] }));
}

/** Options of random arrays. */
export interface RandomOptions extends CreationOptions {
  /** Seed (an integer). Same seed and chunking give the same values. Default: random. */
  seed?: number;
}

function randomArray(dist: "normal" | "uniform", shape: number[], a: number, b: number, options: RandomOptions): ChunkedArray {
  const s = shapeArg(shape);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  if (!Number.isInteger(seed)) throw new ValidationError(`seed must be an integer, got ${seed}`);
  if (options.dtype && options.dtype !== "float64" && options.dtype !== "float32") throw new ValidationError(`random arrays are float64 or float32, got ${options.dtype}`, { code: "ERR_DTYPE" });
  const m = meta(s, options);
  return perBlock(`random-${dist}`, [seed, a, b], m, (_i, bshape, _st, linear) => ({
    op: "array.random", args: [lit(dist), lit(m.dtype), lit(bshape), lit(seed), lit(linear), lit(a), lit(b)],
  }));
}

/** Random arrays, reproducible for a given seed and chunking (each chunk seeded from (seed, chunk index)). */
export const random = {
  /** Normal samples (tfjs: `randomNormal(shape, mean, stdDev, dtype, seed)`). */
  normal(shape: number[], options: RandomOptions & { mean?: number; stdDev?: number } = {}): ChunkedArray {
    return randomArray("normal", shape, options.mean ?? 0, options.stdDev ?? 1, options);
  },
  /** Uniform samples in [minval, maxval) (default [0, 1)). */
  uniform(shape: number[], options: RandomOptions & { minval?: number; maxval?: number } = {}): ChunkedArray {
    return randomArray("uniform", shape, options.minval ?? 0, options.maxval ?? 1, options);
  },
};

/** Options of `fromFunction`. */
export interface FromFunctionOptions extends CreationOptions {
  shape: number[];
  /** Extra plain arguments passed after `info`. */
  args?: unknown[];
}

/**
 * An array whose chunks are made by a closure-free function:
 * `fn({ blockIndex, offset, shape, dtype }, ...args)` returns a typed array (or
 * `{ data, shape }`) of that block's shape. Use it to read your own formats chunk by chunk.
 * @example tk.array.fromFunction(({ offset, shape }) => Float64Array.from({ length: shape[0] }, (_, i) => offset[0] + i), { shape: [100], chunks: 10 })
 */
export function fromFunction(fn: (...args: never[]) => unknown, options: FromFunctionOptions): ChunkedArray {
  const ref0 = shipFunction(fn, "the function given to fromFunction", "fromFunction((info, k) => …, { shape, chunks, args: [k] })");
  const m = meta(shapeArg(options.shape), options);
  const args = options.args ?? [];
  return perBlock("from-function", [ref0, args], m, (idx, bshape, start) => ({
    op: "array.fromFunction", args: [lit(ref0), lit(m.dtype), lit({ blockIndex: idx, offset: start, shape: bshape, dtype: m.dtype }), lit(args)],
  }));
}

/**
 * A one-chunk array from a delayed value (Dask's `from_delayed`): the value must compute to
 * a typed array, `{ data, shape }` or nested arrays of the given shape. Concatenate several
 * with `tk.array.concat`.
 */
export function fromDelayed(value: Collection, options: { shape: number[]; dtype?: DType }): ChunkedArray {
  if (!isCollection(value)) throw new ValidationError("fromDelayed needs a tk.delayed value");
  const spec = value[TUSK]();
  if (spec.keys.length !== 1) throw new ValidationError(`fromDelayed needs a single delayed value, got a collection of ${spec.keys.length} keys`);
  const shape = shapeArg(options.shape);
  const dtype = options.dtype ? checkDType(options.dtype) : "float64";
  const chunks = shape.map((d) => [d]);
  return fromLayer("from-delayed", [spec.keys[0], shape, dtype], { shape, dtype, chunks }, (name) =>
    [task(makeKey(name, shape.map(() => 0)), "array.fromValue", ref(spec.keys[0]!), lit(dtype), lit(shape))], [], [spec.graph]);
}

