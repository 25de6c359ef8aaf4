/**
 * Releasing data on a cluster (in process): `client.unpersist(collection)` and
 * `future.release()` free the results on the workers — the bytes their stores hold go
 * back down — and a released persisted collection says to persist it again.
 */
import * as dfd from "danfojs-node";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import * as tk from "../../src/index.js";
import { Client } from "../../src/distributed/client.js";
import { createLogger } from "../../src/distributed/log.js";
import { SchedulerServer } from "../../src/distributed/scheduler/server.js";
import { WorkerServer } from "../../src/distributed/worker/server.js";
import { shutdownPools } from "../../src/graph/local/pool.js";

const logger = createLogger("test", { silent: true });
const token = "unpersist-token";
let scheduler: SchedulerServer;
const workers: WorkerServer[] = [];
let client: Client;
const NO = { progress: false } as const;

beforeAll(async () => {
  scheduler = await SchedulerServer.start({ inproc: true, token, logger, state: { validate: true } });
  for (let i = 0; i < 2; i++) workers.push(await WorkerServer.start({ scheduler: scheduler.address, token, inproc: true, nthreads: 1, logger, validate: true, name: `u${i}` }));
  client = await Client.connect(scheduler.address, { token, setAsDefault: false });
});

afterAll(async () => {
  await client?.close();
  for (const w of workers) await w.close("test over", { notify: false });
  await scheduler?.close();
  await shutdownPools();
});

const stored = (): number => workers.reduce((a, w) => a + w.store.memoryBytes + w.store.spilledBytes, 0);

describe("releasing cluster data", () => {
  test("unpersist frees a persisted collection's results on the workers; computing it afterwards asks to persist again", async () => {
    const make = tk.delayed((i: number) => Float64Array.from({ length: 100_000 }, (_, j) => i + j));
    const sum = tk.delayed((xs: Float64Array[]) => xs.reduce((a, x) => a + x.reduce((s, v) => s + v, 0), 0));
    const n = 400;
    const df = new dfd.DataFrame({ k: Array.from({ length: n }, (_, i) => i % 7), v: Array.from({ length: n }, (_, i) => i * 0.5) });
    const before = stored();
    const parts = await tk.persist(...Array.from({ length: 4 }, (_, i) => make(i)), { scheduler: client, ...NO });
    const [frame] = await tk.persist(tk.fromDanfo(df, { npartitions: 3 }), { scheduler: client, ...NO });
    const held = stored();
    expect(held - before).toBeGreaterThanOrEqual(4 * 100_000 * 8);
    // Still usable while persisted.
    expect(await sum(parts as unknown as Float64Array[]).compute({ scheduler: client, ...NO })).toBe(4 * (99_999 * 100_000) / 2 + 100_000 * (0 + 1 + 2 + 3));
    expect((await frame!.compute({ scheduler: client, ...NO })).values).toEqual(df.values);
    await client.unpersist(...parts);
    await vi.waitFor(() => expect(stored()).toBeLessThan(held - 4 * 100_000 * 8 + 1));
    await client.unpersist(frame!);
    await vi.waitFor(() => expect(stored()).toBe(before));
    await vi.waitFor(() => expect(scheduler.state.tasks.size).toBe(0));
    await expect(frame!.compute({ scheduler: client, ...NO })).rejects.toThrow(/no longer on the cluster.*persist it again/);
  });

  test("future.release() frees the future's data on its worker", async () => {
    const before = stored();
    const f = client.submit((n: number) => new Float64Array(n).fill(1), 200_000);
    expect((await f.result()).length).toBe(200_000);
    expect(stored() - before).toBeGreaterThanOrEqual(200_000 * 8);
    f.release();
    expect(f.status).toBe("released");
    await vi.waitFor(() => expect(stored()).toBe(before));
  });
});
