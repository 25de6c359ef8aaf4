import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { CancelledError, TaskError } from "../../../src/errors.js";
import { computeOne } from "../../../src/graph/compute.js";
import { makeKey, makeName, type Key } from "../../../src/graph/key.js";
import { lastThreadsRunStats } from "../../../src/graph/local/execute-threads.js";
import { shutdownPools } from "../../../src/graph/local/pool.js";
import { lit, list, ref, task, type Arg, type Task } from "../../../src/graph/task.js";
import * as tk from "../../../src/index.js";
import { rawCollection } from "../_collection.js";
import "../_ops.js";

const dirs: string[] = [];
afterAll(async () => {
  await shutdownPools();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function localDirectory(): string {
  const d = mkdtempSync(join(tmpdir(), "tusk-spill-test-"));
  dirs.push(d);
  return d;
}

/** 20 buffers of 256 kB, all read by one last task: all 20 (5 MB) are needed at once at the end. */
function wide(last: (inputs: Arg) => { op: string; args: Arg[] }): { tasks: Task[]; out: Key } {
  const name = makeName("wide", Math.random());
  const leaves = Array.from({ length: 20 }, (_, i) => task(makeKey(name, i), "test.bytes", lit(i), lit(256 * 1024)));
  const { op, args } = last(list(leaves.map((t) => ref(t.key))));
  const out = makeKey(makeName("last", name));
  return { tasks: [...leaves, task(out, op, ...args)], out };
}

describe("spilling with memoryLimit", () => {
  test("results still needed go to localDirectory, come back right, and the files are removed", async () => {
    const dir = localDirectory();
    const { tasks, out } = wide((inputs) => ({ op: "test.firstBytes", args: [inputs] }));
    const [sum] = await computeOne(rawCollection(tasks, [out]), { scheduler: "threads", nthreads: 2, progress: false, memoryLimit: "1MB", localDirectory: dir });
    expect(sum).toBe((19 * 20) / 2);
    const stats = lastThreadsRunStats()!;
    expect(stats.spilled).toBeGreaterThan(0);
    expect(stats.spillDirectory!.startsWith(dir)).toBe(true);
    expect(existsSync(stats.spillDirectory!)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("no limit, no spill", async () => {
    const dir = localDirectory();
    const { tasks, out } = wide((inputs) => ({ op: "test.firstBytes", args: [inputs] }));
    await computeOne(rawCollection(tasks, [out]), { scheduler: "threads", progress: false, localDirectory: dir });
    expect(lastThreadsRunStats()!.spilled).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("the spill folder is removed after an error", async () => {
    const dir = localDirectory();
    const { tasks, out } = wide((inputs) => ({ op: "test.failWith", args: [inputs, lit("failed after spilling")] }));
    await expect(computeOne(rawCollection(tasks, [out]), { scheduler: "threads", progress: false, memoryLimit: "1MB", localDirectory: dir }))
      .rejects.toBeInstanceOf(TaskError);
    expect(lastThreadsRunStats()!.spilled).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("the spill folder is removed after a cancel", async () => {
    const dir = localDirectory();
    const flag = new Int32Array(new SharedArrayBuffer(8));
    const controller = new AbortController();
    try {
      const { tasks, out } = wide((inputs) => ({ op: "test.spin", args: [lit(flag), lit(60_000), inputs] }));
      const outcome = computeOne(rawCollection(tasks, [out]), {
        scheduler: "threads", progress: false, memoryLimit: "1MB", localDirectory: dir, signal: controller.signal,
      }).then(() => undefined, (e: unknown) => e);
      while (Atomics.load(flag, 1) === 0) await new Promise((r) => setTimeout(r, 10));
      expect(readdirSync(dir).length).toBe(1); // the spill folder, while the last task runs
      controller.abort();
      expect(await outcome).toBeInstanceOf(CancelledError);
      expect(lastThreadsRunStats()!.spilled).toBeGreaterThan(0);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      Atomics.store(flag, 0, 1);
    }
  });

  test("tk.config.set({ memoryLimit, localDirectory }) applies to every compute", async () => {
    const dir = localDirectory();
    tk.config.set({ memoryLimit: "1MB", localDirectory: dir });
    try {
      const { tasks, out } = wide((inputs) => ({ op: "test.firstBytes", args: [inputs] }));
      expect(await computeOne(rawCollection(tasks, [out]), { scheduler: "threads", progress: false })).toEqual([190]);
      expect(lastThreadsRunStats()!.spilled).toBeGreaterThan(0);
    } finally {
      tk.config.reset();
    }
  });
});
