/**
 * `tk.array`: chunked, lazy n-d arrays with TensorFlow.js's op names.
 * @example
 * const x = tk.array.random.normal([20000, 20000], { chunks: [2000, 2000], seed: 1 });
 * const m = await x.add(x.transpose()).mean(0).compute(); // tf.Tensor
 */
import { ChunkedArray, type ArrayLike } from "./array.js";
import * as ew from "./elementwise.js";
import * as red from "./reductions.js";
import type { DType } from "./chunks.js";

export { ChunkedArray, ChunkedArray as Array, type ArrayLike, type ArrayMeta } from "./array.js";
export type { DType, Chunks, ChunksInput, TypedArray } from "./chunks.js";
export type { Chunk } from "./chunk.js";
export type { BlockInfo } from "./kernels.js";
export {
  fromArray, zeros, ones, full, arange, range, linspace, eye, random, fromFunction, fromDelayed,
  type CreationOptions, type RandomOptions, type FromFunctionOptions,
} from "./creation.js";
export { matMul, dot, tensordot, type LinalgOptions } from "./linalg.js";
export { concat, stack, transpose, reshape, rechunk, slice, expandDims, squeeze, type IndexSpec } from "./shape.js";
export { mapBlocks, blockwise, where, cast, clipByValue, type MapBlocksOptions } from "./elementwise.js";
export { toZarr, fromZarr } from "./zarr.js";
export type { ReductionOptions } from "./reductions.js";

type Bin = (a: ArrayLike, b: ArrayLike) => ChunkedArray;
const bin = (op: string): Bin => (a, b) => ew.binaryOp(op, a, b);
type Un = (a: ChunkedArray) => ChunkedArray;
const un = (op: string): Un => (a) => ew.unaryOp(op, a);
type Red = (x: ChunkedArray, axis?: number | number[] | null, keepDims?: boolean) => ChunkedArray;
const rd = (kind: "sum" | "prod" | "mean" | "min" | "max" | "any" | "all" | "var" | "std"): Red => (x, axis, keepDims) => red.reduction(kind, x, axis, keepDims);

// tfjs-style functions: tk.array.add(a, b) as tf.add(a, b)
export const add = bin("add"), sub = bin("sub"), mul = bin("mul"), div = bin("div"), floorDiv = bin("floorDiv"),
  pow = bin("pow"), mod = bin("mod"), maximum = bin("maximum"), minimum = bin("minimum"),
  squaredDifference = bin("squaredDifference"), greater = bin("greater"), greaterEqual = bin("greaterEqual"),
  less = bin("less"), lessEqual = bin("lessEqual"), equal = bin("equal"), notEqual = bin("notEqual"),
  logicalAnd = bin("logicalAnd"), logicalOr = bin("logicalOr");
export const abs = un("abs"), neg = un("neg"), square = un("square"), floor = un("floor"), ceil = un("ceil"),
  sign = un("sign"), relu = un("relu"), exp = un("exp"), expm1 = un("expm1"), log = un("log"), log1p = un("log1p"),
  sqrt = un("sqrt"), rsqrt = un("rsqrt"), reciprocal = un("reciprocal"), sin = un("sin"), cos = un("cos"),
  tan = un("tan"), tanh = un("tanh"), sigmoid = un("sigmoid"), logicalNot = un("logicalNot");
export const sum = rd("sum"), prod = rd("prod"), mean = rd("mean"), min = rd("min"), max = rd("max"),
  any = rd("any"), all = rd("all");
/** Variance (`var` is a reserved word: use tk.array.variance or x.var()). */
export const variance = rd("var"), std = rd("std");
export const argMin = (x: ChunkedArray, axis = 0): ChunkedArray => red.argReduction("argMin", x, axis);
export const argMax = (x: ChunkedArray, axis = 0): ChunkedArray => red.argReduction("argMax", x, axis);
export type { DType as ArrayDType };
export const dtypes: readonly DType[] = ["float64", "float32", "int32", "bool"];
