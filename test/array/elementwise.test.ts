import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { broadcastShapeArb, caseArb, chunksArb, expectClose, run, shapeArb, tfReady, toTf, toTk, typed, valuesArb, type Case, type Dt } from "./helpers.js";

const BINARY = ["add", "sub", "mul", "div", "floorDiv", "pow", "mod", "maximum", "minimum", "squaredDifference",
  "greater", "greaterEqual", "less", "lessEqual", "equal", "notEqual"] as const;
const UNARY = ["abs", "neg", "square", "floor", "ceil", "sign", "relu", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt",
  "reciprocal", "sin", "cos", "tan", "tanh", "sigmoid"] as const;

/** Two operands with broadcastable shapes and independent random chunkings. */
const pairArb = (da: Dt, db: Dt): fc.Arbitrary<[Case, Case]> => shapeArb(0, 3).chain((s) => fc.tuple(
  caseArb(da, fc.constant(s)),
  broadcastShapeArb(s).chain((t) => caseArb(db, fc.constant(t))),
  fc.boolean(),
).map(([a, b, swap]) => (swap ? [b, a] : [a, b]) as [Case, Case]));

describe("elementwise ops match tfjs on the whole tensor", () => {
  for (const op of BINARY) {
    test(`${op}: float32 and int32, broadcasting, uneven chunks`, async () => {
      const tf = await tfReady();
      await fc.assert(fc.asyncProperty(fc.constantFrom<[Dt, Dt]>(["float32", "float32"], ["int32", "int32"], ["int32", "float32"]).chain(([a, b]) => pairArb(a, b)), async ([a, b]) => {
        const x = (tk.array as unknown as Record<string, (p: unknown, q: unknown) => tk.array.Array>)[op]!(toTk(a), toTk(b));
        const ref = (tf as unknown as Record<string, (p: unknown, q: unknown) => import("@tensorflow/tfjs").Tensor>)[op]!(toTf(a), toTf(b));
        expect(x.shape).toEqual(ref.shape);
        expect(x.dtype).toBe(ref.dtype);
        expectClose(await run(x), ref.dataSync(), 1e-5, 1e-5);
        // the method form builds the same graph
        expect((toTk(a) as unknown as Record<string, (q: unknown) => tk.array.Array>)[op]!(toTk(b)).name).toBe(x.name);
      }), { numRuns: 10 });
    });
  }

  test("a JS number operand is a float32 scalar, as in tfjs", async () => {
    const tf = await tfReady();
    await fc.assert(fc.asyncProperty(caseArb("int32"), fc.integer({ min: 1, max: 5 }), async (c, k) => {
      const x = toTk(c).mul(k).add(0.5).sub(toTk(c));
      const ref = tf.sub(tf.add(tf.mul(toTf(c), k), 0.5), toTf(c));
      expect(x.dtype).toBe(ref.dtype);
      expectClose(await run(x), ref.dataSync());
    }), { numRuns: 15 });
  });

  for (const op of UNARY) {
    test(`${op}: float32 and int32`, async () => {
      const tf = await tfReady();
      await fc.assert(fc.asyncProperty(fc.constantFrom<Dt>("float32", "int32").chain((d) => caseArb(d)), async (c) => {
        const x = (toTk(c) as unknown as Record<string, () => tk.array.Array>)[op]!();
        const f = (tf as unknown as Record<string, (p: unknown) => import("@tensorflow/tfjs").Tensor>)[op]!;
        let ref: import("@tensorflow/tfjs").Tensor;
        try {
          ref = f(toTf(c));
          expect(x.dtype).toBe(ref.dtype);
        } catch {
          // tfjs accepts only float32 here; tusk casts int32 to float32 first (floor/ceil keep int32)
          expect(x.dtype).toBe(op === "floor" || op === "ceil" ? "int32" : "float32");
          ref = f(tf.cast(toTf(c), "float32"));
        }
        expectClose(await run(x), ref.dataSync(), 2e-6, 1e-6);
      }), { numRuns: 8 });
    });
  }

  test("logicalAnd / logicalOr / logicalNot on bool", async () => {
    const tf = await tfReady();
    await fc.assert(fc.asyncProperty(pairArb("bool", "bool"), async ([a, b]) => {
      expectClose(await run(tk.array.logicalAnd(toTk(a), toTk(b))), tf.logicalAnd(toTf(a), toTf(b)).dataSync());
      expectClose(await run(tk.array.logicalOr(toTk(a), toTk(b))), tf.logicalOr(toTf(a), toTf(b)).dataSync());
      expectClose(await run(toTk(a).logicalNot()), tf.logicalNot(toTf(a)).dataSync());
    }), { numRuns: 15 });
  });

  test("where(cond, a, b) broadcasts all three", async () => {
    const tf = await tfReady();
    const arb = shapeArb(0, 3).chain((s) => fc.tuple(caseArb("bool", broadcastShapeArb(s)), caseArb("float32", fc.constant(s)), caseArb("float32", broadcastShapeArb(s))));
    await fc.assert(fc.asyncProperty(arb, async ([c, a, b]) => {
      const x = toTk(c).where(toTk(a), toTk(b));
      const outShape = x.shape as number[];
      const bc = (t: import("@tensorflow/tfjs").Tensor) => tf.broadcastTo(t.reshape([...Array(outShape.length - t.rank).fill(1), ...t.shape]), outShape);
      const ref = tf.where(bc(toTf(c)) as never, bc(toTf(a)), bc(toTf(b)));
      expectClose(await run(x), ref.dataSync());
    }), { numRuns: 20 });
  });

  test("clipByValue and cast", async () => {
    const tf = await tfReady();
    await fc.assert(fc.asyncProperty(caseArb("float32"), fc.constantFrom<Dt>("int32", "bool", "float32", "float64"), async (c, to) => {
      expectClose(await run(toTk(c).clipByValue(-1, 2)), tf.clipByValue(toTf(c), -1, 2).dataSync());
      const x = toTk(c).cast(to);
      expect(x.dtype).toBe(to);
      expectClose(await run(x), tf.cast(toTf(c), to === "float64" ? "float32" : to).dataSync());
    }), { numRuns: 15 });
  });

  test("float64 arithmetic is exact float64 (compared with plain loops)", async () => {
    await fc.assert(fc.asyncProperty(shapeArb(1, 2).chain((s) => fc.tuple(fc.constant(s), chunksArb(s), chunksArb(s), valuesArb(s.reduce((a, b) => a * b, 1), "float64"))), async ([s, ca, cb, v]) => {
      const d = Float64Array.from(v, (x) => x / 3);
      const a = tk.array.fromArray(d, { shape: s, chunks: ca });
      const b = tk.array.fromArray(d, { shape: s, chunks: cb });
      const out = await run(a.mul(b).add(a));
      expectClose(out, d.map((x) => x * x + x), 0, 0);
    }), { numRuns: 20 });
  });
});

export { typed };
