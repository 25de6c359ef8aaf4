import { afterAll, afterEach, describe, expect, test } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { computeOne } from "../../src/graph/compute.js";
import { makeKey, makeName } from "../../src/graph/key.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { lit, task } from "../../src/graph/task.js";
import * as tk from "../../src/index.js";
import { rawCollection } from "./_collection.js";
import "./_ops.js";

afterAll(() => shutdownPools());
afterEach(() => tk.config.reset());

const counter = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));
/** Counts its calls in `c` (shared by every thread) and returns x. */
const counted = tk.delayed((c: Int32Array, x: number) => { Atomics.add(c, 0, 1); return x; }, { name: "counted" });
const inc = tk.delayed((x: number) => x + 1);
const double = tk.delayed((x: number) => x * 2);

describe.each(["sync", "threads"] as const)("on %s", (scheduler) => {
  test("tk.compute(a, b) computes a shared input once", async () => {
    const c = counter();
    const shared = counted(c, 7);
    const [a, b, plain] = await tk.compute(inc(shared), double(shared), "not a collection", { scheduler, progress: false });
    expect([a, b, plain]).toEqual([8, 14, "not a collection"]);
    expect(Atomics.load(c, 0)).toBe(1);
  });

  test("persist keeps values: a later compute does not re-run them", async () => {
    const c = counter();
    const value = counted(c, 5);
    const kept = await value.persist({ scheduler, progress: false });
    expect(Atomics.load(c, 0)).toBe(1);
    expect(await inc(kept).compute({ scheduler, progress: false })).toBe(6);
    expect(await double(kept).compute({ scheduler, progress: false })).toBe(10);
    expect(Atomics.load(c, 0)).toBe(1);
    // Without persist, each compute runs it again.
    await inc(value).compute({ scheduler, progress: false });
    expect(Atomics.load(c, 0)).toBe(2);
  });

  test("delayed: 1000 increments summed", async () => {
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0));
    expect(await total(Array.from({ length: 1000 }, (_, i) => inc(i))).compute({ scheduler, progress: false })).toBe(500500);
  });
});

describe("config", () => {
  const where = () => {
    const key = makeKey(makeName("where", Math.random()));
    return rawCollection([task(key, "test.where")], [key]);
  };

  test("config.set picks the scheduler; a compute option wins over it", async () => {
    const previous = tk.config.set({ scheduler: "sync", progress: false });
    expect(previous).toEqual({ scheduler: "threads", progress: true });
    expect(((await computeOne(where()))[0] as { isMainThread: boolean }).isMainThread).toBe(true);
    expect(((await computeOne(where(), { scheduler: "threads" }))[0] as { isMainThread: boolean }).isMainThread).toBe(false);
    tk.config.set(previous);
    expect(tk.config.get().scheduler).toBe("threads");
  });

  test("nthreads: 1 runs every task on one thread", async () => {
    tk.config.set({ nthreads: 1, progress: false });
    const name = makeName("where-many");
    const tasks = Array.from({ length: 50 }, (_, i) => task(makeKey(name, i), "test.where", lit(i)));
    const values = (await computeOne(rawCollection(tasks, tasks.map((t) => t.key)))) as Array<{ threadId: number }>;
    expect(new Set(values.map((v) => v.threadId)).size).toBe(1);
  });

  test("bad settings are rejected with what was given and what is expected", () => {
    expect(() => tk.config.set({ nthreads: 0 })).toThrow(new ValidationError("nthreads must be a positive integer, got 0"));
    expect(() => tk.config.set({ memoryLimit: "lots" })).toThrow(/memoryLimit must be a number of bytes or a string like "2GB" or "512MiB", got "lots"/);
    expect(() => tk.config.set({ scheduler: "processes" as never })).toThrow(/scheduler must be "sync", "threads" or a connected Client, got "processes"/);
    expect(tk.config.set({ memoryLimit: "1.5GB" })).toEqual({ memoryLimit: null });
    expect(tk.config.get().memoryLimit).toBe(1.5e9);
  });

  test("async APIs reject rather than throw on bad options", async () => {
    const p = inc(1).compute({ nthreads: -1 });
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toBeInstanceOf(ValidationError);
  });
});
