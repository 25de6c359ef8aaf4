/**
 * Graph building for `matMul`, `dot` and `tensordot`: the contracted axes of both
 * operands are rechunked to common chunks; output block (i, j) is one task that sums the
 * block products over the contracted blocks (./linalg-kernels.ts: tfjs wasm per product,
 * float64 sums across blocks).
 */
import { ValidationError } from "../errors.js";
import { makeKey } from "../graph/key.js";
import { lit, list, ref, task } from "../graph/task.js";
import { ChunkedArray, fromLayer } from "./array.js";
import { blockIndices, blockShape, fmtShape, normAxis, numBlocks, refine, sameChunks, type DType } from "./chunks.js";
import { rechunk, transpose } from "./shape.js";
import "./linalg-kernels.js";

/** Options of matMul / dot / tensordot. */
export interface LinalgOptions {
  /**
   * "float32" (default for float arrays): each block product on tfjs's wasm backend in
   * float32, block products summed in float64. "float64": plain-JS float64 kernel (exact
   * to float64 rounding; default for int32, several times slower).
   */
  precision?: "float32" | "float64";
}

/** numpy's tensordot: `axes` = n (last n of a with first n of b) or [axesOfA, axesOfB]. */
export function tensordot(a: ChunkedArray, b: ChunkedArray, axes: number | readonly [readonly number[], readonly number[]] = 2, options: LinalgOptions = {}): ChunkedArray {
  if (!(a instanceof ChunkedArray) || !(b instanceof ChunkedArray)) throw new ValidationError("tensordot needs two tk.array arrays");
  let axA: number[], axB: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.ndim || axes > b.ndim) {
      throw new ValidationError(`tensordot axes=${axes} does not fit shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { code: "ERR_AXIS" });
    }
    axA = [...Array(axes).keys()].map((i) => a.ndim - axes + i);
    axB = [...Array(axes).keys()];
  } else {
    axA = axes[0].map((x) => normAxis(x, a.ndim, "tensordot axis of a"));
    axB = axes[1].map((x) => normAxis(x, b.ndim, "tensordot axis of b"));
  }
  if (axA.length !== axB.length) throw new ValidationError(`tensordot needs as many axes of a as of b, got ${axA.length} and ${axB.length}`, { code: "ERR_AXIS" });
  axA.forEach((x, i) => {
    if (a.shape[x] !== b.shape[axB[i]!]) {
      throw new ValidationError(
        `Shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not line up: axis ${x} of a has ${a.shape[x]} but axis ${axB[i]} of b has ${b.shape[axB[i]!]}; ` +
          `the contracted axes must have equal lengths (transpose one operand if needed)`,
        { code: "ERR_SHAPE_MISMATCH" },
      );
    }
  });
  const common = axA.map((x, i) => refine(a.chunks[x]!, b.chunks[axB[i]!]!));
  const ta = a.chunks.map((c, ax) => (axA.includes(ax) ? common[axA.indexOf(ax)]! : [...c]));
  const tb = b.chunks.map((c, ax) => (axB.includes(ax) ? common[axB.indexOf(ax)]! : [...c]));
  const A = sameChunks(ta, a.chunks) ? a : rechunk(a, ta);
  const B = sameChunks(tb, b.chunks) ? b : rechunk(b, tb);
  const freeA = [...Array(a.ndim).keys()].filter((x) => !axA.includes(x));
  const freeB = [...Array(b.ndim).keys()].filter((x) => !axB.includes(x));
  const chunks = [...freeA.map((x) => [...A.chunks[x]!]), ...freeB.map((x) => [...B.chunks[x]!])];
  const shape = chunks.map((c) => c.reduce((p, q) => p + q, 0));
  const t = a.dtype === "float64" || b.dtype === "float64" ? "float64" : a.dtype === "float32" || b.dtype === "float32" ? "float32" : "int32";
  const dtype: DType = t;
  const precision = options.precision ?? (dtype === "int32" ? "float64" : "float32");
  if (precision !== "float32" && precision !== "float64") throw new ValidationError(`precision must be "float32" or "float64", got ${JSON.stringify(precision)}`);
  const kGrid = common.map((c) => c.length);
  return fromLayer("tensordot", [A.name, B.name, axA, axB, precision], { shape, dtype, chunks }, (name) =>
    [...blockIndices(numBlocks(chunks))].map((idx) => {
      const ia = idx.slice(0, freeA.length), ib = idx.slice(freeA.length);
      const as = [], bs = [];
      for (const k of blockIndices(kGrid)) {
        const ka = new Array<number>(a.ndim), kb = new Array<number>(b.ndim);
        freeA.forEach((x, i) => { ka[x] = ia[i]!; });
        freeB.forEach((x, i) => { kb[x] = ib[i]!; });
        axA.forEach((x, i) => { ka[x] = k[i]!; });
        axB.forEach((x, i) => { kb[x] = k[i]!; });
        as.push(ref(A.key(ka)));
        bs.push(ref(B.key(kb)));
      }
      return task(makeKey(name, idx), "array.tensordot", list(as), list(bs), lit(axA), lit(axB), lit(dtype), lit(blockShape(chunks, idx)), lit(precision));
    }), [A, B]);
}

/** tfjs's `matMul(a, b, transposeA, transposeB)` for 2-d arrays. */
export function matMul(a: ChunkedArray, b: ChunkedArray, transposeA = false, transposeB = false, options: LinalgOptions = {}): ChunkedArray {
  if (!(a instanceof ChunkedArray) || !(b instanceof ChunkedArray)) throw new ValidationError("matMul needs two tk.array arrays");
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ValidationError(`matMul needs 2-d arrays, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}; use tensordot for other ranks`, { code: "ERR_SHAPE_MISMATCH" });
  }
  const A = transposeA ? transpose(a) : a;
  const B = transposeB ? transpose(b) : b;
  if (A.shape[1] !== B.shape[0]) {
    throw new ValidationError(
      `matMul: inner dimensions differ: a is ${fmtShape(A.shape)}${transposeA ? " (transposed)" : ""}, b is ${fmtShape(B.shape)}${transposeB ? " (transposed)" : ""}; ` +
        `a's columns (${A.shape[1]}) must equal b's rows (${B.shape[0]})`,
      { code: "ERR_SHAPE_MISMATCH" },
    );
  }
  return tensordot(A, B, [[1], [0]], options);
}

/** tfjs's `dot` (1-d or 2-d operands). */
export function dot(a: ChunkedArray, b: ChunkedArray, options: LinalgOptions = {}): ChunkedArray {
  if (!(a instanceof ChunkedArray) || !(b instanceof ChunkedArray)) throw new ValidationError("dot needs two tk.array arrays");
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new ValidationError(`dot needs 1-d or 2-d arrays, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`, { code: "ERR_SHAPE_MISMATCH" });
  }
  return tensordot(a, b, [[a.ndim - 1], [0]], options);
}
