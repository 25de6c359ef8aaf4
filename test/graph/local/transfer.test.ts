import { afterAll, describe, expect, test } from "vitest";
import { computeOne } from "../../../src/graph/compute.js";
import { makeKey, makeName } from "../../../src/graph/key.js";
import { shutdownPools } from "../../../src/graph/local/pool.js";
import { lit, ref, task } from "../../../src/graph/task.js";
import { rawCollection } from "../_collection.js";
import "../_ops.js";

afterAll(() => shutdownPools());

describe("buffers move between threads without copying", () => {
  test("a result's ArrayBuffer is transferred out of its thread (the thread's own reference is detached)", async () => {
    // One thread; `made` runs alone in the first batch (nothing is measured yet), so its
    // value crosses to the caller before `check` runs in the next batch, on the same thread.
    const name = makeName("transfer", Math.random());
    const made = task(makeKey(name, 0), "test.keep", lit(8 * 2 ** 20));
    const check = task(makeKey(name, 1), "test.keptDetached", ref(made.key));
    const [buffer, report] = await computeOne(rawCollection([made, check], [made.key, check.key]), {
      scheduler: "threads", nthreads: 1, progress: false, optimize: false,
    });
    expect(report).toEqual({ detached: true, keptLength: 0 }); // a copy would leave it 8 MiB long
    expect(buffer).toBeInstanceOf(Uint8Array);
    expect((buffer as Uint8Array).byteLength).toBe(8 * 2 ** 20);
    expect((buffer as Uint8Array)[12345]).toBe(7);
  });
});
