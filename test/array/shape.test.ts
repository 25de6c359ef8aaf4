import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { TUSK } from "../../src/graph/collection.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { SYNC, caseArb, chunksArb, expectClose, run, shapeArb, tfReady, toTf, toTk, typed, type Case } from "./helpers.js";

afterAll(() => tk.shutdown());

/** numpy-style strided selection computed with plain loops on the flat data (the reference). */
function refIndex(c: Case, picks: { start: number; step: number; count: number; drop: boolean }[]): number[] {
  const st = c.shape.map((_, a) => c.shape.slice(a + 1).reduce((p, q) => p * q, 1));
  const out: number[] = [];
  const rec = (a: number, off: number): void => {
    if (a === c.shape.length) { out.push(c.values[off]!); return; }
    const p = picks[a]!;
    for (let k = 0; k < p.count; k++) rec(a + 1, off + (p.start + k * p.step) * st[a]!);
  };
  rec(0, 0);
  return out;
}

const sliceSpecArb = (d: number) => fc.oneof(
  fc.constant(null),
  d > 0 ? fc.integer({ min: -d, max: d - 1 }) : fc.constant(null),
  fc.tuple(fc.option(fc.integer({ min: -d - 2, max: d + 2 })), fc.option(fc.integer({ min: -d - 2, max: d + 2 })), fc.option(fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0))),
);

function pyIndices(spec: unknown, d: number): { start: number; step: number; count: number; drop: boolean } {
  if (spec === null) return { start: 0, step: 1, count: d, drop: false };
  if (typeof spec === "number") return { start: spec < 0 ? spec + d : spec, step: 1, count: 1, drop: true };
  const [s, e, st] = spec as (number | null)[];
  const step = st ?? 1;
  const idx: number[] = [];
  // enumerate positions the way Python does: range(*slice(s, e, step).indices(d))
  const norm = (v: number | null, dflt: number, lo: number, hi: number) => v === null ? dflt : Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
  const start = step > 0 ? norm(s, 0, 0, d) : norm(s, d - 1, -1, d - 1);
  const stop = step > 0 ? norm(e, d, 0, d) : norm(e, -1, -1, d - 1);
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) idx.push(i);
  return { start: idx[0] ?? 0, step, count: idx.length, drop: false };
}

describe("shape operations", () => {
  test("index: steps, negative indices and integers that drop axes (vs plain loops)", async () => {
    const arb = caseArb("float32", shapeArb(1, 3)).chain((c) => fc.tuple(fc.constant(c), fc.tuple(...c.shape.map(sliceSpecArb))));
    await fc.assert(fc.asyncProperty(arb, async ([c, spec]) => {
      const x = toTk(c).index(...(spec as tk.array.IndexSpec[]));
      const picks = c.shape.map((d, a) => pyIndices(spec[a], d));
      expect(x.shape).toEqual(picks.filter((p) => !p.drop).map((p) => p.count));
      expectClose(await run(x), refIndex(c, picks), 0, 0);
    }), { numRuns: 40 });
  });

  test("index accepts numpy strings", async () => {
    const x = tk.array.arange(24, undefined, 1, { chunks: 5 }).reshape([4, 6]);
    expect([...(await run(x.index("::2, -1")))]).toEqual([5, 17]);
    expect([...(await run(x.index("1, ::-2")))]).toEqual([11, 9, 7]);
  });

  test("slice(begin, size) matches tf.slice", async () => {
    const tf = await tfReady();
    const arb = caseArb("int32", shapeArb(1, 3)).chain((c) => fc.tuple(fc.constant(c),
      fc.tuple(...c.shape.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: d - b }))))))));
    await fc.assert(fc.asyncProperty(arb, async ([c, bs]) => {
      const begin = bs.map(([b]) => b), size = bs.map(([, s]) => s);
      const x = toTk(c).slice(begin, size);
      const ref = tf.slice(toTf(c), begin, size);
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 0, 0);
    }), { numRuns: 40 });
  });

  test("transpose matches tf.transpose for random permutations", async () => {
    const tf = await tfReady();
    const arb = caseArb("float32", shapeArb(0, 3)).chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray([...c.shape.keys()], { minLength: c.shape.length, maxLength: c.shape.length })));
    await fc.assert(fc.asyncProperty(arb, async ([c, perm]) => {
      const x = toTk(c).transpose(perm);
      const ref = tf.transpose(toTf(c), perm);
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 0, 0);
    }), { numRuns: 40 });
  });

  test("elementwise ops read transposed operands through views (no transpose tasks), matching tfjs", async () => {
    const tf = await tfReady();
    const arb = caseArb("float32", shapeArb(2, 3)).chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray([...c.shape.keys()], { minLength: c.shape.length, maxLength: c.shape.length })));
    await fc.assert(fc.asyncProperty(arb, async ([c, perm]) => {
      const x = toTk(c);
      const t = x.transpose(perm);
      const y = t.mul(t.add(2)).sub(tk.array.fromArray(tf.transpose(toTf(c), perm)).rechunk(t.chunks as number[][]));
      const ref = tf.sub(tf.mul(tf.transpose(toTf(c), perm), tf.add(tf.transpose(toTf(c), perm), 2)), tf.transpose(toTf(c), perm));
      expectClose(await run(y), ref.dataSync(), 1e-5, 1e-5);
    }), { numRuns: 25 });
    const x = tk.array.random.uniform([6, 6], { chunks: 3, seed: 1 });
    const s = x.add(x.T);
    const { graph } = prepareGraph([s[TUSK]()]);
    expect([...graph.values()].some((t) => t.op === "array.transpose")).toBe(false);
  });

  test("reshape matches tf.reshape (any chunking in, C order out)", async () => {
    const tf = await tfReady();
    const arb = caseArb("float32", shapeArb(0, 3)).chain((c) => {
      const n = c.values.length;
      const divisors = [...Array(n + 1).keys()].filter((k) => k > 0 && n % k === 0);
      const target = n === 0 ? fc.constantFrom([0], [0, 3], [2, 0]) : fc.constantFrom(...divisors).chain((k) => fc.constantFrom([k, n / k], [n], [n / k, 1, k], [-1, k]));
      return fc.tuple(fc.constant(c), target);
    });
    await fc.assert(fc.asyncProperty(arb, async ([c, shape]) => {
      const x = toTk(c).reshape([...shape]);
      const ref = tf.reshape(toTf(c), [...shape]);
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 0, 0);
    }), { numRuns: 40 });
  });

  test("rechunk keeps values and declares the new chunks", async () => {
    await fc.assert(fc.asyncProperty(caseArb("float64").chain((c) => fc.tuple(fc.constant(c), chunksArb(c.shape))), async ([c, chunks]) => {
      const x = toTk(c).rechunk(chunks);
      expect(x.chunks).toEqual(chunks);
      expectClose(await run(x), c.values, 0, 0);
    }), { numRuns: 40 });
  });

  test("concat and stack match tfjs, with unequal chunks on the other axes", async () => {
    const tf = await tfReady();
    const arb = shapeArb(1, 3).chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 1, max: 3 })).chain(([axis, k]) =>
      fc.tuple(fc.constant(axis), fc.array(fc.nat(4).chain((len) => caseArb("float32", fc.constant(s.map((d, a) => (a === axis ? len : d))))), { minLength: k, maxLength: k }),
        fc.array(caseArb("float32", fc.constant(s)), { minLength: k, maxLength: k }))));
    await fc.assert(fc.asyncProperty(arb, async ([axis, parts, same]) => {
      const x = tk.array.concat(parts.map(toTk), axis);
      const ref = tf.concat(parts.map(toTf), axis);
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 0, 0);
      const y = tk.array.stack(same.map(toTk), axis);
      const refS = tf.stack(same.map(toTf), axis);
      expect(y.shape).toEqual(refS.shape);
      expectClose(await run(y), refS.dataSync(), 0, 0);
    }), { numRuns: 30 });
  });

  test("expandDims and squeeze", async () => {
    const x = tk.array.ones([3, 4], { chunks: 2 });
    expect(x.expandDims(1).shape).toEqual([3, 1, 4]);
    expect(x.expandDims(1).squeeze().shape).toEqual([3, 4]);
    expectClose(await run(x.expandDims(-1).squeeze([2])), new Array(12).fill(1), 0, 0);
  });
});

describe("linear algebra", () => {
  const matArb = (rows: number, cols: number) => caseArb("float32", fc.constant([rows, cols]));
  const dims = fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }));

  test("matMul (with transposes) matches tf.matMul", async () => {
    const tf = await tfReady();
    const arb = fc.tuple(dims, fc.boolean(), fc.boolean()).chain(([[m, k, n], ta, tb]) => fc.tuple(matArb(ta ? k : m, ta ? m : k), matArb(tb ? n : k, tb ? k : n), fc.constant(ta), fc.constant(tb)));
    await fc.assert(fc.asyncProperty(arb, fc.constantFrom<"float32" | "float64">("float32", "float64"), async ([a, b, ta, tb], precision) => {
      const x = toTk(a).matMul(toTk(b), ta, tb, { precision });
      const ref = tf.matMul(toTf(a), toTf(b), ta, tb);
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 1e-5, 1e-4);
    }), { numRuns: 25 });
  });

  test("float64 matMul: float32 products within 1e-6 relative of a float64 reference; float64 kernel exact", async () => {
    const n = 37;
    const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i) + 1 / 3);
    const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7) - 1 / 7);
    const ref = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) ref[i * n + j]! += a[i * n + k]! * b[k * n + j]!;
    const A = tk.array.fromArray(a, { shape: [n, n], chunks: [[10, 27], [5, 16, 16]] });
    const B = tk.array.fromArray(b, { shape: [n, n], chunks: [[20, 17], 9] });
    const scale = Math.max(...ref.map(Math.abs));
    const f32 = await run(A.matMul(B));
    for (let i = 0; i < ref.length; i++) expect(Math.abs(f32[i]! - ref[i]!)).toBeLessThan(1e-6 * scale * Math.sqrt(n));
    expectClose(await run(A.matMul(B, false, false, { precision: "float64" })), ref, 1e-12, 1e-12);
  });

  test("dot and tensordot match tfjs / loops", async () => {
    const tf = await tfReady();
    await fc.assert(fc.asyncProperty(dims.chain(([m, k]) => fc.tuple(matArb(m, k), caseArb("float32", fc.constant([k])))), async ([a, v]) => {
      const x = toTk(a).dot(toTk(v));
      const ref = tf.dot(toTf(a), toTf(v));
      expect(x.shape).toEqual(ref.shape);
      expectClose(await run(x), ref.dataSync(), 1e-5, 1e-4);
    }), { numRuns: 20 });
    // tensordot over two axes: sum_ij a[i,j,k] b[j,i]
    const a = caseArb("int32", fc.constant([3, 4, 2]));
    await fc.assert(fc.asyncProperty(a, caseArb("int32", fc.constant([4, 3])), async (ca, cb) => {
      const x = tk.array.tensordot(toTk(ca), toTk(cb), [[0, 1], [1, 0]]);
      expect(x.shape).toEqual([2]);
      const ref = [0, 0];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 2; k++) ref[k]! += ca.values[i * 8 + j * 2 + k]! * cb.values[j * 3 + i]!;
      expectClose(await run(x), ref, 0, 0);
    }), { numRuns: 15 });
  });
});

export { SYNC, typed };
