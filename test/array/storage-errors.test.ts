import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { SYNC, expectClose, run } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tusk-array-test-"));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await tk.shutdown();
});

describe("Zarr round trips", () => {
  test.each(["sync", "threads"] as const)("float64 with uneven chunks, written and read chunk by chunk (%s)", async (scheduler) => {
    const x = tk.array.random.normal([23, 17], { chunks: [[5, 10, 8], [9, 8]], seed: 5 });
    const path = join(dir, `x-${scheduler}.zarr`);
    await x.toZarr(path, { scheduler, progress: false });
    const y = await tk.array.fromZarr(path);
    expect(y.shape).toEqual([23, 17]);
    expect(y.dtype).toBe("float64");
    expect(y.chunks).toEqual([[10, 10, 3], [9, 8]]); // regular grid of the largest chunk
    expectClose(await y.toTypedArray({ scheduler, progress: false }), await run(x), 0, 0);
    const z = await tk.array.fromZarr(path, { chunks: [7, 4] });
    expectClose(await run(z.sum(1)), await run(x.sum(1)), 1e-12, 1e-12);
  });

  test("int32, float32 and bool keep their dtype", async () => {
    for (const [dtype, data] of [["int32", Int32Array.from([1, -2, 3, 4, 5, 6])], ["float32", Float32Array.from([0.5, 1, 2, 3, 4, 5])], ["bool", Uint8Array.from([1, 0, 0, 1, 1, 0])]] as const) {
      const path = join(dir, `${dtype}.zarr`);
      await tk.array.fromArray(data, { shape: [2, 3], chunks: [1, 2] }).toZarr(path, SYNC);
      const y = await tk.array.fromZarr(path);
      expect(y.dtype).toBe(dtype);
      expect([...(await run(y))]).toEqual([...data]);
    }
  });

  test("an existing store is not overwritten unless asked", async () => {
    const path = join(dir, "exists.zarr");
    await tk.array.ones([3], { chunks: 2 }).toZarr(path, SYNC);
    await expect(tk.array.ones([3]).toZarr(path, SYNC)).rejects.toMatchObject({ code: "ERR_EXISTS" });
    await tk.array.zeros([4], { chunks: 2 }).toZarr(path, { ...SYNC, overwrite: true });
    expect([...(await run(await tk.array.fromZarr(path)))]).toEqual([0, 0, 0, 0]);
    await expect(tk.array.fromZarr(join(dir, "missing.zarr"))).rejects.toMatchObject({ code: "ERR_NOT_FOUND" });
  });
});

describe("errors at graph-building time say what to do", () => {
  test("mismatched shapes show both shapes", () => {
    const a = tk.array.ones([3, 4]), b = tk.array.ones([2, 4]);
    expect(() => a.add(b)).toThrow(tk.ValidationError);
    expect(() => a.add(b)).toThrow(/shapes \[3, 4\] and \[2, 4\]/);
    try { a.add(b); } catch (e) { expect((e as tk.TuskError).code).toBe("ERR_SHAPE_MISMATCH"); }
    expect(() => a.matMul(tk.array.ones([3, 4]))).toThrow(/a is \[3, 4\], b is \[3, 4\]; a's columns \(4\) must equal b's rows \(3\)/);
    expect(() => a.reshape([5, 3])).toThrow(/cannot reshape an array of shape \[3, 4\] \(12 elements\) into shape \[5, 3\]/);
    expect(() => tk.array.concat([a, tk.array.ones([3, 5])], 0)).toThrow(/\[3, 4\] and \[3, 5\] differ outside that axis/);
  });

  test("chunks that do not fit the shape", () => {
    expect(() => tk.array.zeros([10, 5], { chunks: [[3, 3], 5] })).toThrow(/chunks of axis 0 add up to 6 \(3 \+ 3\) but the axis has length 10/);
    expect(() => tk.array.zeros([10, 5], { chunks: [5] })).toThrow(/chunks has 1 axes but the array has 2 \(shape \[10, 5\]\)/);
    expect(() => tk.array.zeros([10], { chunks: 0 })).toThrow(/positive integer/);
    expect(() => tk.array.zeros([10]).rechunk([[4, 4]])).toThrow(tk.ValidationError);
    try { tk.array.zeros([10], { chunks: [[4, 4]] }); } catch (e) { expect((e as tk.TuskError).code).toBe("ERR_CHUNKS_MISMATCH"); }
  });

  test("axis out of range", () => {
    const x = tk.array.ones([3, 4]);
    expect(() => x.sum(2)).toThrow(/axis 2 is out of range for an array of 2 dimensions; use an integer in \[-2, 1\]/);
    expect(() => x.argMax(-3)).toThrow(tk.ValidationError);
    expect(() => x.transpose([0, 0])).toThrow(/must list each of the 2 axes once/);
    expect(() => x.index(5)).toThrow(/index 5 is out of range for axis 0 of length 3/);
    expect(() => x.slice([1, 0], [3, -1])).toThrow(/begin 1 and size 3 do not fit an axis of length 3/);
    try { x.sum(2); } catch (e) { expect((e as tk.TuskError).code).toBe("ERR_AXIS"); }
  });

  test("min of an empty axis and closures in user functions", () => {
    expect(() => tk.array.ones([0, 3]).min(0)).toThrow(/no elements to compare/);
    const k = 3;
    expect(() => tk.array.ones([3]).mapBlocks((b: tk.array.Chunk) => b.data.map((v) => v * k))).toThrow(/uses "k"/);
  });
});

describe("the threads scheduler gives the same results as sync", () => {
  test("a mixed pipeline", async () => {
    const x = tk.array.random.uniform([60, 50], { chunks: [[7, 23, 30], 16], seed: 9 });
    const y = x.add(x.index("::-1, :").mul(2)).sub(x.mean(0, true)).index("1:-1:2").matMul(x.T.rechunk(20)).std(1);
    const sync = await run(y);
    const threads = await y.toTypedArray({ scheduler: "threads", progress: false, nthreads: 2 });
    expectClose(threads, sync, 0, 0);
  });
});
