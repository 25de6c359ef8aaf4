/**
 * `ChunkedArray` (exported as `tk.array.Array`): a lazy n-d array cut into chunks along
 * every axis, each chunk one task of a graph. Shape, dtype and chunks are known without
 * computing; methods build new graphs and keep tfjs's names and argument forms
 * (`x.sum(axis?, keepDims?)`, `x.slice(begin, size)`, `x.matMul(y)`), with numpy's names
 * in camelCase where tfjs has none (`tensordot`, `rechunk`, `std`, `var`, `index`).
 *
 * Differences from tfjs: results are lazy (`await x.compute()` gives a `tf.Tensor`);
 * float64 exists (and is the default of creation functions); reductions accumulate in
 * float64, so `sum` of 4·10^8 float32 values is right where tfjs returns 2^24.
 */
import { MetadataMismatchError } from "../errors.js";
import { inspect, type InspectOptions } from "node:util";
import { arrayHTML, arrayInspect } from "./repr.js";
import { TUSK, type Collection, type CollectionSpec } from "../graph/collection.js";
import { computeOne, persist as persistAll, type ComputeOptions } from "../graph/compute.js";
import { visualize, type VisualizeOptions } from "../diagnostics/visualize.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { makeKey, makeName, type Key } from "../graph/key.js";
import type { Task } from "../graph/task.js";
import type { Tensor } from "@tensorflow/tfjs";
import { makeChunk, type Chunk } from "./chunk.js";
import {
  blockIndices, ctorOf, fmtShape, numBlocks, offsets, size, stridesOf,
  type Chunks, type ChunksInput, type DType, type TypedArray,
} from "./chunks.js";
import "./kernels.js";
import * as ew from "./elementwise.js";
import * as red from "./reductions.js";
import * as shp from "./shape.js";
import * as la from "./linalg.js";

/** What `ChunkedArray` knows without computing. */
export interface ArrayMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly chunks: Chunks;
}

/** A lazy, chunked n-d array. */
export class ChunkedArray implements Collection<Tensor> {
  /** Layer name: `prefix-token`; chunk keys are `name#i,j`. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly chunks: Chunks;
  readonly #graph: LayeredGraph;
  /** @internal Set by `transpose`: elementwise ops read the source blocks through a view instead. */
  transposeOf?: { readonly source: ChunkedArray; readonly perm: readonly number[] };

  /** @internal use the creation functions (`fromArray`, `zeros`, `random.normal`, …). */
  constructor(name: string, graph: LayeredGraph, meta: ArrayMeta) {
    this.name = name;
    this.#graph = graph;
    this.shape = Object.freeze([...meta.shape]);
    this.dtype = meta.dtype;
    this.chunks = Object.freeze(meta.chunks.map((c) => Object.freeze([...c])));
  }

  /** @internal */
  get graph(): LayeredGraph {
    return this.#graph;
  }

  /** Number of dimensions (tfjs's `rank`). */
  get rank(): number {
    return this.shape.length;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return size(this.shape);
  }
  /** Blocks per axis. */
  get numBlocks(): number[] {
    return numBlocks(this.chunks);
  }
  /** Total number of chunks. */
  get npartitions(): number {
    return size(this.numBlocks);
  }
  /** Bytes of the whole array. */
  get nbytes(): number {
    return this.size * ctorOf(this.dtype).BYTES_PER_ELEMENT;
  }

  /** The key of block `idx`. */
  key(idx: readonly number[]): Key {
    return makeKey(this.name, idx);
  }

  /** Every chunk key in C order. */
  keys(): Key[] {
    return [...blockIndices(this.numBlocks)].map((i) => this.key(i));
  }

  [TUSK](): CollectionSpec<Tensor> {
    return {
      graph: this.#graph,
      keys: this.keys(),
      finalize: async (values) => toTensor(assembleFull(this, values as Chunk[])),
      rebuild: (graph) => new ChunkedArray(this.name, graph, this),
    };
  }

  /** Computes the array: a `tf.Tensor` (float64 arrays give a float32 tensor: tfjs has no float64). */
  compute(options: ComputeOptions = {}): Promise<Tensor> {
    return computeOne(this, options);
  }

  /** Computes the array as exact values: Float64Array, Float32Array, Int32Array or Uint8Array (bool), C order. */
  async toTypedArray(options: ComputeOptions = {}): Promise<TypedArray> {
    const spec = this[TUSK]();
    const plain: Collection<Chunk> = {
      [TUSK]: () => ({ ...spec, finalize: (values: unknown[]) => assembleFull(this, values as Chunk[]), rebuild: () => plain }),
    };
    return (await computeOne(plain, options)).data;
  }

  /** Computes and keeps the chunks; later computations start from them. */
  async persist(options: ComputeOptions = {}): Promise<ChunkedArray> {
    const [kept] = await persistAll(this, options);
    return kept as ChunkedArray;
  }

  /** Facts (bytes, shape, chunks, dtype) and an SVG of the chunk grid as HTML, as `tk.display(x)` shows it (dask.array's `_repr_html_`). */
  reprHTML(): string { return arrayHTML(this); }
  /** A one-line summary for `console.log(x)`; a tslab cell ending in `x` also shows `reprHTML()`. */
  [inspect.custom](depth: number, options: InspectOptions): string { return arrayInspect(this, depth, options); }

  /** A picture of this collection's task graph (SVG text; options as in `tk.visualize`). */
  visualize(options: VisualizeOptions = {}): Promise<string> { return visualize(this, options); }

  toString(): string {
    return `tk.array.Array<${this.dtype}>(shape=${fmtShape(this.shape)}, chunks=${this.chunks.map((c) => c.length).join("×")} blocks, ${this.npartitions} tasks in last layer)`;
  }

  // ---- elementwise (tfjs names)
  add(b: ArrayLike): ChunkedArray { return ew.binaryOp("add", this, b); }
  sub(b: ArrayLike): ChunkedArray { return ew.binaryOp("sub", this, b); }
  mul(b: ArrayLike): ChunkedArray { return ew.binaryOp("mul", this, b); }
  /** Division; int32 ÷ int32 floors, as in tfjs. */
  div(b: ArrayLike): ChunkedArray { return ew.binaryOp("div", this, b); }
  floorDiv(b: ArrayLike): ChunkedArray { return ew.binaryOp("floorDiv", this, b); }
  pow(b: ArrayLike): ChunkedArray { return ew.binaryOp("pow", this, b); }
  /** Floor modulus (sign of the divisor), as tfjs's `mod`. */
  mod(b: ArrayLike): ChunkedArray { return ew.binaryOp("mod", this, b); }
  maximum(b: ArrayLike): ChunkedArray { return ew.binaryOp("maximum", this, b); }
  minimum(b: ArrayLike): ChunkedArray { return ew.binaryOp("minimum", this, b); }
  squaredDifference(b: ArrayLike): ChunkedArray { return ew.binaryOp("squaredDifference", this, b); }
  greater(b: ArrayLike): ChunkedArray { return ew.binaryOp("greater", this, b); }
  greaterEqual(b: ArrayLike): ChunkedArray { return ew.binaryOp("greaterEqual", this, b); }
  less(b: ArrayLike): ChunkedArray { return ew.binaryOp("less", this, b); }
  lessEqual(b: ArrayLike): ChunkedArray { return ew.binaryOp("lessEqual", this, b); }
  equal(b: ArrayLike): ChunkedArray { return ew.binaryOp("equal", this, b); }
  notEqual(b: ArrayLike): ChunkedArray { return ew.binaryOp("notEqual", this, b); }
  logicalAnd(b: ArrayLike): ChunkedArray { return ew.binaryOp("logicalAnd", this, b); }
  logicalOr(b: ArrayLike): ChunkedArray { return ew.binaryOp("logicalOr", this, b); }
  abs(): ChunkedArray { return ew.unaryOp("abs", this); }
  neg(): ChunkedArray { return ew.unaryOp("neg", this); }
  square(): ChunkedArray { return ew.unaryOp("square", this); }
  floor(): ChunkedArray { return ew.unaryOp("floor", this); }
  ceil(): ChunkedArray { return ew.unaryOp("ceil", this); }
  sign(): ChunkedArray { return ew.unaryOp("sign", this); }
  relu(): ChunkedArray { return ew.unaryOp("relu", this); }
  exp(): ChunkedArray { return ew.unaryOp("exp", this); }
  expm1(): ChunkedArray { return ew.unaryOp("expm1", this); }
  log(): ChunkedArray { return ew.unaryOp("log", this); }
  log1p(): ChunkedArray { return ew.unaryOp("log1p", this); }
  sqrt(): ChunkedArray { return ew.unaryOp("sqrt", this); }
  rsqrt(): ChunkedArray { return ew.unaryOp("rsqrt", this); }
  reciprocal(): ChunkedArray { return ew.unaryOp("reciprocal", this); }
  sin(): ChunkedArray { return ew.unaryOp("sin", this); }
  cos(): ChunkedArray { return ew.unaryOp("cos", this); }
  tan(): ChunkedArray { return ew.unaryOp("tan", this); }
  tanh(): ChunkedArray { return ew.unaryOp("tanh", this); }
  sigmoid(): ChunkedArray { return ew.unaryOp("sigmoid", this); }
  logicalNot(): ChunkedArray { return ew.unaryOp("logicalNot", this); }
  clipByValue(clipValueMin: number, clipValueMax: number): ChunkedArray { return ew.clipByValue(this, clipValueMin, clipValueMax); }
  /** Converts to another dtype (tfjs's cast: to bool is `!= 0`, to int32 truncates). */
  cast(dtype: DType): ChunkedArray { return ew.cast(this, dtype); }
  /** `where(this, a, b)`: elements of `a` where this is true, else of `b`. */
  where(a: ArrayLike, b: ArrayLike): ChunkedArray { return ew.where(this, a, b); }

  // ---- reductions (tfjs's (axis?, keepDims?))
  sum(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("sum", this, axis, keepDims); }
  prod(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("prod", this, axis, keepDims); }
  /** Mean (float32 for int32 input, as tfjs). */
  mean(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("mean", this, axis, keepDims); }
  min(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("min", this, axis, keepDims); }
  max(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("max", this, axis, keepDims); }
  any(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("any", this, axis, keepDims); }
  all(axis?: number | number[] | null, keepDims = false): ChunkedArray { return red.reduction("all", this, axis, keepDims); }
  /** Index of the smallest element along one axis (default 0, as tfjs); first one on ties. */
  argMin(axis = 0): ChunkedArray { return red.argReduction("argMin", this, axis); }
  argMax(axis = 0): ChunkedArray { return red.argReduction("argMax", this, axis); }
  /** Variance (numpy's `ddof` option; default 0 as numpy and tf.moments). */
  var(axis?: number | number[] | null, keepDims = false, options: { ddof?: number } = {}): ChunkedArray {
    return red.reduction("var", this, axis, keepDims, options);
  }
  std(axis?: number | number[] | null, keepDims = false, options: { ddof?: number } = {}): ChunkedArray {
    return red.reduction("std", this, axis, keepDims, options);
  }

  // ---- linear algebra
  /** Matrix product of 2-d arrays (tfjs's `matMul(b, transposeA?, transposeB?)`). */
  matMul(b: ChunkedArray, transposeA = false, transposeB = false, options: la.LinalgOptions = {}): ChunkedArray {
    return la.matMul(this, b, transposeA, transposeB, options);
  }
  dot(b: ChunkedArray, options: la.LinalgOptions = {}): ChunkedArray { return la.dot(this, b, options); }
  tensordot(b: ChunkedArray, axes: number | [number[], number[]] = 2, options: la.LinalgOptions = {}): ChunkedArray {
    return la.tensordot(this, b, axes, options);
  }
  /** Permutes axes (default: reverse them). */
  transpose(perm?: number[]): ChunkedArray { return shp.transpose(this, perm); }
  /** numpy's `.T`. */
  get T(): ChunkedArray { return shp.transpose(this); }

  // ---- shape
  /** tfjs's `slice(begin, size)`; `size` -1 means "to the end". */
  slice(begin: number | number[], sizeArg?: number | number[]): ChunkedArray { return shp.slice(this, begin, sizeArg); }
  /**
   * numpy-style indexing: per axis an integer (drops the axis, negative counts from the
   * end), `[start, stop, step]` with `null` for defaults, or `null` for the whole axis;
   * or a string like `"1:10:2, -1"`.
   * @example x.index("::2, -1"); x.index([null, null, 2], -1)
   */
  index(...spec: shp.IndexSpec[]): ChunkedArray { return shp.index(this, spec); }
  /** Reshape (C order; -1 infers one axis). Rechunks when needed. */
  reshape(shape: number[]): ChunkedArray { return shp.reshape(this, shape); }
  /** Adds an axis of length 1. */
  expandDims(axis = 0): ChunkedArray { return shp.expandDims(this, axis); }
  /** Removes axes of length 1. */
  squeeze(axis?: number[]): ChunkedArray { return shp.squeeze(this, axis); }
  /** New chunking (a number, a per-axis list, or explicit sizes per axis). */
  rechunk(chunks: ChunksInput): ChunkedArray { return shp.rechunk(this, chunks); }
  /** Applies `fn(block, ...otherBlocks, ...args, info)` to each block (see tk.array.mapBlocks). */
  mapBlocks(fn: (...args: never[]) => unknown, options: ew.MapBlocksOptions = {}): ChunkedArray { return ew.mapBlocks(fn, [this], options); }

  // ---- storage
  /** Writes the array to a Zarr v3 store on disk, one task per chunk. */
  async toZarr(path: string, options: ComputeOptions & { overwrite?: boolean } = {}): Promise<void> {
    const { toZarr } = await import("./zarr.js");
    return toZarr(this, path, options);
  }
}

/** An operand: an array or a JS number (a float32 scalar in tfjs's dtype rules). */
export type ArrayLike = ChunkedArray | number;

/** Builds an array from one new layer on top of its inputs' graphs. */
export function fromLayer(prefix: string, token: unknown[], meta: ArrayMeta, makeTasks: (name: string) => Iterable<Task>, inputs: readonly ChunkedArray[] = [], extraGraphs: readonly LayeredGraph[] = []): ChunkedArray {
  const name = makeName(prefix, ...token);
  const graphs = [...inputs.map((i) => i.graph), ...extraGraphs];
  const deps = [...new Set(graphs.flatMap((g) => [...g.layers.keys()]))];
  const l = layer(name, makeTasks(name), deps, { kind: `array.${prefix}`, shape: meta.shape, chunks: meta.chunks.map((c) => c.length) });
  return new ChunkedArray(name, LayeredGraph.from(l, ...graphs), meta);
}

/** Puts computed chunks together into one C-order chunk of the whole array. */
export function assembleFull(x: ArrayMeta, values: readonly Chunk[]): Chunk {
  if (values.length === 1 && values[0]!.dtype === x.dtype && size(x.shape) === values[0]!.data.length) return makeChunk(x.dtype, x.shape, values[0]!.data);
  const out = makeChunk(x.dtype, x.shape);
  const offs = x.chunks.map(offsets);
  const st = stridesOf(x.shape);
  let k = 0;
  for (const idx of blockIndices(numBlocks(x.chunks))) {
    const c = values[k++]!;
    const want = idx.map((b, a) => x.chunks[a]![b]!);
    if (c.shape.length !== want.length || c.shape.some((d, a) => d !== want[a]) || c.dtype !== x.dtype) {
      throw new MetadataMismatchError(
        `block ${idx.join(",")} was computed with shape ${fmtShape(c.shape)} and dtype ${c.dtype} but the array declares ${fmtShape(want)} and ${x.dtype}; ` +
          `if it came from mapBlocks/fromFunction, declare the output's chunks and dtype`,
      );
    }
    if (c.data.length === 0) continue;
    if (x.shape.length === 0) { out.data[0] = c.data[0]!; continue; }
    const nd = c.shape.length;
    const rowLen = c.shape[nd - 1]!;
    const base = idx.reduce((acc, b, a) => acc + offs[a]![b]! * st[a]!, 0);
    const outer = c.shape.slice(0, nd - 1);
    const n = size(outer);
    const cnt = new Array<number>(nd - 1).fill(0);
    let dst = base;
    for (let r = 0; r < n; r++) {
      out.data.set(c.data.subarray(r * rowLen, (r + 1) * rowLen), dst);
      for (let a = nd - 2; a >= 0; a--) {
        dst += st[a]!;
        if (++cnt[a]! < outer[a]!) break;
        dst -= st[a]! * outer[a]!;
        cnt[a] = 0;
      }
    }
  }
  return out;
}

/** A chunk as a tf.Tensor (float64 → float32). */
export async function toTensor(c: Chunk): Promise<Tensor> {
  const tf = await import("@tensorflow/tfjs");
  // tfjs's cpu backend prints "install tfjs-node" to stderr on first use (a red box in a notebook);
  // tusk uses the cpu backend in this thread on purpose (DESIGN.md: tfjs-node fails in worker threads).
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  const shape = [...c.shape];
  if (c.dtype === "float64") return tf.tensor(Float32Array.from(c.data), shape, "float32");
  return tf.tensor(c.data, shape, c.dtype);
}

export type { TypedArray };
