/**
 * Graph building for shape operations: rechunk, transpose, slicing and numpy-style
 * indexing (steps, negative indices, integer indices that drop an axis), reshape,
 * expandDims/squeeze, concat and stack. Each output block is made from the input blocks
 * it overlaps: a rechunked block is assembled from strided selections of the old blocks
 * (nested calls inside one task, so nothing extra crosses a thread).
 */
import { ValidationError } from "../errors.js";
import { makeKey } from "../graph/key.js";
import { lit, list, ref, task, type Arg } from "../graph/task.js";
import { ChunkedArray, fromLayer } from "./array.js";
import {
  blockIndices, blockShape, fmtChunks, fmtShape, normAxis, normalizeChunks, numBlocks, offsets, refine, sameChunks, size,
  upcast, type ChunksInput, type DType, ctorOf,
} from "./chunks.js";
import type { AxisSel } from "./kernels.js";
import { cast } from "./elementwise.js";

/** Per axis of one output chunk: the input pieces it is made of. */
interface Piece { block: number; sel: AxisSel; at: number }

function cartesian<T>(lists: readonly (readonly T[])[]): T[][] {
  let out: T[][] = [[]];
  for (const l of lists) out = out.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return out;
}

/** An array whose blocks are built from pieces of `x`'s blocks (rechunk, slice, index). */
function gather(prefix: string, token: unknown[], x: ChunkedArray, outChunks: number[][], pieces: (axis: number, block: number) => Piece[], drop: boolean[] = []): ChunkedArray {
  const shape = outChunks.map((c) => c.reduce((a, b) => a + b, 0));
  return fromLayer(prefix, [x.name, ...token], { shape, dtype: x.dtype, chunks: outChunks }, (name) => {
    const tasks = [];
    const nbOut = numBlocks(outChunks);
    const nIn = x.ndim;
    for (const idx of blockIndices(nbOut)) {
      // one list of pieces per input axis (dropped axes have one piece, no output position)
      let o = 0;
      const perAxis: Piece[][] = [];
      for (let a = 0; a < nIn; a++) perAxis.push(pieces(a, drop[a] ? 0 : idx[o++]!));
      const combos = cartesian(perAxis);
      const key = makeKey(name, idx);
      const bshape = blockShape(outChunks, idx);
      const simple = combos.length === 1 && combos[0]!.every((p, a) => p.sel.step === 1 && p.sel.start === 0 && p.sel.count === x.chunks[a]![p.block] && !p.sel.drop);
      if (simple) {
        tasks.push(task(key, "tusk.identity", ref(x.key(combos[0]!.map((p) => p.block)))));
        continue;
      }
      const parts: Arg[] = combos.map((c) => ({ call: { op: "array.select", args: [ref(x.key(c.map((p) => p.block))), lit(c.map((p) => p.sel))] } }));
      if (parts.length === 1) { tasks.push(task(key, "array.select", ...(parts[0] as unknown as { call: { args: Arg[] } }).call.args)); continue; }
      const at = combos.map((c) => c.filter((p) => !p.sel.drop).map((p) => p.at));
      tasks.push(task(key, "array.assemble", lit(x.dtype), lit(bshape), list(parts), lit(at)));
    }
    return tasks;
  }, [x]);
}

/** New chunks; blocks that do not change keep their data. */
export function rechunk(x: ChunkedArray, chunksIn: ChunksInput | readonly (readonly number[])[]): ChunkedArray {
  const chunks = normalizeChunks(chunksIn as ChunksInput, x.shape, ctorOf(x.dtype).BYTES_PER_ELEMENT);
  if (sameChunks(chunks, x.chunks)) return x;
  const oldOff = x.chunks.map(offsets);
  const newOff = chunks.map(offsets);
  const table = chunks.map((c, a) => c.map((_, b) => {
    const lo = newOff[a]![b]!, hi = newOff[a]![b + 1]!;
    const out: Piece[] = [];
    for (let ob = 0; ob < x.chunks[a]!.length; ob++) {
      const s = Math.max(lo, oldOff[a]![ob]!), e = Math.min(hi, oldOff[a]![ob + 1]!);
      if (s < e || (hi === lo && ob === 0 && out.length === 0)) out.push({ block: ob, sel: { start: s - oldOff[a]![ob]!, step: 1, count: Math.max(0, e - s) }, at: s - lo });
    }
    return out;
  }));
  return gather("rechunk", [chunks], x, chunks, (a, b) => table[a]![b]!);
}

/** Permutes axes. */
export function transpose(x: ChunkedArray, perm?: number[]): ChunkedArray {
  const nd = x.ndim;
  const p = perm ? perm.map((a) => normAxis(a, nd, "transpose axis")) : [...Array(nd).keys()].reverse();
  if (p.length !== nd || new Set(p).size !== nd) {
    throw new ValidationError(`transpose perm ${JSON.stringify(perm)} must list each of the ${nd} axes once (shape ${fmtShape(x.shape)})`, { code: "ERR_AXIS" });
  }
  if (p.every((a, i) => a === i)) return x;
  const shape = p.map((a) => x.shape[a]!);
  const chunks = p.map((a) => [...x.chunks[a]!]);
  const out = fromLayer("transpose", [x.name, p], { shape, dtype: x.dtype, chunks }, (name) =>
    [...blockIndices(numBlocks(chunks))].map((idx) => {
      const src = new Array<number>(nd);
      p.forEach((a, i) => { src[a] = idx[i]!; });
      return task(makeKey(name, idx), "array.transpose", ref(x.key(src)), lit(p));
    }), [x]);
  out.transposeOf = { source: x, perm: p };
  return out;
}

/** One axis of an index: an integer, `[start, stop, step]` (nulls for defaults) or null (all). */
export type IndexSpec = number | null | readonly (number | null | undefined)[] | string;

interface AxisPick { start: number; step: number; count: number; drop: boolean }

function normPick(spec: number | null | readonly (number | null | undefined)[], dim: number, axis: number, shape: readonly number[]): AxisPick {
  if (spec === null || spec === undefined) return { start: 0, step: 1, count: dim, drop: false };
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < -dim || spec >= dim) {
      throw new ValidationError(`index ${spec} is out of range for axis ${axis} of length ${dim} (shape ${fmtShape(shape)}); use an integer in [${-dim}, ${dim - 1}]`, { code: "ERR_INDEX" });
    }
    return { start: spec < 0 ? spec + dim : spec, step: 1, count: 1, drop: true };
  }
  const [s0, e0, st0] = spec;
  const step = st0 ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new ValidationError(`slice step of axis ${axis} must be a non-zero integer, got ${step}`, { code: "ERR_INDEX" });
  // Python's slice.indices
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  let start: number, stop: number;
  if (step > 0) {
    start = s0 == null ? 0 : clamp(s0 < 0 ? s0 + dim : s0, 0, dim);
    stop = e0 == null ? dim : clamp(e0 < 0 ? e0 + dim : e0, 0, dim);
  } else {
    start = s0 == null ? dim - 1 : clamp(s0 < 0 ? s0 + dim : s0, -1, dim - 1);
    stop = e0 == null ? -1 : clamp(e0 < 0 ? e0 + dim : e0, -1, dim - 1);
  }
  const count = step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : Math.max(0, Math.ceil((start - stop) / -step));
  return { start, step, count, drop: false };
}

function parseIndexString(s: string): (number | null | (number | null)[])[] {
  return s.split(",").map((part) => {
    const t = part.trim();
    if (t === "" || t === ":" || t === "...") return null;
    if (!t.includes(":")) return Number(t);
    const bits = t.split(":").map((b) => (b.trim() === "" ? null : Number(b)));
    return bits;
  });
}

/** numpy-style indexing. */
export function index(x: ChunkedArray, specIn: readonly IndexSpec[]): ChunkedArray {
  const spec = specIn.length === 1 && typeof specIn[0] === "string" ? parseIndexString(specIn[0]) : (specIn as (number | null | (number | null)[])[]);
  if (spec.some((s) => typeof s === "number" && Number.isNaN(s))) throw new ValidationError(`could not parse index ${JSON.stringify(specIn)}`, { code: "ERR_INDEX" });
  if (spec.length > x.ndim) {
    throw new ValidationError(`too many indices: ${spec.length} for an array of ${x.ndim} dimensions (shape ${fmtShape(x.shape)})`, { code: "ERR_INDEX" });
  }
  const picks = x.shape.map((d, a) => normPick(spec[a] as never, d, a, x.shape));
  return pick(x, picks, "getitem");
}

function pick(x: ChunkedArray, picks: AxisPick[], prefix: string): ChunkedArray {
  if (picks.every((p, a) => !p.drop && p.step === 1 && p.start === 0 && p.count === x.shape[a])) return x;
  const offs = x.chunks.map(offsets);
  const tables = picks.map((p, a) => {
    // walk the picked positions; cut an output chunk where the input block changes
    const out: Piece[][] = [];
    const blockOf = (pos: number): number => {
      let lo = 0, hi = x.chunks[a]!.length - 1;
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (offs[a]![mid]! <= pos) lo = mid; else hi = mid - 1; }
      return lo;
    };
    if (p.count === 0) return [[{ block: 0, sel: { start: 0, step: 1, count: 0 }, at: 0 }]];
    let k = 0;
    while (k < p.count) {
      const pos = p.start + k * p.step;
      const b = blockOf(pos);
      const lo = offs[a]![b]!, hi = offs[a]![b + 1]!;
      // how many more picks stay inside [lo, hi)
      const n = p.step > 0 ? Math.min(p.count - k, Math.floor((hi - 1 - pos) / p.step) + 1) : Math.min(p.count - k, Math.floor((pos - lo) / -p.step) + 1);
      out.push([{ block: b, sel: { start: pos - lo, step: p.step, count: n, drop: p.drop }, at: 0 }]);
      k += n;
    }
    return out;
  });
  const drop = picks.map((p) => p.drop);
  const outChunks = tables.map((t) => t.map((pieces) => pieces[0]!.sel.count)).filter((_, a) => !drop[a]);
  return gather(prefix, [picks], x, outChunks, (a, b) => tables[a]![b]!, drop);
}

/** tfjs's `slice(begin, size)`. */
export function slice(x: ChunkedArray, begin: number | number[], sizeArg?: number | number[]): ChunkedArray {
  const nd = x.ndim;
  const b = typeof begin === "number" ? [begin, ...Array(Math.max(0, nd - 1)).fill(0)] : [...begin];
  const s = sizeArg === undefined ? Array(nd).fill(-1) : typeof sizeArg === "number" ? [sizeArg, ...Array(Math.max(0, nd - 1)).fill(-1)] : [...sizeArg];
  while (b.length < nd) b.push(0);
  while (s.length < nd) s.push(-1);
  if (b.length > nd || s.length > nd) throw new ValidationError(`slice begin/size have ${Math.max(b.length, s.length)} entries but the array has ${nd} dimensions (shape ${fmtShape(x.shape)})`, { code: "ERR_INDEX" });
  const picks = x.shape.map((d, a) => {
    const start = b[a]!;
    const count = s[a] === -1 ? d - start : s[a]!;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start + count > d) {
      throw new ValidationError(`slice of axis ${a}: begin ${start} and size ${s[a]} do not fit an axis of length ${d} (shape ${fmtShape(x.shape)}); need 0 <= begin and begin + size <= ${d}`, { code: "ERR_INDEX" });
    }
    return { start, step: 1, count, drop: false };
  });
  return pick(x, picks, "slice");
}

/** Reshape in C order; output chunks split the first axis only (other axes whole). */
export function reshape(x: ChunkedArray, shapeIn: number[]): ChunkedArray {
  const n = x.size;
  const neg = shapeIn.filter((d) => d === -1).length;
  if (neg > 1 || shapeIn.some((d) => !Number.isInteger(d) || d < -1)) throw new ValidationError(`reshape: bad shape ${fmtShape(shapeIn)}; use non-negative integers and at most one -1`, { code: "ERR_SHAPE" });
  const known = shapeIn.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const shape = shapeIn.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  if (size(shape) !== n || shape.some((d) => !Number.isInteger(d))) {
    throw new ValidationError(`cannot reshape an array of shape ${fmtShape(x.shape)} (${n} elements) into shape ${fmtShape(shapeIn)} (${size(shape)} elements)`, { code: "ERR_SHAPE_MISMATCH" });
  }
  if (shape.length === x.ndim && shape.every((d, i) => d === x.shape[i])) return x;
  // Same block structure when only axes of length 1 are added or removed.
  const squeezedIn = x.shape.filter((d) => d !== 1), squeezedOut = shape.filter((d) => d !== 1);
  if (squeezedIn.length === squeezedOut.length && squeezedIn.every((d, i) => d === squeezedOut[i]) && n > 0) {
    const kept = x.chunks.filter((_, a) => x.shape[a] !== 1);
    let k = 0;
    const chunks = shape.map((d) => (d === 1 ? [1] : [...kept[k++]!]));
    const inAxes = x.shape.map((d, a) => (d !== 1 ? a : -1)).filter((a) => a >= 0);
    return fromLayer("reshape", [x.name, shape], { shape, dtype: x.dtype, chunks }, (name) =>
      [...blockIndices(numBlocks(chunks))].map((idx) => {
        const outAxes = shape.map((d, a) => (d !== 1 ? a : -1)).filter((a) => a >= 0);
        const src = x.shape.map(() => 0);
        inAxes.forEach((ia, j) => { src[ia] = idx[outAxes[j]!]!; });
        return task(makeKey(name, idx), "array.reshapeChunk", ref(x.key(src)), lit(blockShape(chunks, idx)));
      }), [x]);
  }
  const itemsize = ctorOf(x.dtype).BYTES_PER_ELEMENT;
  const rowElems = Math.max(1, size(shape.slice(1)));
  const target = x.chunks.reduce((acc, c) => acc * Math.max(1, ...c), 1);
  const rowsPer = Math.max(1, Math.floor(Math.min(target, 32 * 2 ** 20 / itemsize) / rowElems));
  const chunks = shape.length === 0 ? [] : normalizeChunks([rowsPer, ...shape.slice(1).map(() => -1)], shape);
  const inOffs = x.chunks.map(offsets);
  const inStrides = x.shape.map((_, a) => size(x.shape.slice(a + 1)));
  const inBlocks = [...blockIndices(numBlocks(x.chunks))].map((idx) => {
    const start = idx.map((b, a) => inOffs[a]![b]!);
    const last = idx.map((b, a) => inOffs[a]![b + 1]! - 1);
    const f0 = start.reduce((acc, v, a) => acc + v * inStrides[a]!, 0);
    const f1 = last.reduce((acc, v, a) => acc + v * inStrides[a]!, 0);
    return { idx, start, f0, f1, empty: blockShape(x.chunks, idx).some((d) => d === 0) };
  });
  return fromLayer("reshape", [x.name, shape], { shape, dtype: x.dtype, chunks }, (name) =>
    [...blockIndices(numBlocks(chunks))].map((idx) => {
      const bshape = blockShape(chunks, idx);
      const lo = shape.length === 0 ? 0 : offsets(chunks[0]!)[idx[0]!]! * rowElems;
      const hi = lo + size(bshape);
      const hits = inBlocks.filter((b) => !b.empty && b.f1 >= lo && b.f0 < hi);
      return task(makeKey(name, idx), "array.reshapeGather", lit(x.dtype), lit(bshape), lit(lo), lit(x.shape),
        list(hits.map((b) => ref(x.key(b.idx)))), lit(hits.map((b) => b.start)));
    }), [x]);
}

export function expandDims(x: ChunkedArray, axis = 0): ChunkedArray {
  const a = normAxis(axis, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: ChunkedArray, axis?: number[]): ChunkedArray {
  const axes = axis ? axis.map((a) => normAxis(a, x.ndim)) : x.shape.map((d, a) => (d === 1 ? a : -1)).filter((a) => a >= 0);
  for (const a of axes) if (x.shape[a] !== 1) throw new ValidationError(`squeeze: axis ${a} has length ${x.shape[a]}, not 1 (shape ${fmtShape(x.shape)})`, { code: "ERR_AXIS" });
  return reshape(x, x.shape.filter((_, a) => !axes.includes(a)));
}

/** tfjs's `concat(tensors, axis)`; dtypes are upcast, other axes' chunks unified. */
export function concat(arrays: readonly ChunkedArray[], axis = 0): ChunkedArray {
  if (arrays.length === 0) throw new ValidationError("concat needs at least one array");
  arrays.forEach((a, k) => { if (!(a instanceof ChunkedArray)) throw new ValidationError(`concat: item ${k} is not a tk.array array`); });
  const nd = arrays[0]!.ndim;
  if (nd === 0) throw new ValidationError("concat: arrays must have at least 1 dimension; use stack for scalars", { code: "ERR_SHAPE_MISMATCH" });
  const ax = normAxis(axis, nd);
  for (const a of arrays) {
    if (a.ndim !== nd || a.shape.some((d, i) => i !== ax && d !== arrays[0]!.shape[i])) {
      throw new ValidationError(`concat along axis ${ax}: shapes ${arrays.map((x) => fmtShape(x.shape)).join(" and ")} differ outside that axis`, { code: "ERR_SHAPE_MISMATCH" });
    }
  }
  const dtype = arrays.map((a) => a.dtype).reduce((a: DType, b) => upcast(a, b));
  const other = arrays[0]!.shape.map((_, i) => (i === ax ? null : arrays.map((a) => a.chunks[i]!).reduce((p, c) => refine(p, c))));
  const parts = arrays.filter((a, k) => a.shape[ax]! > 0 || (k === arrays.length - 1 && arrays.every((b) => b.shape[ax] === 0)))
    .map((a) => {
      const c = cast(a, dtype);
      const target = c.chunks.map((ch, i) => (i === ax ? [...ch] : other[i]!));
      return sameChunks(target, c.chunks) ? c : rechunk(c, target);
    });
  const chunks = other.map((c, i) => (i === ax ? parts.flatMap((p) => p.chunks[ax]!) : c!));
  const shape = chunks.map((c) => c.reduce((a, b) => a + b, 0));
  const starts = offsets(parts.map((p) => p.chunks[ax]!.length));
  return fromLayer("concat", [ax, parts.map((p) => p.name)], { shape, dtype, chunks }, (name) =>
    [...blockIndices(numBlocks(chunks))].map((idx) => {
      let k = 0;
      while (idx[ax]! >= starts[k + 1]!) k++;
      const src = [...idx];
      src[ax] = idx[ax]! - starts[k]!;
      return task(makeKey(name, idx), "tusk.identity", ref(parts[k]!.key(src)));
    }), parts);
}

/** tfjs's `stack(tensors, axis)`. */
export function stack(arrays: readonly ChunkedArray[], axis = 0): ChunkedArray {
  if (arrays.length === 0) throw new ValidationError("stack needs at least one array");
  const s0 = arrays[0]!.shape;
  for (const a of arrays) {
    if (a.ndim !== s0.length || a.shape.some((d, i) => d !== s0[i])) {
      throw new ValidationError(`stack: all shapes must be equal, got ${arrays.map((x) => fmtShape(x.shape)).join(" and ")}`, { code: "ERR_SHAPE_MISMATCH" });
    }
  }
  const ax = normAxis(axis, s0.length + 1);
  return concat(arrays.map((a) => expandDims(a, ax)), ax);
}

export { fmtChunks };
