import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { SYNC, chunksArb, expectClose, run, shapeArb, tfReady } from "./helpers.js";

afterAll(() => tk.shutdown());

describe("creation", () => {
  test("metadata is known without computing and chunks accept number / per-axis / explicit lists", () => {
    const x = tk.array.zeros([10, 7], { chunks: 4 });
    expect(x.shape).toEqual([10, 7]);
    expect(x.dtype).toBe("float64");
    expect(x.chunks).toEqual([[4, 4, 2], [4, 3]]);
    expect(tk.array.ones([10, 7], { chunks: [5, -1] }).chunks).toEqual([[5, 5], [7]]);
    expect(tk.array.ones([10, 7], { chunks: [[1, 9], [2, 2, 3]] }).chunks).toEqual([[1, 9], [2, 2, 3]]);
    expect(tk.array.ones([0, 3], { chunks: 2 }).chunks).toEqual([[0], [2, 1]]);
    expect(tk.array.zeros([4], "int32").dtype).toBe("int32");
  });

  test("zeros, ones, full, range, linspace, eye match tfjs", async () => {
    const tf = await tfReady();
    await fc.assert(fc.asyncProperty(shapeArb(0, 3).chain((s) => fc.tuple(fc.constant(s), chunksArb(s))), fc.integer({ min: -5, max: 5 }), async ([s, chunks], v) => {
      expectClose(await run(tk.array.zeros(s, { chunks })), tf.zeros(s).dataSync(), 0, 0);
      expectClose(await run(tk.array.ones(s, { chunks })), tf.ones(s).dataSync(), 0, 0);
      expectClose(await run(tk.array.full(s, v, { chunks, dtype: "int32" })), tf.fill(s, v, "int32").dataSync(), 0, 0);
    }), { numRuns: 20 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: -10, max: 10 }), fc.integer({ min: -10, max: 30 }), fc.constantFrom(1, 2, 3, -1, 0.5), fc.integer({ min: 1, max: 6 }), async (a, b, step, c) => {
      const x = tk.array.range(a, b, step, { chunks: c });
      const ref = tf.range(a, b, step);
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 1e-6, 1e-6);
    }), { numRuns: 25 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: -10, max: 10 }), fc.integer({ min: -10, max: 10 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 7 }), async (a, b, num, c) => {
      expectClose(await run(tk.array.linspace(a, b, num, { chunks: c })), tf.linspace(a, b, num).dataSync(), 1e-5, 1e-5);
    }), { numRuns: 25 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 1, max: 5 }), async (n, m, c) => {
      expectClose(await run(tk.array.eye(n, m, { chunks: c })), tf.eye(n, m).dataSync(), 0, 0);
    }), { numRuns: 20 });
    const k = await run(tk.array.eye(4, 5, { k: 1, chunks: 2 }));
    expect([...k]).toEqual([0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  });

  test("fromArray keeps the dtype of typed arrays and tf.Tensors; nested arrays are float64", async () => {
    const tf = await tfReady();
    const t = tf.tensor([[1, 2, 3], [4, 5, 6]], undefined, "int32");
    const x = tk.array.fromArray(t, { chunks: [1, 2] });
    expect(x.dtype).toBe("int32");
    expect(x.shape).toEqual([2, 3]);
    const back = await x.compute(SYNC);
    expect(back.dtype).toBe("int32");
    expect(await back.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    const n = tk.array.fromArray([[1.5, 2], [3, 4]], { chunks: 1 });
    expect(n.dtype).toBe("float64");
    const f = await n.compute(SYNC);
    expect(f.dtype).toBe("float32"); // tfjs has no float64
    expect(await f.array()).toEqual([[1.5, 2], [3, 4]]);
    expect(tk.array.fromArray([true, false]).dtype).toBe("bool");
    expect(tk.array.fromArray(new Float32Array(6), { shape: [2, 3] }).dtype).toBe("float32");
  });

  test("random arrays are reproducible for a seed and chunking, in any scheduler, and have the right moments", async () => {
    const a = tk.array.random.normal([300, 200], { chunks: [70, 90], seed: 42 });
    const b = tk.array.random.normal([300, 200], { chunks: [70, 90], seed: 42 });
    expect(a.name).toBe(b.name);
    const va = await run(a);
    const vb = await b.toTypedArray({ scheduler: "threads", progress: false });
    expect([...vb]).toEqual([...va]);
    const other = await run(tk.array.random.normal([300, 200], { chunks: [70, 90], seed: 43 }));
    expect(other[0]).not.toBe(va[0]);
    const n = va.length;
    let s = 0, ss = 0;
    for (const v of va) { s += v; ss += v * v; }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.03);
    const u = await run(tk.array.random.uniform([10000], { chunks: 777, seed: 1, minval: 2, maxval: 5 }));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(5);
    expect(Math.abs(Array.from(u).reduce((p, q) => p + q, 0) / u.length - 3.5)).toBeLessThan(0.05);
  });

  test("fromFunction builds each chunk with user code; fromDelayed wraps a delayed value", async () => {
    const x = tk.array.fromFunction(({ offset, shape }: tk.array.BlockInfo, k: number) => {
      const out = new Float64Array(shape[0]! * shape[1]!);
      for (let i = 0; i < shape[0]!; i++) for (let j = 0; j < shape[1]!; j++) out[i * shape[1]! + j] = k * (offset[0]! + i) + offset[1]! + j;
      return out;
    }, { shape: [5, 4], chunks: [2, 3], args: [10] });
    expect([...(await run(x))]).toEqual(Array.from({ length: 20 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)));
    const make = tk.delayed((n: number) => Float64Array.from({ length: n }, (_, i) => i * i));
    const d = tk.array.fromDelayed(make(4), { shape: [4] });
    expect([...(await run(d.add(1)))]).toEqual([1, 2, 5, 10]);
  });

  test("tk.compute mixes arrays with other collections in one pass", async () => {
    const x = tk.array.arange(10, undefined, 1, { chunks: 3 });
    const inc = tk.delayed((v: number) => v + 1);
    const [s, i] = await tk.compute(x.sum(), inc(1), SYNC);
    expect(await s.array()).toBe(45);
    expect(i).toBe(2);
  });
});

describe("mapBlocks and blockwise", () => {
  test("mapBlocks applies a function per aligned block, with args and info", async () => {
    const x = tk.array.arange(12, undefined, 1, { chunks: 5 }).reshape([3, 4]).rechunk([2, 3]);
    const y = tk.array.ones([4], { chunks: 2 });
    const z = tk.array.mapBlocks((a: tk.array.Chunk, b: tk.array.Chunk, k: number) => a.data.map((v, i) => v * k + b.data[i % b.shape[0]!]!), [x, y.reshape([1, 4])], { args: [2] });
    expect(z.chunks).toEqual([[2, 1], [2, 1, 1]]); // the common refinement of both inputs' chunks
    expect([...(await run(z))]).toEqual(Array.from({ length: 12 }, (_, i) => 2 * i + 1));
    const bad = x.mapBlocks((a: tk.array.Chunk) => a.data.subarray(1));
    await expect(bad.toTypedArray(SYNC)).rejects.toThrow(/returned a block of shape/);
  });

  test("blockwise contracts an index: a hand-written matrix product", async () => {
    const a = tk.array.random.uniform([6, 5], { chunks: [4, 2], seed: 1 });
    const b = tk.array.random.uniform([5, 3], { chunks: [3, 2], seed: 2 });
    const c = tk.array.blockwise((as: tk.array.Chunk[], bs: tk.array.Chunk[]) => {
      const m = as[0]!.shape[0]!, n = bs[0]!.shape[1]!;
      const out = new Float64Array(m * n);
      for (let p = 0; p < as.length; p++) {
        const A = as[p]!, B = bs[p]!, k = A.shape[1]!;
        for (let i = 0; i < m; i++) for (let q = 0; q < k; q++) for (let j = 0; j < n; j++) out[i * n + j]! += A.data[i * k + q]! * B.data[q * n + j]!;
      }
      return out;
    }, "ij", [[a, "ik"], [b, "kj"]]);
    expectClose(await run(c), await run(a.matMul(b, false, false, { precision: "float64" })), 1e-12, 1e-12);
  });
});
