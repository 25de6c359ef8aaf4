import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { caseArb, expectClose, run, shapeArb, tfReady, toTf, toTk, type Case, type Dt } from "./helpers.js";

type Tensor = import("@tensorflow/tfjs").Tensor;

/** A case plus an axis argument: undefined (all), a number (maybe negative) or a list. */
const withAxis = (dtype: Dt): fc.Arbitrary<[Case, number | number[] | undefined, boolean]> =>
  caseArb(dtype, shapeArb(0, 3)).chain((c) => {
    const nd = c.shape.length;
    const axis = nd === 0 ? fc.constant(undefined)
      : fc.oneof(fc.constant(undefined), fc.integer({ min: -nd, max: nd - 1 }), fc.subarray([...Array(nd).keys()], { minLength: 1 }));
    return fc.tuple(fc.constant(c), axis, fc.boolean());
  });

const REDUCTIONS = ["sum", "mean", "min", "max", "prod", "any", "all"] as const;

function reducedCount(c: Case, axis: number | number[] | undefined): number {
  const nd = c.shape.length;
  const axes = axis === undefined ? [...Array(nd).keys()] : (typeof axis === "number" ? [axis] : axis).map((a) => (a < 0 ? a + nd : a));
  return axes.reduce((n, a) => n * c.shape[a]!, 1);
}

describe("reductions match tfjs on the whole tensor", () => {
  for (const op of REDUCTIONS) {
    test(`${op}(axis, keepDims) over random axes and uneven chunks`, async () => {
      const tf = await tfReady();
      const dts: Dt[] = op === "any" || op === "all" ? ["bool"] : ["float32", "int32"];
      await fc.assert(fc.asyncProperty(fc.constantFrom(...dts).chain(withAxis), async ([c, axis, keepDims]) => {
        // min/max of an empty axis is undefined (tusk rejects it when building: see errors.test.ts);
        // all() of an empty axis is true as in numpy, where tfjs says false
        if ((op === "min" || op === "max" || op === "all") && reducedCount(c, axis) === 0) return;
        const x = (toTk(c) as unknown as Record<string, (a: unknown, k: boolean) => tk.array.Array>)[op]!(axis, keepDims);
        const ref = (tf as unknown as Record<string, (t: Tensor, a: unknown, k: boolean) => Tensor>)[op]!(toTf(c), axis, keepDims);
        expect(x.shape).toEqual(ref.shape);
        expect(x.dtype).toBe(ref.dtype);
        expectClose(await run(x), ref.dataSync(), 1e-5, 1e-5);
      }), { numRuns: 20 });
    });
  }

  for (const op of ["argMin", "argMax"] as const) {
    test(`${op}(axis): first index on ties, across chunk boundaries`, async () => {
      const tf = await tfReady();
      const arb = caseArb("int32", shapeArb(1, 3)).filter((c) => c.shape.every((d) => d > 0)).chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: -c.shape.length, max: c.shape.length - 1 })));
      await fc.assert(fc.asyncProperty(arb, async ([c, axis]) => {
        const x = toTk(c)[op](axis);
        const ref = tf[op](toTf(c), axis);
        expect(x.shape).toEqual(ref.shape);
        expect(x.dtype).toBe("int32");
        expectClose(await run(x), ref.dataSync(), 0, 0);
      }), { numRuns: 20 });
    });
  }

  test("var and std match tf.moments (ddof 0) and a float64 reference with ddof 1", async () => {
    const tf = await tfReady();
    await fc.assert(fc.asyncProperty(withAxis("float32"), async ([c, axis, keepDims]) => {
      if (reducedCount(c, axis) === 0) return;
      const { variance } = tf.moments(toTf(c), axis, keepDims);
      const v = toTk(c).var(axis, keepDims);
      expect(v.shape).toEqual(variance.shape);
      expectClose(await run(v), variance.dataSync(), 1e-4, 1e-5);
      expectClose(await run(toTk(c).std(axis, keepDims)), tf.sqrt(variance).dataSync(), 1e-4, 1e-5);
    }), { numRuns: 20 });
    const data = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 1e3 + 1e6);
    const x = tk.array.fromArray(data, { chunks: [[1, 99, 300, 600]] });
    const mean = data.reduce((a, b) => a + b, 0) / data.length;
    const ss = data.reduce((a, b) => a + (b - mean) ** 2, 0);
    expectClose(await run(x.var(undefined, false, { ddof: 1 })), [ss / 999], 1e-12, 0);
  });

  test("splitEvery shapes the tree, not the answer", async () => {
    const x = tk.array.random.uniform([40, 30], { chunks: [3, 7], seed: 3 });
    const a = await run(x.sum(0));
    for (const splitEvery of [2, 3, 16]) {
      const { reduction } = await import("../../src/array/reductions.js");
      expectClose(await run(reduction("sum", x, 0, false, { splitEvery })), a, 1e-14, 0);
    }
  });

  test("float64 sums are compensated: 1e8 + many small values", async () => {
    const n = 100_000;
    const data = new Float64Array(n).fill(0.1);
    data[0] = 1e8;
    const x = tk.array.fromArray(data, { chunks: 997 });
    const [s] = await run(x.sum()) as unknown as number[];
    // the exact sum of these doubles: 1e8 + 99999 * fl(0.1)
    const exact = 1e8 + 99999 * 0.1000000000000000055511151231257827;
    let naive = 0;
    for (const v of data) naive += v;
    expect(Math.abs(naive - exact)).toBeGreaterThan(1e-7);
    expect(Math.abs(s! - exact)).toBeLessThanOrEqual(1.5e-8); // within one ulp of 1e8
  });

  test("mean of int32 is float32 and of float64 stays float64", () => {
    expect(tk.array.fromArray(new Int32Array([1, 2])).mean().dtype).toBe("float32");
    expect(tk.array.zeros([3]).mean().dtype).toBe("float64");
  });
});
