/**
 * Array kernels: what one task does to one chunk, as plain typed-array loops. Every
 * thread imports this module (it registers its own URL), so the ops and the chunk codec
 * exist wherever tasks run. Elementwise loops are generated once per op (`new Function`)
 * so each is a monomorphic loop V8 can optimize; broadcasting walks the output in C order
 * with per-operand strides (0 on broadcast axes).
 */
import { registerCodec } from "../graph/codec.js";
import { defineOp, registerOpModule } from "../graph/ops.js";
import { MetadataMismatchError, ValidationError } from "../errors.js";
import { resolveFunction, type FnRef } from "../graph/shipped-function.js";
import { isChunk, makeChunk, castData, dtypeOfTyped, type Chunk } from "./chunk.js";
import { ctorOf, fmtShape, size, stridesOf, type DType, type TypedArray } from "./chunks.js";

registerOpModule(import.meta.url);

registerCodec<Chunk>({
  name: "array.chunk",
  test: isChunk,
  encode: (c) => ({
    meta: { dtype: c.dtype, shape: c.shape },
    buffers: [new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength)],
  }),
  decode: (meta, buffers) => {
    const { dtype, shape } = meta as { dtype: DType; shape: number[] };
    const Ctor = ctorOf(dtype);
    let b = buffers[0]!;
    if (b.byteOffset % Ctor.BYTES_PER_ELEMENT !== 0) b = b.slice();
    return makeChunk(dtype, shape, new Ctor(b.buffer, b.byteOffset, b.byteLength / Ctor.BYTES_PER_ELEMENT));
  },
  nbytes: (c) => c.data.byteLength,
});

// ---------------------------------------------------------------- elementwise

/** Binary ops: expression over `x`, `y` (numbers) per output dtype family. */
export const BINARY: Record<string, { expr: string; intExpr?: string; out?: "bool" | "int32" }> = {
  add: { expr: "x + y" },
  sub: { expr: "x - y" },
  mul: { expr: "x * y" },
  div: { expr: "x / y", intExpr: "Math.floor(x / y)" },
  floorDiv: { expr: "Math.floor(x / y)", out: "int32" },
  pow: { expr: "Math.pow(x, y)" },
  mod: { expr: "((r) => (x < 0 && y < 0) || (x >= 0 && y >= 0) ? r : (r + y) % y)(x % y)" },
  maximum: { expr: "(x !== x || y !== y) ? NaN : (x > y ? x : y)" },
  minimum: { expr: "(x !== x || y !== y) ? NaN : (x < y ? x : y)" },
  squaredDifference: { expr: "(x - y) * (x - y)" },
  greater: { expr: "x > y ? 1 : 0", out: "bool" },
  greaterEqual: { expr: "x >= y ? 1 : 0", out: "bool" },
  less: { expr: "x < y ? 1 : 0", out: "bool" },
  lessEqual: { expr: "x <= y ? 1 : 0", out: "bool" },
  equal: { expr: "x === y ? 1 : 0", out: "bool" },
  notEqual: { expr: "x !== y ? 1 : 0", out: "bool" },
  logicalAnd: { expr: "(x !== 0 && y !== 0) ? 1 : 0", out: "bool" },
  logicalOr: { expr: "(x !== 0 || y !== 0) ? 1 : 0", out: "bool" },
};

/**
 * Unary ops, typed as tfjs types them: `same` keeps int32 (tfjs computes expm1/log1p/
 * reciprocal of int32 into int32); `float` gives float32 for int32/bool input (tfjs's exp
 * does; tfjs rejects int32 for log, sqrt, sin, … — we cast instead), float64 stays float64.
 */
export const UNARY: Record<string, { expr: string; kind: "float" | "same" | "bool" }> = {
  abs: { expr: "Math.abs(x)", kind: "same" },
  neg: { expr: "-x", kind: "same" },
  square: { expr: "x * x", kind: "same" },
  floor: { expr: "Math.floor(x)", kind: "same" },
  ceil: { expr: "Math.ceil(x)", kind: "same" },
  sign: { expr: "x > 0 ? 1 : x < 0 ? -1 : 0", kind: "same" },
  relu: { expr: "x > 0 ? x : 0", kind: "same" },
  exp: { expr: "Math.exp(x)", kind: "float" },
  expm1: { expr: "Math.expm1(x)", kind: "same" },
  log: { expr: "Math.log(x)", kind: "float" },
  log1p: { expr: "Math.log1p(x)", kind: "same" },
  sqrt: { expr: "Math.sqrt(x)", kind: "float" },
  rsqrt: { expr: "1 / Math.sqrt(x)", kind: "float" },
  reciprocal: { expr: "1 / x", kind: "same" },
  sin: { expr: "Math.sin(x)", kind: "float" },
  cos: { expr: "Math.cos(x)", kind: "float" },
  tan: { expr: "Math.tan(x)", kind: "float" },
  tanh: { expr: "Math.tanh(x)", kind: "float" },
  sigmoid: { expr: "1 / (1 + Math.exp(-x))", kind: "float" },
  logicalNot: { expr: "x === 0 ? 1 : 0", kind: "bool" },
};

/** Result dtype of a binary op (tfjs: bool arithmetic counts as int32; JS numbers are float32 scalars). */
export function binaryDType(op: string, a: DType, b: DType): DType {
  const spec = BINARY[op]!;
  if (spec.out) return spec.out;
  const t = a === "float64" || b === "float64" ? "float64" : a === "float32" || b === "float32" ? "float32" : "int32";
  return t;
}

export function unaryDType(op: string, a: DType): DType {
  const kind = UNARY[op]!.kind;
  if (kind === "bool") return "bool";
  if (kind === "float") return a === "float64" ? "float64" : "float32";
  return a === "bool" ? "int32" : a;
}

type BinLoop = (a: TypedArray, b: TypedArray, out: TypedArray, shape: number[], sa: number[], sb: number[]) => void;
const binLoops = new Map<string, BinLoop>();

function binLoop(expr: string): BinLoop {
  let fn = binLoops.get(expr);
  if (fn) return fn;
  // An n-d counter over all axes but the last; the last axis is the tight inner loop.
  fn = new Function("a", "b", "out", "shape", "sa", "sb", `
    const nd = shape.length;
    if (nd === 0) { const x = a[0], y = b[0]; out[0] = ${expr}; return; }
    const n = out.length; if (n === 0) return;
    const last = shape[nd - 1], la = sa[nd - 1], lb = sb[nd - 1];
    const idx = new Array(nd).fill(0);
    let ia = 0, ib = 0, o = 0;
    while (o < n) {
      let pa = ia, pb = ib;
      if (la === 1 && lb === 1) { for (let j = 0; j < last; j++) { const x = a[pa + j], y = b[pb + j]; out[o++] = ${expr}; } }
      else { for (let j = 0; j < last; j++) { const x = a[pa], y = b[pb]; out[o++] = ${expr}; pa += la; pb += lb; } }
      let ax = nd - 2;
      for (; ax >= 0; ax--) {
        ia += sa[ax]; ib += sb[ax];
        if (++idx[ax] < shape[ax]) break;
        ia -= sa[ax] * shape[ax]; ib -= sb[ax] * shape[ax]; idx[ax] = 0;
      }
      if (ax < 0) break;
    }`) as BinLoop;
  binLoops.set(expr, fn);
  return fn;
}

/** Strides of `shape` broadcast to `out` (0 on broadcast axes, leading axes missing). */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = out.length - shape.length;
  return out.map((d, i) => (i < off ? 0 : shape[i - off] === 1 && d !== 1 ? 0 : st[i - off]!));
}

function chunkShapeBroadcast(a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const x = a[a.length - nd + i] ?? 1;
    const y = b[b.length - nd + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new MetadataMismatchError(`chunk shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (internal chunk alignment error)`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * A chunk read through a permutation of its axes without copying (what `x.T` becomes
 * inside `x.add(x.T)`): the loops read it with permuted strides, so no transposed copy
 * is allocated.
 */
export interface TransposedView { readonly tkView: true; readonly chunk: Chunk; readonly perm: readonly number[] }

type Operand = Chunk | number | TransposedView;

interface Strided { dtype: DType; shape: readonly number[]; strides: readonly number[]; data: TypedArray }

function asStrided(v: Operand): Strided {
  if (typeof v === "number") return { dtype: "float64", shape: [], strides: [], data: new Float64Array([v]) };
  if ("tkView" in v) {
    const st = stridesOf(v.chunk.shape);
    return { dtype: v.chunk.dtype, shape: v.perm.map((p) => v.chunk.shape[p]!), strides: v.perm.map((p) => st[p]!), data: v.chunk.data };
  }
  return { dtype: v.dtype, shape: v.shape, strides: stridesOf(v.shape), data: v.data };
}

function asChunk(v: Operand): Chunk {
  if (typeof v === "number") return makeChunk("float64", [], new Float64Array([v]));
  return "tkView" in v ? transposeChunk(v.chunk, v.perm) : v;
}

/** Strides of a strided operand broadcast to `out` (0 on broadcast axes and missing leading axes). */
function broadcastStridesOf(o: Strided, out: readonly number[]): number[] {
  const off = out.length - o.shape.length;
  return out.map((d, i) => (i < off ? 0 : o.shape[i - off] === 1 && d !== 1 ? 0 : o.strides[i - off]!));
}

/** A binary op on two chunks (or a chunk and a number, or transposed views) with broadcasting. */
export function binary(op: string, a: Operand, b: Operand, outDType: DType): Chunk {
  const spec = BINARY[op];
  if (!spec) throw new ValidationError(`unknown binary op ${op}`);
  const ca = asStrided(a);
  const cb = asStrided(b);
  const shape = chunkShapeBroadcast(ca.shape, cb.shape);
  const out = makeChunk(outDType, shape);
  const intArith = !spec.out && outDType === "int32";
  const expr = intArith && spec.intExpr ? spec.intExpr : spec.expr;
  binLoop(expr)(ca.data, cb.data, out.data, shape, broadcastStridesOf(ca, shape), broadcastStridesOf(cb, shape));
  return out;
}

defineOp("array.transposeView", (c: Chunk, perm: number[]): TransposedView => ({ tkView: true, chunk: c, perm }));

type UnLoop = (a: TypedArray, out: TypedArray, p: number, q: number) => void;
const unLoops = new Map<string, UnLoop>();

function unLoop(expr: string): UnLoop {
  let fn = unLoops.get(expr);
  if (!fn) {
    fn = new Function("a", "out", "p", "q", `const n = a.length; for (let i = 0; i < n; i++) { const x = a[i]; out[i] = ${expr}; }`) as UnLoop;
    unLoops.set(expr, fn);
  }
  return fn;
}

export function unary(op: string, a: Chunk): Chunk {
  const spec = UNARY[op];
  if (!spec) throw new ValidationError(`unknown unary op ${op}`);
  const out = makeChunk(unaryDType(op, a.dtype), a.shape);
  unLoop(spec.expr)(a.data, out.data, 0, 0);
  return out;
}

defineOp("array.binary", (op: string, a: Operand, b: Operand, dtype: DType) => binary(op, a, b, dtype));
defineOp("array.unary", (op: string, a: Chunk) => unary(op, a));
defineOp("array.clip", (a: Chunk, lo: number, hi: number) => {
  const out = makeChunk(a.dtype, a.shape);
  unLoop("x < p ? p : x > q ? q : x")(a.data, out.data, lo, hi);
  return out;
});
defineOp("array.cast", (a: Chunk, dtype: DType) => (a.dtype === dtype ? a : makeChunk(dtype, a.shape, castData(a.data, dtype))));

/** `where(cond, a, b)` with broadcasting of all three. */
defineOp("array.where", (c: Chunk, a: Operand, b: Operand, dtype: DType) => {
  const ca = asChunk(a), cb = asChunk(b);
  const shape = chunkShapeBroadcast(chunkShapeBroadcast(c.shape, ca.shape), cb.shape);
  const out = makeChunk(dtype, shape);
  const sc = broadcastStrides(c.shape, shape), sa = broadcastStrides(ca.shape, shape), sb = broadcastStrides(cb.shape, shape);
  forEachIndex(shape, [sc, sa, sb], (o, [ic, ia, ib]) => {
    out.data[o] = c.data[ic!] !== 0 ? ca.data[ia!]! : cb.data[ib!]!;
  });
  return out;
});

/** Calls `fn(outFlat, offsets)` for every element in C order, with each operand's offset. */
export function forEachIndex(shape: readonly number[], strides: number[][], fn: (o: number, offs: number[]) => void): void {
  const n = size(shape);
  if (n === 0) return;
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  const offs = strides.map(() => 0);
  for (let o = 0; o < n; o++) {
    fn(o, offs);
    for (let ax = nd - 1; ax >= 0; ax--) {
      for (let k = 0; k < strides.length; k++) offs[k]! += strides[k]![ax]!;
      if (++idx[ax]! < shape[ax]!) break;
      for (let k = 0; k < strides.length; k++) offs[k]! -= strides[k]![ax]! * shape[ax]!;
      idx[ax] = 0;
    }
  }
}

// ---------------------------------------------------------------- creation

defineOp("array.full", (dtype: DType, shape: number[], value: number) => {
  const c = makeChunk(dtype, shape);
  if (value !== 0) c.data.fill(dtype === "bool" ? (value ? 1 : 0) : value);
  return c;
});

/** `start + step * (offset + i)` for i in [0, n). */
defineOp("array.arange", (dtype: DType, start: number, step: number, offset: number, n: number) => {
  const c = makeChunk(dtype, [n]);
  for (let i = 0; i < n; i++) c.data[i] = start + step * (offset + i);
  return c;
});

/** linspace values at global positions [offset, offset + n) of `num`. */
defineOp("array.linspace", (dtype: DType, start: number, stop: number, num: number, endpoint: boolean, offset: number, n: number) => {
  const c = makeChunk(dtype, [n]);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    c.data[i] = endpoint && k === num - 1 && num > 1 ? stop : start + step * k;
  }
  return c;
});

/** A block of `eye`: ones where global column - global row = k. */
defineOp("array.eye", (dtype: DType, shape: [number, number], row0: number, col0: number, k: number) => {
  const c = makeChunk(dtype, shape);
  for (let i = 0; i < shape[0]; i++) {
    const j = row0 + i + k - col0;
    if (j >= 0 && j < shape[1]) c.data[i * shape[1] + j] = 1;
  }
  return c;
});

/** A chunk given as data in the graph (fromArray). */
defineOp("array.literal", (dtype: DType, shape: number[], data: TypedArray) => makeChunk(dtype, shape, data));

// ---------------------------------------------------------------- random (counter-seeded xoshiro128**)

/** splitmix32 step: returns [next state, output] packed as the output; state kept by the caller. */
function mix32(z: number): number {
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) | 0;
}

/**
 * Fills `out` with uniform doubles in [0, 1) (53 random bits each) from xoshiro128**
 * seeded by (seed, block) through splitmix32, so a chunk's values depend only on the
 * seed and the chunk's index: the same chunking gives the same array in any order.
 * All state stays in int32 locals (no heap numbers), so V8 keeps the loop optimized.
 */
export function uniformFill(out: Float64Array, seed: number, block: number): void {
  const k = (Math.imul((seed % 4294967296) | 0, 0x9e3779b1) ^ Math.imul((block + 1) | 0, 0x85ebca77)) | 0;
  let s0 = mix32((k + 0x9e3779b9) | 0), s1 = mix32((k + 0x3c6ef372) | 0), s2 = mix32((k + 0xdaa66d2b) | 0), s3 = mix32((k + 0x78dde6e4) | 0);
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    // two 32-bit outputs -> 53 bits
    let r = Math.imul(s1, 5); r = Math.imul((r << 7) | (r >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    let r2 = Math.imul(s1, 5); r2 = Math.imul((r2 << 7) | (r2 >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
    out[i] = ((r >>> 5) * 67108864 + (r2 >>> 6)) * 1.1102230246251565e-16;
  }
}

defineOp("array.random", (dist: "uniform" | "normal", dtype: DType, shape: number[], seed: number, block: number, a: number, b: number) => {
  const n = size(shape);
  const u = new Float64Array(dist === "normal" ? n + (n % 2) : n);
  uniformFill(u, seed, block);
  if (dist === "uniform") {
    if (a !== 0 || b !== 1) for (let i = 0; i < n; i++) u[i] = a + (b - a) * u[i]!;
  } else {
    // Box-Muller: two normals from two uniforms (1 - u avoids log(0)).
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - u[i]!));
      const th = 2 * Math.PI * u[i + 1]!;
      u[i] = a + b * r * Math.cos(th);
      u[i + 1] = a + b * r * Math.sin(th);
    }
  }
  const data = u.length === n ? u : u.slice(0, n);
  return makeChunk(dtype, shape, dtype === "float64" ? data : castData(data, dtype));
});

// ---------------------------------------------------------------- shape ops

/** One axis of a selection: `count` elements from `start` by `step`; `drop` removes the axis (an integer index). */
export interface AxisSel { readonly start: number; readonly step: number; readonly count: number; readonly drop?: boolean }

/** Strided gather from a chunk. */
export function select(c: Chunk, sel: readonly AxisSel[]): Chunk {
  const full = sel.map((s) => s.count);
  const shape = sel.filter((s) => !s.drop).map((s) => s.count);
  const out = makeChunk(c.dtype, shape);
  const st = stridesOf(c.shape);
  const base = sel.reduce((acc, s, i) => acc + s.start * st[i]!, 0);
  if (shape.length === 0 || size(full) === 0) {
    if (size(full) > 0) out.data[0] = c.data[base]!;
    return out;
  }
  const last = sel.length - 1;
  if (sel[last]!.step === 1) {
    // rows along the last axis are contiguous: copy them with subarray/set
    const rowLen = full[last]!;
    const outer = full.slice(0, last);
    let o = 0;
    forEachIndex(outer, [outer.map((_, i) => st[i]! * sel[i]!.step)], (_o, [off]) => {
      const from = base + off!;
      out.data.set(c.data.subarray(from, from + rowLen), o);
      o += rowLen;
    });
    return out;
  }
  forEachIndex(full, [full.map((_, i) => st[i]! * sel[i]!.step)], (o, [off]) => {
    out.data[o] = c.data[base + off!]!;
  });
  return out;
}

defineOp("array.select", (c: Chunk, sel: AxisSel[]) => select(c, sel));

/** Copies parts into one chunk at the given offsets (rechunk, concat). */
defineOp("array.assemble", (dtype: DType, shape: number[], parts: Chunk[], at: number[][]) => assemble(dtype, shape, parts, at));

export function assemble(dtype: DType, shape: readonly number[], parts: readonly Chunk[], at: readonly (readonly number[])[]): Chunk {
  if (parts.length === 1 && parts[0]!.dtype === dtype && parts[0]!.shape.every((d, i) => d === shape[i])) return parts[0]!;
  const out = makeChunk(dtype, shape);
  const ost = stridesOf(shape);
  parts.forEach((p, k) => {
    const data = p.dtype === dtype ? p.data : castData(p.data, dtype);
    if (p.shape.length === 0) { out.data[0] = data[0]!; return; }
    const base = at[k]!.reduce((acc, x, i) => acc + x * ost[i]!, 0);
    const nd = p.shape.length;
    const rowLen = p.shape[nd - 1]!;
    const outer = p.shape.slice(0, nd - 1);
    let src = 0;
    if (size(p.shape) === 0) return;
    forEachIndex(outer, [outer.map((_, i) => ost[i]!)], (_o, [off]) => {
      out.data.set(data.subarray(src, src + rowLen), base + off!);
      src += rowLen;
    });
  });
  return out;
}

/** Transposes a chunk (tiled for 2-d). */
export function transposeChunk(c: Chunk, perm: readonly number[]): Chunk {
  const shape = perm.map((p) => c.shape[p]!);
  const out = makeChunk(c.dtype, shape);
  if (perm.every((p, i) => p === i)) { out.data.set(c.data); return out; }
  if (c.shape.length === 2) {
    const [r, k] = c.shape as [number, number];
    const a = c.data, o = out.data, T = 32;
    for (let i0 = 0; i0 < r; i0 += T) for (let j0 = 0; j0 < k; j0 += T) {
      const i1 = Math.min(r, i0 + T), j1 = Math.min(k, j0 + T);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) o[j * r + i] = a[i * k + j]!;
    }
    return out;
  }
  const st = stridesOf(c.shape);
  forEachIndex(shape, [perm.map((p) => st[p]!)], (o, [off]) => { out.data[o] = c.data[off!]!; });
  return out;
}

defineOp("array.transpose", (c: Chunk, perm: number[]) => transposeChunk(c, perm));

/** The same data under another shape of equal size (no copy). */
defineOp("array.reshapeChunk", (c: Chunk, shape: number[]) => makeChunk(c.dtype, shape, c.data));

/**
 * One output chunk of a reshape: the C-order flat range [lo, hi) of the result, gathered
 * from the input blocks that overlap it (each given with its offset in the input).
 */
defineOp("array.reshapeGather", (dtype: DType, outShape: number[], lo: number, inShape: number[], blocks: Chunk[], blockOffsets: number[][]) => {
  const out = makeChunk(dtype, outShape);
  const hi = lo + out.data.length;
  const ist = stridesOf(inShape);
  blocks.forEach((b, k) => {
    const nd = b.shape.length;
    if (size(b.shape) === 0) return;
    const rowLen = b.shape[nd - 1]!;
    const base = blockOffsets[k]!.reduce((acc, x, i) => acc + x * ist[i]!, 0);
    const outer = b.shape.slice(0, nd - 1);
    let src = 0;
    forEachIndex(outer, [outer.map((_, i) => ist[i]!)], (_o, [off]) => {
      const f0 = base + off!;
      const a = Math.max(f0, lo), e = Math.min(f0 + rowLen, hi);
      if (a < e) out.data.set(b.data.subarray(src + (a - f0), src + (e - f0)), a - lo);
      src += rowLen;
    });
  });
  return out;
});

// ---------------------------------------------------------------- user code

/** What a user function given to mapBlocks / fromFunction receives and may return. */
export interface BlockInfo {
  readonly blockIndex: readonly number[];
  /** Offset of the block's first element in the whole array, per axis. */
  readonly offset: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Turns what user code returned into a chunk of the declared dtype and shape. */
export function toChunk(value: unknown, dtype: DType, shape: readonly number[], what: string): Chunk {
  let c: Chunk;
  if (isChunk(value)) c = value;
  else if (ArrayBuffer.isView(value)) {
    const d = value as TypedArray;
    c = makeChunk(dtypeOfTyped(d), shape.length === 0 && d.length === 1 ? [] : d.length === size(shape) ? shape : [d.length], d);
  } else if (typeof value === "object" && value !== null && ArrayBuffer.isView((value as { data?: unknown }).data)) {
    const v = value as { data: TypedArray; shape?: number[] };
    c = makeChunk(dtypeOfTyped(v.data), v.shape ?? shape, v.data);
  } else if (typeof value === "number" && shape.length === 0) {
    c = makeChunk("float64", [], new Float64Array([value]));
  } else if (Array.isArray(value)) {
    const flat = (value as unknown[]).flat(Infinity) as number[];
    c = makeChunk("float64", flat.length === size(shape) ? shape : [flat.length], Float64Array.from(flat));
  } else {
    throw new MetadataMismatchError(`${what} returned ${typeof value}; return a typed array or { data, shape } of shape ${fmtShape(shape)}`);
  }
  if (c.shape.length !== shape.length || c.shape.some((d, i) => d !== shape[i])) {
    throw new MetadataMismatchError(
      `${what} returned a block of shape ${fmtShape(c.shape)} but shape ${fmtShape(shape)} was expected; pass chunks: to declare the output chunks when they change`,
    );
  }
  return c.dtype === dtype ? c : makeChunk(dtype, c.shape, castData(c.data, dtype));
}

defineOp("array.mapBlocks", async (fn: FnRef, dtype: DType, info: BlockInfo, blocks: Chunk[], args: unknown[]) => {
  const f = await resolveFunction(fn);
  const value = await f(...blocks, ...args, info);
  return toChunk(value, dtype, info.shape, "the function given to mapBlocks");
});

defineOp("array.fromFunction", async (fn: FnRef, dtype: DType, info: BlockInfo, args: unknown[]) => {
  const f = await resolveFunction(fn);
  const value = await f(info, ...args);
  return toChunk(value, dtype, info.shape, "the function given to fromFunction");
});

defineOp("array.fromValue", (value: unknown, dtype: DType, shape: number[]) => toChunk(value, dtype, shape, "the delayed value given to fromDelayed"));

/** Calls `fn(...blocks, ...args)` where some arguments are lists of blocks (blockwise). */
defineOp("array.blockwise", async (fn: FnRef, dtype: DType, shape: number[], inputs: unknown[], args: unknown[]) => {
  const f = await resolveFunction(fn);
  const value = await f(...inputs, ...args);
  return toChunk(value, dtype, shape, "the function given to blockwise");
});
