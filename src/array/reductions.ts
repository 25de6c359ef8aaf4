/**
 * Tree reductions (Dask's `reduction`): each block is reduced to a partial (./reduce-kernels.ts),
 * neighbouring partials along the reduced axes are combined `splitEvery` at a time until
 * one block per reduced axis is left, and that partial is aggregated into the result.
 * Memory stays at (threads × block size) plus small partials; depth is log(blocks).
 */
import { ValidationError } from "../errors.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { makeKey, makeName } from "../graph/key.js";
import { lit, list, ref, task } from "../graph/task.js";
import { ChunkedArray, fromLayer } from "./array.js";
import { blockIndices, fmtShape, normAxes, normAxis, numBlocks, offsets, type DType } from "./chunks.js";
import "./reduce-kernels.js";
import type { ReduceKind } from "./reduce-kernels.js";

/** Options of reductions beyond tfjs's (axis, keepDims). */
export interface ReductionOptions {
  /** Degrees of freedom for var/std (numpy's ddof; default 0). */
  ddof?: number;
  /** Partials combined per step, per reduced axis (default: about 16 in total). */
  splitEvery?: number;
}

function outDType(kind: ReduceKind, d: DType): DType {
  switch (kind) {
    case "sum": case "prod": return d === "float64" || d === "float32" ? d : "int32";
    case "mean": case "var": case "std": return d === "float64" ? "float64" : "float32";
    case "min": case "max": return d;
    case "any": case "all": return "bool";
    case "argMin": case "argMax": return "int32";
  }
}

function build(kind: ReduceKind, x: ChunkedArray, axes: number[], keepDims: boolean, options: ReductionOptions): ChunkedArray {
  const n = axes.reduce((acc, a) => acc * x.shape[a]!, 1);
  const outSize = x.shape.reduce((acc, d, a) => (axes.includes(a) ? acc : acc * d), 1);
  if (n === 0 && outSize > 0 && ["min", "max", "argMin", "argMax"].includes(kind)) {
    throw new ValidationError(`${kind} over axis ${axes.join(",")} of shape ${fmtShape(x.shape)} has no elements to compare; it is undefined for empty axes`, { code: "ERR_EMPTY_REDUCTION" });
  }
  const ddof = options.ddof ?? 0;
  const grid = numBlocks(x.chunks);
  const multi = axes.filter((a) => grid[a]! > 1).length;
  const split = options.splitEvery ?? Math.max(2, Math.round(Math.pow(16, 1 / Math.max(1, multi))));
  if (!Number.isInteger(split) || split < 2) throw new ValidationError(`splitEvery must be an integer >= 2, got ${split}`);
  const dtype = outDType(kind, x.dtype);
  const token = [kind, x.name, axes, keepDims, ddof, split];
  const offs = x.chunks.map(offsets);

  const partName = makeName(`${kind}-chunk`, ...token);
  let g = LayeredGraph.from(layer(partName, [...blockIndices(grid)].map((idx) =>
    task(makeKey(partName, idx), "array.reduce.chunk", lit(kind), ref(x.key(idx)), lit(axes), lit(kind.startsWith("arg") ? offs[axes[0]!]![idx[axes[0]!]!]! : 0))),
  [...x.graph.layers.keys()]), x.graph);
  let cur = partName, curGrid = grid, level = 0;
  while (axes.some((a) => curGrid[a]! > 1)) {
    const next = curGrid.map((nb, a) => (axes.includes(a) ? Math.ceil(nb / split) : nb));
    const name = makeName(`${kind}-combine`, ...token, level++);
    const from = cur, fromGrid = curGrid;
    const tasks = [...blockIndices(next)].map((idx) => {
      const ranges = idx.map((b, a) => (axes.includes(a) ? [b * split, Math.min((b + 1) * split, fromGrid[a]!)] : [b, b + 1]) as [number, number]);
      const kids = [...blockIndices(ranges.map(([s, e]) => e - s))].map((r) => ref(makeKey(from, r.map((v, a) => v + ranges[a]![0]))));
      return task(makeKey(name, idx), "array.reduce.combine", lit(kind), list(kids));
    });
    g = g.with(layer(name, tasks, [from]));
    cur = name;
    curGrid = next;
  }
  const chunks = x.chunks.map((c, a) => (axes.includes(a) ? [1] : [...c])).filter((_, a) => keepDims || !axes.includes(a));
  const shape = chunks.map((c) => c.reduce((p, q) => p + q, 0));
  const last = cur;
  return fromLayer(kind, token, { shape, dtype, chunks }, (name) =>
    [...blockIndices(curGrid)].map((idx) => {
      const outIdx = idx.filter((_, a) => keepDims || !axes.includes(a));
      const bshape = outIdx.map((b, a) => chunks[a]![b]!);
      return task(makeKey(name, outIdx), "array.reduce.aggregate", lit(kind), ref(makeKey(last, idx)), lit(dtype), lit(bshape), lit(ddof));
    }), [], [g]);
}

/** `sum mean min max prod any all var std` over `axis` (number, list, or all). */
export function reduction(kind: ReduceKind, x: ChunkedArray, axis: number | readonly number[] | null | undefined, keepDims = false, options: ReductionOptions = {}): ChunkedArray {
  if (!(x instanceof ChunkedArray)) throw new ValidationError(`${kind} needs a tk.array array`);
  return build(kind, x, normAxes(axis, x.ndim), keepDims, options);
}

/** `argMin` / `argMax` along one axis (tfjs: the axis is dropped). */
export function argReduction(kind: "argMin" | "argMax", x: ChunkedArray, axis = 0): ChunkedArray {
  if (typeof axis !== "number") throw new ValidationError(`${kind} takes one axis (a number), got ${JSON.stringify(axis)}`, { code: "ERR_AXIS" });
  return build(kind, x, [normAxis(axis, x.ndim)], false, {});
}
