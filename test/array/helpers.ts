/** Generators and comparisons shared by the array tests. */
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import * as tk from "../../src/index.js";
import type { ComputeOptions } from "../../src/index.js";

export const SYNC: ComputeOptions = { scheduler: "sync", progress: false };

let ready: Promise<void> | undefined;
/** tfjs on its cpu backend: the reference. */
export async function tfReady(): Promise<typeof tf> {
  ready ??= tf.setBackend("cpu").then(() => tf.ready());
  await ready;
  return tf;
}

/** An axis length: size-0 and size-1 axes are common. */
export const dimArb = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) }, { weight: 5, arbitrary: fc.integer({ min: 2, max: 7 }) });
export const shapeArb = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => fc.array(dimArb, { minLength: minRank, maxLength: maxRank });

/** A random uneven chunking of one axis. */
export function axisChunksArb(d: number): fc.Arbitrary<number[]> {
  if (d <= 1) return fc.constant([d] as number[]);
  return fc.subarray(Array.from({ length: d - 1 }, (_, i) => i + 1)).map((cuts) => {
    const all = [0, ...cuts, d];
    return all.slice(1).map((v, i) => v - all[i]!);
  });
}
export const chunksArb = (shape: number[]): fc.Arbitrary<number[][]> => fc.tuple(...shape.map(axisChunksArb)) as fc.Arbitrary<number[][]>;

export type Dt = "float32" | "int32" | "float64" | "bool";

/** Values small enough to be exact in float32, with a few zeros and negatives. */
export function valuesArb(n: number, dtype: Dt): fc.Arbitrary<number[]> {
  const v = dtype === "bool" ? fc.integer({ min: 0, max: 1 })
    : dtype === "int32" ? fc.integer({ min: -9, max: 9 })
    : fc.integer({ min: -40, max: 40 }).map((x) => x / 8);
  return fc.array(v, { minLength: n, maxLength: n });
}

export function typed(dtype: Dt, values: number[]): Float32Array | Int32Array | Float64Array | Uint8Array {
  switch (dtype) {
    case "float32": return Float32Array.from(values);
    case "int32": return Int32Array.from(values);
    case "float64": return Float64Array.from(values);
    case "bool": return Uint8Array.from(values);
  }
}

export interface Case { shape: number[]; chunks: number[][]; values: number[]; dtype: Dt }

export const caseArb = (dtype: Dt, shape: fc.Arbitrary<readonly number[]> = shapeArb()): fc.Arbitrary<Case> =>
  shape.map((s) => [...s]).chain((s) => fc.record({
    shape: fc.constant(s),
    chunks: chunksArb(s),
    values: valuesArb(s.reduce((a, b) => a * b, 1), dtype),
    dtype: fc.constant(dtype),
  }));

/** A shape that broadcasts against `s`: some axes set to 1, maybe fewer leading axes. */
export const broadcastShapeArb = (s: number[]): fc.Arbitrary<number[]> =>
  fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
    .map(([drop, ones]) => s.map((d, i) => (ones[i] ? 1 : d)).slice(drop));

export function toTk(c: Case): tk.array.Array {
  return tk.array.fromArray(typed(c.dtype, c.values), { shape: c.shape, chunks: c.chunks });
}

export function toTf(c: Case): tf.Tensor {
  const dt = c.dtype === "float64" ? "float32" : c.dtype;
  return tf.tensor(typed(c.dtype === "float64" ? "float32" : c.dtype, c.values), c.shape, dt);
}

/** Equal values (NaN equals NaN), with a relative tolerance. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e)) { expect(a, `element ${i}`).toBeNaN(); continue; }
    if (!Number.isFinite(e)) { expect(a, `element ${i}`).toBe(e); continue; }
    if (Math.abs(a - e) > atol + rtol * Math.abs(e)) expect(a, `element ${i} of ${actual.length}`).toBe(e);
  }
}

/** Computes with the sync scheduler and checks the result against its declared metadata. */
export async function run(x: tk.array.Array): Promise<tk.array.TypedArray> {
  const data = await x.toTypedArray(SYNC);
  expect(data.length).toBe(x.size);
  expect(x.chunks.map((c) => c.reduce((a, b) => a + b, 0))).toEqual([...x.shape]);
  const dt = x.dtype;
  expect(data.constructor.name).toBe({ float64: "Float64Array", float32: "Float32Array", int32: "Int32Array", bool: "Uint8Array" }[dt]);
  return data;
}
