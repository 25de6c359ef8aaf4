/**
 * Graph building for elementwise work: operands are aligned (numpy/tfjs broadcasting of
 * shapes; chunks of equal-length axes unified to their common refinement by rechunking),
 * then one task per output block. Also `mapBlocks` and `blockwise` for user functions.
 */
import { ValidationError } from "../errors.js";
import { makeKey, type Key } from "../graph/key.js";
import { shipFunction } from "../graph/shipped-function.js";
import { lit, list, ref, task, type Arg } from "../graph/task.js";
import { ChunkedArray, fromLayer, type ArrayLike } from "./array.js";
import {
  blockIndices, blockShape, broadcastShapes, checkDType, fmtShape, normalizeChunks, numBlocks, offsets, refine, sameChunks,
  type Chunks, type DType,
} from "./chunks.js";
import { BINARY, UNARY, binaryDType, unaryDType } from "./kernels.js";
import { rechunk } from "./shape.js";

function dtypeOf(x: ArrayLike): DType {
  return typeof x === "number" ? "float32" : x.dtype;
}

function checkOperand(x: unknown, what: string): ArrayLike {
  if (x instanceof ChunkedArray) return x;
  if (typeof x === "number") return x;
  throw new ValidationError(`${what} must be a tk.array array or a number, got ${x === null ? "null" : typeof x}; wrap data with tk.array.fromArray(data, { chunks })`);
}

/** Operands lined up block by block. */
export interface Aligned {
  readonly shape: number[];
  readonly chunks: number[][];
  readonly operands: ArrayLike[];
  /** The arrays whose graphs the tasks read. */
  readonly inputs: ChunkedArray[];
  /** The argument that reads operand `k` for output block `idx`. */
  arg(k: number, idx: readonly number[]): Arg;
}

/** Broadcasts shapes and unifies chunks of several operands. */
export function align(items: readonly ArrayLike[], views = false): Aligned {
  const arrays = items.filter((x): x is ChunkedArray => x instanceof ChunkedArray);
  const shape = broadcastShapes(...arrays.map((a) => a.shape));
  const nd = shape.length;
  const chunks: number[][] = shape.map((d, i) => {
    let c: number[] | undefined;
    for (const a of arrays) {
      const j = i - (nd - a.ndim);
      if (j < 0) continue;
      if (a.shape[j] === 1 && d !== 1) continue;
      c = c ? refine(c, a.chunks[j]!) : [...a.chunks[j]!];
    }
    return c ?? [d];
  });
  const operands = items.map((x) => {
    if (typeof x === "number") return x;
    const off = nd - x.ndim;
    const target = x.shape.map((d, j) => (d === 1 && shape[j + off] !== 1 ? [1] : chunks[j + off]!));
    return sameChunks(target, x.chunks) ? x : rechunk(x, target);
  });
  const inputs = operands.filter((x): x is ChunkedArray => x instanceof ChunkedArray).map((x) => (views && x.transposeOf ? x.transposeOf.source : x));
  return {
    shape, chunks, operands, inputs,
    arg(k, idx) {
      const x = operands[k]!;
      if (typeof x === "number") return lit(x);
      const off = nd - x.ndim;
      const bidx = x.shape.map((d, j) => (d === 1 && shape[j + off] !== 1 ? 0 : idx[j + off]!));
      if (views && x.transposeOf) {
        // read the source block through a transposed view: no transposed copy is made
        const { source, perm } = x.transposeOf;
        const src = new Array<number>(perm.length);
        perm.forEach((a, i) => { src[a] = bidx[i]!; });
        return { call: { op: "array.transposeView", args: [ref(source.key(src)), lit(perm)] } };
      }
      return ref(x.key(bidx));
    },
  };
}

function elementwise(prefix: string, op: string, items: readonly ArrayLike[], dtype: DType, build: (args: Arg[]) => { op: string; args: Arg[] }, extra: unknown[] = [], views = false): ChunkedArray {
  const al = align(items, views);
  const inputs = al.inputs;
  if (inputs.length === 0) throw new ValidationError(`${op} needs at least one tk.array array operand`);
  const token = [op, dtype, ...al.operands.map((x) => (typeof x === "number" ? x : x.name)), ...extra];
  return fromLayer(prefix, token, { shape: al.shape, dtype, chunks: al.chunks }, (name) => {
    const tasks = [];
    for (const idx of blockIndices(numBlocks(al.chunks))) {
      const t = build(al.operands.map((_, k) => al.arg(k, idx)));
      tasks.push(task(makeKey(name, idx), t.op, ...t.args));
    }
    return tasks;
  }, inputs);
}

/** A binary op (`add`, `greater`, …) with broadcasting. */
export function binaryOp(op: string, a: ArrayLike, b: ArrayLike): ChunkedArray {
  checkOperand(a, `the first operand of ${op}`);
  checkOperand(b, `the argument of ${op}`);
  const dtype = binaryDType(op, dtypeOf(a), dtypeOf(b));
  return elementwise(op, op, [a, b], dtype, ([x, y]) => ({ op: "array.binary", args: [lit(op), x!, y!, lit(dtype)] }), [], true);
}

/** A unary op (`exp`, `abs`, …). */
export function unaryOp(op: string, a: ChunkedArray): ChunkedArray {
  if (!UNARY[op]) throw new ValidationError(`unknown op ${op}`);
  checkOperand(a, `the operand of ${op}`);
  return elementwise(op, op, [a], unaryDType(op, a.dtype), ([x]) => ({ op: "array.unary", args: [lit(op), x!] }));
}

export function clipByValue(a: ChunkedArray, lo: number, hi: number): ChunkedArray {
  if (typeof lo !== "number" || typeof hi !== "number" || lo > hi) {
    throw new ValidationError(`clipByValue needs numbers clipValueMin <= clipValueMax, got ${lo} and ${hi}`);
  }
  return elementwise("clip", "clip", [a], a.dtype, ([x]) => ({ op: "array.clip", args: [x!, lit(lo), lit(hi)] }), [lo, hi]);
}

export function cast(a: ChunkedArray, dtype: DType): ChunkedArray {
  checkDType(dtype);
  if (a.dtype === dtype) return a;
  return elementwise("cast", "cast", [a], dtype, ([x]) => ({ op: "array.cast", args: [x!, lit(dtype)] }));
}

/** tfjs's `where(condition, a, b)`. */
export function where(cond: ChunkedArray, a: ArrayLike, b: ArrayLike): ChunkedArray {
  checkOperand(cond, "the condition of where");
  const dtype = typeof a === "number" && typeof b === "number" ? "float32"
    : typeof a === "number" ? (b as ChunkedArray).dtype : typeof b === "number" ? a.dtype : binaryDType("add", a.dtype, b.dtype);
  return elementwise("where", "where", [cond, a, b], dtype, ([c, x, y]) => ({ op: "array.where", args: [c!, x!, y!, lit(dtype)] }));
}

export { BINARY };

/** Options of `mapBlocks`. */
export interface MapBlocksOptions {
  /** dtype of the result (default: the first array's). */
  dtype?: DType;
  /** Chunks of the result when they differ from the inputs' (explicit sizes per axis). */
  chunks?: readonly (readonly number[])[];
  /** Extra plain arguments passed after the blocks. */
  args?: unknown[];
  /** Key prefix. */
  name?: string;
}

/**
 * Applies a closure-free function to every block of one or more aligned arrays:
 * `fn(blockA, blockB, ..., ...args, info)`, where a block is `{ data, shape, dtype }`
 * and `info` is `{ blockIndex, offset, shape, dtype }` of the output block. Return a
 * typed array (or `{ data, shape }`) of the output block's shape.
 * @example tk.array.mapBlocks((b) => b.data.map((v) => v * 2), [x])
 */
export function mapBlocks(fn: (...args: never[]) => unknown, arrays: readonly ChunkedArray[], options: MapBlocksOptions = {}): ChunkedArray {
  const ref0 = shipFunction(fn, "the function given to mapBlocks", "x.mapBlocks((b, k) => …, { args: [k] })");
  if (arrays.length === 0) throw new ValidationError("mapBlocks needs at least one array");
  const al = align(arrays);
  const dtype = options.dtype ? checkDType(options.dtype) : arrays[0]!.dtype;
  let chunks: number[][] = al.chunks;
  if (options.chunks) {
    chunks = options.chunks.map((c) => [...c]);
    const nb = numBlocks(chunks), want = numBlocks(al.chunks);
    if (nb.length !== want.length || nb.some((n, i) => n !== want[i])) {
      throw new ValidationError(`mapBlocks chunks has ${nb.join("×")} blocks but the inputs have ${want.join("×")}; give one size per input block on every axis`, { code: "ERR_CHUNKS_MISMATCH" });
    }
  }
  const shape = chunks.map((c) => c.reduce((a, b) => a + b, 0));
  const args = options.args ?? [];
  const inputs = al.operands as ChunkedArray[];
  return fromLayer(options.name ?? "map-blocks", [ref0, dtype, chunks, args, ...inputs.map((a) => a.name)], { shape, dtype, chunks }, (name) => {
    const offs = chunks.map(offsets);
    return [...blockIndices(numBlocks(chunks))].map((idx) => task(
      keyOf(name, idx), "array.mapBlocks", lit(ref0), lit(dtype),
      lit({ blockIndex: idx, offset: idx.map((b, a) => offs[a]![b]!), shape: blockShape(chunks, idx), dtype }),
      list(inputs.map((_, k) => al.arg(k, idx))), lit(args),
    ));
  }, inputs);
}

export function keyOf(name: string, idx: readonly number[]): Key {
  return makeKey(name, idx);
}

/**
 * Dask's `blockwise` with index strings: `blockwise(fn, "ij", [x, "ik"], [y, "kj"])`.
 * An index that appears in inputs but not in the output is contracted: the function then
 * receives, for that input, the list of its blocks along it (C order). Indices with equal
 * letters must have equal lengths; their chunks are unified.
 * @example tk.array.blockwise((as, bs) => …, "ij", [[x, "ik"], [y, "kj"]], { dtype: "float64" })
 */
export function blockwise(fn: (...args: never[]) => unknown, outInd: string, pairs: readonly (readonly [ChunkedArray, string])[], options: { dtype?: DType; args?: unknown[]; name?: string } = {}): ChunkedArray {
  const ref0 = shipFunction(fn, "the function given to blockwise", "blockwise((a, k) => …, 'ij', [[x, 'ij']], { args: [k] })");
  const dims = new Map<string, number>();
  const chunkOf = new Map<string, number[]>();
  for (const [arr, ind] of pairs) {
    if (!(arr instanceof ChunkedArray)) throw new ValidationError("blockwise inputs must be [array, indexString] pairs");
    if (ind.length !== arr.ndim) throw new ValidationError(`blockwise index "${ind}" has ${ind.length} letters but the array has ${arr.ndim} dimensions (shape ${fmtShape(arr.shape)})`, { code: "ERR_SHAPE_MISMATCH" });
    [...ind].forEach((ch, a) => {
      const d = arr.shape[a]!;
      const prev = dims.get(ch);
      if (prev !== undefined && prev !== d) {
        throw new ValidationError(`blockwise index "${ch}" has length ${prev} in one input and ${d} in another (shape ${fmtShape(arr.shape)}); equal letters must have equal lengths`, { code: "ERR_SHAPE_MISMATCH" });
      }
      dims.set(ch, d);
      chunkOf.set(ch, chunkOf.has(ch) ? refine(chunkOf.get(ch)!, arr.chunks[a]!) : [...arr.chunks[a]!]);
    });
  }
  for (const ch of outInd) if (!dims.has(ch)) throw new ValidationError(`blockwise output index "${ch}" appears in no input; new axes are not supported`);
  const inputs = pairs.map(([arr, ind]) => {
    const target: Chunks = [...ind].map((ch) => chunkOf.get(ch)!);
    return sameChunks(target, arr.chunks) ? arr : rechunk(arr, target);
  });
  const contracted = [...new Set(pairs.flatMap(([, ind]) => [...ind]))].filter((ch) => !outInd.includes(ch));
  const chunks = [...outInd].map((ch) => chunkOf.get(ch)!);
  const shape = [...outInd].map((ch) => dims.get(ch)!);
  const dtype = options.dtype ? checkDType(options.dtype) : pairs[0]![0].dtype;
  const args = options.args ?? [];
  return fromLayer(options.name ?? "blockwise", [ref0, outInd, pairs.map(([, i]) => i), inputs.map((a) => a.name), dtype, args], { shape, dtype, chunks }, (name) =>
    [...blockIndices(numBlocks(chunks))].map((idx) => {
      const pos = new Map([...outInd].map((ch, a) => [ch, idx[a]!]));
      const inArgs = pairs.map(([, ind], k) => {
        const arr = inputs[k]!;
        const mine = [...ind].filter((ch) => contracted.includes(ch));
        if (mine.length === 0) return ref(arr.key([...ind].map((ch) => pos.get(ch)!)));
        const sub = [...blockIndices(mine.map((ch) => chunkOf.get(ch)!.length))];
        return list(sub.map((s) => ref(arr.key([...ind].map((ch) => (mine.includes(ch) ? s[mine.indexOf(ch)]! : pos.get(ch)!))))));
      });
      return task(keyOf(name, idx), "array.blockwise", lit(ref0), lit(dtype), lit(blockShape(chunks, idx)), list(inArgs), lit(args));
    }), inputs);
}

export { normalizeChunks };
