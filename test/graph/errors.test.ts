import { afterAll, describe, expect, test } from "vitest";
import { CancelledError, GraphError, TaskError } from "../../src/errors.js";
import { computeOne } from "../../src/graph/compute.js";
import { makeKey, makeName } from "../../src/graph/key.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { lit, list, ref, task } from "../../src/graph/task.js";
import * as tk from "../../src/index.js";
import { rawCollection } from "./_collection.js";
import "./_ops.js";

afterAll(() => shutdownPools());

const opts = { progress: false, nthreads: 2 } as const;

/** inc(1) as a one-task graph: what "the pool still serves the next compute" runs. */
async function healthy(nthreads = 2): Promise<void> {
  const key = makeKey(makeName("healthy", Math.random()));
  const [v] = await computeOne(rawCollection([task(key, "test.inc", lit(41))], [key]), { scheduler: "threads", progress: false, nthreads });
  expect(v).toBe(42);
}

function failing(message: string) {
  const name = makeName("failing", message);
  const leaves = Array.from({ length: 20 }, (_, i) => task(makeKey(name, i), "test.inc", lit(i)));
  const bad = task(makeKey(makeName("bad", message)), "test.fail", lit(message));
  const total = task(makeKey(makeName("total", message)), "test.sum", list([...leaves.map((t) => ref(t.key)), ref(bad.key)]));
  return { collection: rawCollection([...leaves, bad, total], [total.key]), bad };
}

describe("closure errors at graph-building time", () => {
  test("name the variable and show the fix", () => {
    const k = 3;
    let error: unknown;
    try {
      tk.delayed((x: number) => x * k);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).code).toBe("ERR_CLOSURE");
    expect((error as Error).message).toContain('uses "k", a variable from outside the function');
    expect((error as Error).message).toContain("Fix: pass the value as an argument of the call: tk.delayed((x, k) => x * k)(x, k)");
    expect((error as Error).message).toContain("tk.ops.register");
  });

  test("allow globals, parameters and locals", async () => {
    const f = tk.delayed((xs: number[]) => { const m = Math.max(...xs); return JSON.stringify({ m }); });
    expect(await f([1, 5, 2]).compute({ scheduler: "sync", progress: false })).toBe('{"m":5}');
  });
});

describe("error propagation", () => {
  test("threads: TaskError with key, op, worker, the thread's stack and the original message", async () => {
    const { collection, bad } = failing("boom on threads");
    const error = await computeOne(collection, { ...opts, scheduler: "threads" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    const te = error as TaskError;
    expect(te.code).toBe("ERR_TASK_FAILED");
    expect(te.key).toBe(bad.key);
    expect(te.op).toBe("test.fail");
    expect(te.worker).toMatch(/^thread \d+$/);
    expect(te.message).toBe(`Task ${bad.key} (op test.fail) failed on ${te.worker}: boom on threads`);
    expect(te.remoteStack).toMatch(/^RangeError: boom on threads\n/);
    expect(te.remoteStack).toContain("_ops.ts");
    expect(te.stack).toContain("--- stack where the task ran ---");
    await healthy();
  });

  test("sync: TaskError whose cause is the original error", async () => {
    const { collection, bad } = failing("boom on sync");
    const error = await computeOne(collection, { ...opts, scheduler: "sync" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).key).toBe(bad.key);
    expect((error as TaskError).op).toBe("test.fail");
    expect((error as TaskError).cause).toBeInstanceOf(RangeError);
    expect((error as TaskError).message).toContain("boom on sync");
  });

  test("an error inside a delayed function names its task", async () => {
    const explode = tk.delayed((x: number) => { if (x > 1) throw new TypeError(`too big: ${x}`); return x; }, { name: "explode" });
    const error = await explode(5).compute({ ...opts, scheduler: "threads" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).key).toMatch(/^explode-[0-9a-f]{16}$/);
    expect((error as TaskError).op).toBe("tusk.call");
    expect((error as TaskError).message).toContain("too big: 5");
  });
});

describe("bad tasks do not poison the pool", () => {
  test("a task that throws, then the next compute runs", async () => {
    for (let i = 0; i < 3; i++) {
      await expect(computeOne(failing(`again ${i}`).collection, { ...opts, scheduler: "threads" })).rejects.toBeInstanceOf(TaskError);
      await healthy();
    }
  });

  test("a task returning a value that cannot cross threads", async () => {
    const key = makeKey(makeName("unsendable"));
    const error = await computeOne(rawCollection([task(key, "test.unsendable")], [key]), { ...opts, scheduler: "threads" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).key).toBe(key);
    expect((error as TaskError).message).toContain("cannot be sent between threads");
    expect((error as TaskError).message).toContain("registerCodec");
    await healthy();
  });

  test("a task that ends its thread", async () => {
    const key = makeKey(makeName("exit"));
    const error = await computeOne(rawCollection([task(key, "test.exit")], [key]), { ...opts, scheduler: "threads" }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TaskError);
    expect((error as TaskError).key).toBe(key);
    expect((error as TaskError).message).toContain("worker thread failed");
    await healthy();
  });
});

describe("cancellation", () => {
  test("an AbortSignal stops a task spinning in a thread; the pool serves the next compute", async () => {
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const key = makeKey(makeName("spin", Math.random()));
    const controller = new AbortController();
    try {
      const running = computeOne(rawCollection([task(key, "test.spin", lit(flag), lit(120_000))], [key]), {
        scheduler: "threads", progress: false, nthreads: 1, signal: controller.signal,
      });
      const outcome = running.then(() => undefined, (e: unknown) => e);
      while (Atomics.load(flag, 1) === 0) await new Promise((r) => setTimeout(r, 10));
      controller.abort();
      const error = await outcome;
      expect(error).toBeInstanceOf(CancelledError);
      expect((error as CancelledError).code).toBe("ERR_CANCELLED");
      // One thread: if the spinning task were still running, this would wait for it (2 minutes).
      await healthy(1);
    } finally {
      Atomics.store(flag, 0, 1);
    }
  }, 30_000);

  test("an already aborted signal rejects at once, on both schedulers", async () => {
    const key = makeKey(makeName("never"));
    for (const scheduler of ["sync", "threads"] as const) {
      await expect(computeOne(rawCollection([task(key, "test.inc", lit(1))], [key]), { ...opts, scheduler, signal: AbortSignal.abort() }))
        .rejects.toBeInstanceOf(CancelledError);
    }
  });

  test("sync stops between tasks", async () => {
    const name = makeName("many-sync");
    const tasks = Array.from({ length: 20_000 }, (_, i) => task(makeKey(name, i), "test.inc", lit(i)));
    const controller = new AbortController();
    let seen = 0;
    const run = computeOne(rawCollection(tasks, tasks.map((t) => t.key)), {
      scheduler: "sync", signal: controller.signal,
      progress: (ev) => { seen = ev.done; if (ev.done > 10) controller.abort(); },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toBeLessThan(20_000);
  });
});
