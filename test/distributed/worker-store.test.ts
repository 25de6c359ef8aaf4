import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { decodeValue, encodeValue } from "../../src/graph/codec.js";
import { makeKey } from "../../src/graph/key.js";
import { DataStore } from "../../src/distributed/worker/store.js";

const root = mkdtempSync(join(tmpdir(), "tusk-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("worker data store", () => {
  test("spills least recently used values to disk and reads them back aligned and intact", () => {
    const dir = join(root, "a");
    const store = new DataStore(dir);
    const k = (i: number) => makeKey("v", i);
    for (let i = 0; i < 4; i++) store.put(k(i), encodeValue(new Float64Array(1000).fill(i + 0.5)));
    expect(store.memoryBytes).toBe(4 * 8000);
    store.get(k(0)); // k(0) is now the most recently used
    expect(store.spillDownTo(2 * 8000)).toBe(2);
    expect(store.memoryBytes).toBe(2 * 8000);
    expect(store.spilledBytes).toBe(2 * 8000);
    expect(readdirSync(dir).length).toBe(2);
    const back = store.get(k(1))!; // spilled (least recently used after k(0) was read)
    expect(back.buffers[0]!.byteOffset % 8).toBe(0);
    const arr = decodeValue(back) as Float64Array;
    expect(arr).toBeInstanceOf(Float64Array);
    expect(arr[999]).toBe(1.5);
    expect(store.memoryBytes).toBe(3 * 8000);
    store.delete(k(2));
    expect(store.spilledBytes).toBe(0);
    store.close();
    expect(() => readdirSync(dir)).toThrow();
  });
});

describe("worker memory limit", () => {
  test("a worker over ~65% of its limit spills results to disk and still serves them", async () => {
    const { SchedulerServer } = await import("../../src/distributed/scheduler/server.js");
    const { WorkerServer } = await import("../../src/distributed/worker/server.js");
    const { Client } = await import("../../src/distributed/client.js");
    const { createLogger } = await import("../../src/distributed/log.js");
    const { shutdownPools } = await import("../../src/graph/local/pool.js");
    const logger = createLogger("test", { silent: true });
    const scheduler = await SchedulerServer.start({ inproc: true, token: "t", logger });
    const worker = await WorkerServer.start({ scheduler: scheduler.address, token: "t", inproc: true, nthreads: 1, logger, memoryLimit: 1_000_000, localDirectory: root });
    const client = await Client.connect(scheduler.address, { token: "t", setAsDefault: false });
    try {
      const parts = client.map((i: number) => new Float64Array(25_000).fill(i), [0, 1, 2, 3, 4, 5, 6, 7]); // 8 x 200 kB
      await Promise.all(parts.map((p) => p.wait()));
      expect(worker.store.spilledCount).toBeGreaterThan(0);
      expect(worker.store.memoryBytes).toBeLessThanOrEqual(650_000);
      const sums = await client.gather(parts.map((p) => client.submit((a: Float64Array) => a[0]! * a.length, p)));
      expect(sums).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * 25_000));
    } finally {
      await client.close();
      await worker.close("done", { notify: false });
      await scheduler.close();
      await shutdownPools();
    }
  });
});
