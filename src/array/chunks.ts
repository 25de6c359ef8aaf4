/**
 * Array metadata without data: dtypes, shapes, chunkings (per axis, uneven allowed),
 * broadcasting and the checks that make bad programs fail when the graph is built
 * (mismatched shapes, chunks that do not fit, axes out of range), never in a worker.
 */
import { ValidationError } from "../errors.js";

/** Element types: tfjs's three plus float64 (the default of creation functions). */
export type DType = "float64" | "float32" | "int32" | "bool";

/** Per-axis chunk sizes, e.g. `[[2, 2, 1], [3]]` for a 5×3 array. */
export type Chunks = readonly (readonly number[])[];

/** What `chunks` options accept: a size for every axis, a size per axis, or explicit lists (-1 = whole axis). */
export type ChunksInput = number | readonly (number | readonly number[])[] | "auto";

export const DTYPES: readonly DType[] = ["bool", "int32", "float32", "float64"];

/** The typed array that holds a dtype. */
export type TypedArray = Float64Array | Float32Array | Int32Array | Uint8Array;

export interface TypedCtor {
  new (n: number | ArrayBufferLike, offset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
  from(values: ArrayLike<number>): TypedArray;
  of(...values: number[]): TypedArray;
}

export function ctorOf(dtype: DType): TypedCtor {
  switch (dtype) {
    case "float64": return Float64Array as never;
    case "float32": return Float32Array as never;
    case "int32": return Int32Array as never;
    case "bool": return Uint8Array as never;
  }
}

export function checkDType(dtype: unknown, what = "dtype"): DType {
  if (typeof dtype === "string" && (DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new ValidationError(`${what} must be one of ${DTYPES.join(", ")}, got ${JSON.stringify(dtype)}`, { code: "ERR_DTYPE" });
}

/** tfjs's upcast order with float64 on top: bool < int32 < float32 < float64. */
export function upcast(a: DType, b: DType): DType {
  return DTYPES[Math.max(DTYPES.indexOf(a), DTYPES.indexOf(b))]!;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { out[i] = s; s *= shape[i]!; }
  return out;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function fmtChunks(chunks: Chunks): string {
  return `(${chunks.map((c) => `(${c.join(",")})`).join(", ")})`;
}

export function checkShape(shape: unknown, what = "shape"): number[] {
  const arr = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(arr) || !arr.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ValidationError(`${what} must be a list of non-negative integers, got ${JSON.stringify(shape)}`, { code: "ERR_SHAPE" });
  }
  return [...arr] as number[];
}

/** Bytes per chunk that "auto" aims for (Dask's default array.chunk-size is 128 MiB). */
export const AUTO_CHUNK_BYTES = 32 * 2 ** 20;

/**
 * Normalizes a `chunks` option against a shape. Errors name the axis and show the shape.
 * @example normalizeChunks([5, 3], 2) // [[2, 2, 1], [2, 1]]
 */
export function normalizeChunks(input: ChunksInput | Chunks | undefined, shape: readonly number[], itemsize = 8): number[][] {
  if (input === undefined || input === "auto") return autoChunks(shape, itemsize);
  if (typeof input === "number") return shape.map((d, i) => regular(d, input, i, shape));
  if (!Array.isArray(input)) throw new ValidationError(`chunks must be a number, a list per axis or "auto", got ${JSON.stringify(input)}`, { code: "ERR_CHUNKS" });
  if (input.length !== shape.length) {
    throw new ValidationError(
      `chunks has ${input.length} axes but the array has ${shape.length} (shape ${fmtShape(shape)}); give one entry per axis, e.g. chunks: [${shape.map(() => 1000).join(", ")}]`,
      { code: "ERR_CHUNKS_MISMATCH" },
    );
  }
  return input.map((c, i) => {
    if (typeof c === "number") return regular(shape[i]!, c, i, shape);
    if (!Array.isArray(c) || !c.every((x) => Number.isInteger(x) && x >= 0)) {
      throw new ValidationError(`chunks of axis ${i} must be a size or a list of sizes, got ${JSON.stringify(c)}`, { code: "ERR_CHUNKS" });
    }
    const total = c.reduce((a: number, b: number) => a + b, 0);
    if (total !== shape[i]) {
      throw new ValidationError(
        `chunks of axis ${i} add up to ${total} (${c.join(" + ")}) but the axis has length ${shape[i]} (shape ${fmtShape(shape)}); the sizes of an axis must add up to its length`,
        { code: "ERR_CHUNKS_MISMATCH" },
      );
    }
    if (c.length === 0 || (c.some((x: number) => x === 0) && shape[i]! > 0)) {
      if (shape[i] !== 0) throw new ValidationError(`chunks of axis ${i} has an empty chunk: ${JSON.stringify(c)}`, { code: "ERR_CHUNKS" });
      return [0];
    }
    return [...c] as number[];
  });
}

function regular(dim: number, c: number, axis: number, shape: readonly number[]): number[] {
  if (c === -1) c = Math.max(dim, 1);
  if (!Number.isInteger(c) || c < 1) {
    throw new ValidationError(`chunk size of axis ${axis} must be a positive integer (or -1 for the whole axis), got ${c} (shape ${fmtShape(shape)})`, { code: "ERR_CHUNKS" });
  }
  if (dim === 0) return [0];
  const out: number[] = [];
  for (let s = 0; s < dim; s += c) out.push(Math.min(c, dim - s));
  return out;
}

/** Square-ish chunks of about {@link AUTO_CHUNK_BYTES}. */
export function autoChunks(shape: readonly number[], itemsize: number): number[][] {
  if (shape.length === 0) return [];
  const per = Math.max(1, Math.floor(AUTO_CHUNK_BYTES / itemsize));
  const side = Math.max(1, Math.floor(Math.pow(per, 1 / shape.length)));
  // Fill the last axes whole when they are small, as Dask does.
  const out: number[] = [];
  let budget = per;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    const c = i === 0 ? Math.min(Math.max(1, d), Math.max(1, budget)) : Math.min(Math.max(1, d), Math.max(side, 1));
    out.unshift(c);
    budget = Math.max(1, Math.floor(budget / c));
  }
  return shape.map((d, i) => regular(d, out[i]!, i, shape));
}

/** Start offsets of the chunks of one axis, plus the end. */
export function offsets(c: readonly number[]): number[] {
  const out = [0];
  for (const x of c) out.push(out[out.length - 1]! + x);
  return out;
}

/** Number of blocks per axis. */
export function numBlocks(chunks: Chunks): number[] {
  return chunks.map((c) => c.length);
}

/** Every block index in C order. */
export function* blockIndices(nb: readonly number[]): Generator<number[]> {
  const n = size(nb);
  if (n === 0) return;
  const idx = new Array<number>(nb.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield [...idx];
    for (let a = nb.length - 1; a >= 0; a--) {
      if (++idx[a]! < nb[a]!) break;
      idx[a] = 0;
    }
  }
}

/** The shape of one block. */
export function blockShape(chunks: Chunks, idx: readonly number[]): number[] {
  return idx.map((b, a) => chunks[a]![b]!);
}

/** An axis argument as a non-negative integer; errors show the range. */
export function normAxis(axis: number, ndim: number, what = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ValidationError(
      `${what} ${axis} is out of range for an array of ${ndim} dimension${ndim === 1 ? "" : "s"}; use an integer in [${-ndim}, ${ndim - 1}]`,
      { code: "ERR_AXIS" },
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

/** `axis?: number | number[]` as a sorted list of distinct axes (all axes when undefined). */
export function normAxes(axis: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = [...new Set(list.map((a) => normAxis(a, ndim)))].sort((a, b) => a - b);
  if (out.length !== list.length) throw new ValidationError(`axis has repeated entries: ${JSON.stringify(axis)}`, { code: "ERR_AXIS" });
  return out;
}

/** numpy/tfjs broadcasting of shapes; the error shows both. */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(ndim).fill(1);
  for (let i = 0; i < ndim; i++) {
    for (const s of shapes) {
      const d = s[s.length - ndim + i];
      if (d === undefined || d === 1) continue;
      if (out[i] === 1) out[i] = d;
      else if (out[i] !== d) {
        throw new ValidationError(
          `Operands could not be broadcast together with shapes ${shapes.map(fmtShape).join(" and ")}: axis ${i} has ${out[i]} vs ${d}. ` +
            `Shapes must be equal on each axis counted from the end, or 1 there; reshape one operand (e.g. x.reshape([...shape, 1])) to line them up`,
          { code: "ERR_SHAPE_MISMATCH" },
        );
      }
    }
  }
  return out;
}

/** The common refinement of two chunkings of one axis (both must add up to the same length). */
export function refine(a: readonly number[], b: readonly number[]): number[] {
  const cuts = new Set([...offsets(a), ...offsets(b)]);
  const sorted = [...cuts].sort((x, y) => x - y);
  const out: number[] = [];
  for (let i = 1; i < sorted.length; i++) out.push(sorted[i]! - sorted[i - 1]!);
  return out.length === 0 ? [0] : out;
}

export function sameChunks(a: Chunks, b: Chunks): boolean {
  return a.length === b.length && a.every((c, i) => c.length === b[i]!.length && c.every((x, j) => x === b[i]![j]));
}
