/**
 * Reduction kernels: chunk → partial, partials → partial (combine, any fan-in), partial →
 * chunk (aggregate). A partial keeps the reduced axes with length 1 and carries float64
 * fields whatever the chunk dtype:
 *   sum/prod: s (+ c, the Neumaier compensation of sum) · mean: s, c, n · var/std: n, m, q
 *   (Chan's parallel mean and sum of squared deviations) · min/max/any/all: v ·
 *   argMin/argMax: v, i (index along the axis in the whole array; first one on ties).
 * Sums use Neumaier compensation everywhere (along rows, across rows, across chunks), so
 * the error stays near one rounding of the exact sum.
 */
import { defineOp, registerOpModule } from "../graph/ops.js";
import { makeChunk, type Chunk } from "./chunk.js";
import { size, stridesOf, type DType } from "./chunks.js";
import { forEachIndex } from "./kernels.js";

registerOpModule(import.meta.url);

export type ReduceKind = "sum" | "prod" | "mean" | "var" | "std" | "min" | "max" | "argMin" | "argMax" | "any" | "all";

export interface Partial {
  readonly shape: number[];
  /** Elements reduced into each output element. */
  n: number;
  s: Float64Array;
  c?: Float64Array;
  i?: Float64Array;
}

/** Calls `row(inOffset, outOffset, len, outerIndex)` for each row along the last axis. */
function forRows(shape: readonly number[], ostr: readonly number[], row: (inOff: number, outOff: number, len: number, idx: readonly number[]) => void): void {
  const nd = shape.length;
  if (size(shape) === 0) return;
  if (nd === 0) return row(0, 0, 1, []);
  const len = shape[nd - 1]!;
  const outer = shape.slice(0, nd - 1);
  const idx = new Array<number>(nd - 1).fill(0);
  const n = size(outer);
  let outOff = 0;
  for (let r = 0; r < n; r++) {
    row(r * len, outOff, len, idx);
    for (let ax = nd - 2; ax >= 0; ax--) {
      outOff += ostr[ax]!;
      if (++idx[ax]! < outer[ax]!) break;
      outOff -= ostr[ax]! * outer[ax]!;
      idx[ax] = 0;
    }
  }
}

function neumaier(s: Float64Array, c: Float64Array, o: number, x: number): void {
  const a = s[o]!;
  const t = a + x;
  c[o]! += Math.abs(a) >= Math.abs(x) ? (a - t) + x : (x - t) + a;
  s[o] = t;
}

/** Reduces one chunk over `axes` (argMin/argMax: one axis; `offset` = the block's start along it). */
export function reduceChunk(kind: ReduceKind, x: Chunk, axes: readonly number[], offset = 0): Partial {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const m = size(shape);
  const ostrFull = stridesOf(shape);
  const ostr = ostrFull.map((s, i) => (axes.includes(i) ? 0 : s));
  const nd = x.shape.length;
  const lastReduced = nd > 0 && axes.includes(nd - 1);
  const n = axes.reduce((acc, a) => acc * x.shape[a]!, 1);
  const d = x.data;
  const p: Partial = { shape, n, s: new Float64Array(m) };
  switch (kind) {
    case "sum": case "mean": {
      const s = p.s, c = (p.c = new Float64Array(m));
      forRows(x.shape, ostr, (io, oo, len) => {
        if (lastReduced || nd === 0) {
          // Neumaier in registers along the row, then folded into the output
          let acc = 0, comp = 0;
          for (let j = 0; j < len; j++) {
            const v = d[io + j]!;
            const t = acc + v;
            comp += Math.abs(acc) >= Math.abs(v) ? (acc - t) + v : (v - t) + acc;
            acc = t;
          }
          neumaier(s, c, oo, acc);
          c[oo]! += comp;
        } else for (let j = 0; j < len; j++) neumaier(s, c, oo + j, d[io + j]!);
      });
      return p;
    }
    case "prod": {
      const s = p.s.fill(1);
      forRows(x.shape, ostr, (io, oo, len) => {
        if (lastReduced || nd === 0) { let acc = 1; for (let j = 0; j < len; j++) acc *= d[io + j]!; s[oo]! *= acc; }
        else for (let j = 0; j < len; j++) s[oo + j]! *= d[io + j]!;
      });
      return p;
    }
    case "var": case "std": {
      // two passes: mean, then squared deviations from it
      const mean = reduceChunk("sum", x, axes);
      const mu = mean.s.map((v, k) => (n > 0 ? (v + mean.c![k]!) / n : 0));
      const q = p.s, cq = new Float64Array(m);
      forRows(x.shape, ostr, (io, oo, len) => {
        if (lastReduced || nd === 0) {
          const u = mu[oo]!;
          let acc = 0;
          for (let j = 0; j < len; j++) { const e = d[io + j]! - u; acc += e * e; }
          neumaier(q, cq, oo, acc);
        } else for (let j = 0; j < len; j++) { const e = d[io + j]! - mu[oo + j]!; neumaier(q, cq, oo + j, e * e); }
      });
      for (let k = 0; k < m; k++) q[k]! += cq[k]!;
      p.c = mu; // the mean
      return p;
    }
    case "min": case "max": case "any": case "all": {
      const v = p.s.fill(kind === "min" ? Infinity : kind === "max" ? -Infinity : kind === "all" ? 1 : 0);
      const better = kind === "min" ? (a: number, b: number) => a < b || a !== a : kind === "max" ? (a: number, b: number) => a > b || a !== a : null;
      forRows(x.shape, ostr, (io, oo, len) => {
        for (let j = 0; j < len; j++) {
          const o = lastReduced || nd === 0 ? oo : oo + j;
          const a = d[io + j]!;
          if (better) { if (v[o] === v[o] && better(a, v[o]!)) v[o] = a; }
          else if (kind === "any") { if (a !== 0) v[o] = 1; }
          else if (a === 0) v[o] = 0;
        }
      });
      return p;
    }
    case "argMin": case "argMax": {
      const axis = axes[0]!;
      const v = p.s.fill(NaN);
      const ix = (p.i = new Float64Array(m).fill(-1));
      const better = kind === "argMin" ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
      forRows(x.shape, ostr, (io, oo, len, idx) => {
        for (let j = 0; j < len; j++) {
          const o = lastReduced ? oo : oo + j;
          const a = d[io + j]!;
          const pos = offset + (axis === nd - 1 ? j : idx[axis]!);
          if (ix[o] === -1 || (v[o] === v[o] && (a !== a || better(a, v[o]!)))) { v[o] = a; ix[o] = pos; }
        }
      });
      return p;
    }
  }
}

/** Merges partials of neighbouring blocks (in block order) into one. */
export function combine(kind: ReduceKind, parts: readonly Partial[]): Partial {
  const first = parts[0]!;
  const m = first.s.length;
  const out: Partial = { shape: first.shape, n: first.n, s: Float64Array.from(first.s) };
  if (first.c) out.c = Float64Array.from(first.c);
  if (first.i) out.i = Float64Array.from(first.i);
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k]!;
    switch (kind) {
      case "sum": case "mean":
        for (let o = 0; o < m; o++) { neumaier(out.s, out.c!, o, p.s[o]!); out.c![o]! += p.c![o]!; }
        break;
      case "prod": for (let o = 0; o < m; o++) out.s[o]! *= p.s[o]!; break;
      case "var": case "std": {
        const na = out.n, nb = p.n, nn = na + nb;
        if (nb === 0) break;
        if (na === 0) { out.s.set(p.s); out.c!.set(p.c!); out.n = nb; continue; }
        for (let o = 0; o < m; o++) {
          const delta = p.c![o]! - out.c![o]!;
          out.c![o] = out.c![o]! + (delta * nb) / nn;
          out.s[o] = out.s[o]! + p.s[o]! + (delta * delta * na * nb) / nn;
        }
        out.n = nn;
        continue;
      }
      case "min": for (let o = 0; o < m; o++) { const a = p.s[o]!; if (out.s[o] === out.s[o] && (a < out.s[o]! || a !== a)) out.s[o] = a; } break;
      case "max": for (let o = 0; o < m; o++) { const a = p.s[o]!; if (out.s[o] === out.s[o] && (a > out.s[o]! || a !== a)) out.s[o] = a; } break;
      case "any": for (let o = 0; o < m; o++) if (p.s[o]) out.s[o] = 1; break;
      case "all": for (let o = 0; o < m; o++) if (!p.s[o]) out.s[o] = 0; break;
      case "argMin": case "argMax": {
        const better = kind === "argMin" ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
        for (let o = 0; o < m; o++) {
          if (p.i![o] === -1) continue;
          const a = p.s[o]!, cur = out.s[o]!;
          if (out.i![o] === -1 || (cur === cur && (a !== a || better(a, cur)))) { out.s[o] = a; out.i![o] = p.i![o]!; }
        }
        break;
      }
    }
    if (kind !== "var" && kind !== "std") out.n += p.n;
  }
  return out;
}

/** The final values of a partial, as a chunk of `shape` (keepDims or not: same data). */
export function aggregate(kind: ReduceKind, p: Partial, dtype: DType, shape: readonly number[], ddof = 0): Chunk {
  const m = p.s.length;
  const out = makeChunk(dtype, shape);
  const o = out.data;
  switch (kind) {
    case "sum": for (let k = 0; k < m; k++) o[k] = p.s[k]! + p.c![k]!; break;
    case "mean": for (let k = 0; k < m; k++) o[k] = (p.s[k]! + p.c![k]!) / p.n; break;
    case "var": case "std":
      for (let k = 0; k < m; k++) { const v = p.s[k]! / (p.n - ddof); o[k] = kind === "std" ? Math.sqrt(v) : v; }
      break;
    case "argMin": case "argMax": for (let k = 0; k < m; k++) o[k] = p.i![k]!; break;
    default: for (let k = 0; k < m; k++) o[k] = p.s[k]!;
  }
  return out;
}

defineOp("array.reduce.chunk", (kind: ReduceKind, x: Chunk, axes: number[], offset: number) => reduceChunk(kind, x, axes, offset));
defineOp("array.reduce.combine", (kind: ReduceKind, parts: Partial[]) => combine(kind, parts));
defineOp("array.reduce.aggregate", (kind: ReduceKind, p: Partial, dtype: DType, shape: number[], ddof: number) => aggregate(kind, p, dtype, shape, ddof));
