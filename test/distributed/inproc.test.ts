import * as dfd from "danfojs-node";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import * as tk from "../../src/index.js";
import { Client } from "../../src/distributed/client.js";
import { createLogger } from "../../src/distributed/log.js";
import { SchedulerServer } from "../../src/distributed/scheduler/server.js";
import { WorkerServer } from "../../src/distributed/worker/server.js";
import { shutdownPools } from "../../src/graph/local/pool.js";

const logger = createLogger("test", { silent: true });
const token = "secret-token";
let scheduler: SchedulerServer;
const workers: WorkerServer[] = [];
let client: Client;

beforeAll(async () => {
  scheduler = await SchedulerServer.start({ inproc: true, token, logger, state: { validate: true } });
  for (let i = 0; i < 2; i++) workers.push(await WorkerServer.start({ scheduler: scheduler.address, token, inproc: true, nthreads: 1, logger, validate: true, name: `w${i}` }));
  client = await Client.connect(scheduler.address, { token, setAsDefault: false });
});

afterAll(async () => {
  await client?.close();
  for (const w of workers) await w.close("test over", { notify: false });
  await scheduler?.close();
  await shutdownPools();
});

describe("in-process cluster", () => {
  test("delayed graphs give the same result as threads", async () => {
    const inc = tk.delayed((x: number) => x + 1);
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const graph = total(Array.from({ length: 200 }, (_, i) => inc(i)) as unknown as number[]);
    const [threads, cluster] = [await graph.compute({ scheduler: "threads", progress: false }), await graph.compute({ scheduler: client, progress: false })];
    expect(cluster).toBe(threads);
    expect(cluster).toBe(20100);
    // Everything is released once the client has its result.
    await vi.waitFor(() => expect(scheduler.state.tasks.size).toBe(0));
  });

  test("progress on a cluster counts every task of the graph once, not only the results asked for", async () => {
    const inc = tk.delayed((x: number) => x * 3 + 1);
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const graph = total(Array.from({ length: 50 }, (_, i) => inc(i)) as unknown as number[]);
    const events: tk.ProgressEvent[] = [];
    const out = await graph.compute({ scheduler: client, progress: (e) => events.push(e) });
    expect(out).toBe(Array.from({ length: 50 }, (_, i) => i * 3 + 1).reduce((a, b) => a + b, 0));
    const last = events[events.length - 1]!;
    expect(last.total).toBeGreaterThan(1); // the whole graph, not the one result
    expect(last.done).toBe(last.total);
    const dones = events.map((e) => e.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b)); // never goes back
  });

  test("typed arrays travel between workers and back as binary frames", async () => {
    const make = tk.delayed((n: number) => Float64Array.from({ length: n }, (_, i) => i));
    const sum = tk.delayed((a: Float64Array, b: Float64Array) => a.reduce((s, x) => s + x, 0) + b.reduce((s, x) => s + x, 0));
    const out = await sum(make(100_000), make(50_000)).compute({ scheduler: client, progress: false });
    expect(out).toBe((99_999 * 100_000) / 2 + (49_999 * 50_000) / 2);
    const arr = await make(300_000).compute({ scheduler: client, progress: false });
    expect(arr).toBeInstanceOf(Float64Array);
    expect((arr as Float64Array)[299_999]).toBe(299_999);
  });

  test("futures: submit, map, scatter, gather, asCompleted, cancel", async () => {
    const f = client.submit((a: number, b: number) => a + b, 1, 2);
    expect(await f.result()).toBe(3);
    const g = client.submit((x: number) => x * 10, f);
    expect(await g.result()).toBe(30);
    const many = client.map((x: number) => x * x, [1, 2, 3, 4]);
    expect(await client.gather(many)).toEqual([1, 4, 9, 16]);
    const [s] = client.scatter([new Int32Array([5, 6, 7])]);
    const h = client.submit((a: Int32Array) => a[0]! + a[2]!, s!);
    expect(await h.result()).toBe(12);
    const seen: number[] = [];
    for await (const done of tk.asCompleted(client.map((x: number) => x + 100, [1, 2, 3]))) seen.push(await done.result());
    expect(seen.sort()).toEqual([101, 102, 103]);
    const slow = client.submit((ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)), 2000);
    slow.cancel();
    await expect(slow.result()).rejects.toMatchObject({ code: "ERR_CANCELLED" });
    for (const x of [f, g, s!, h, ...many]) x.release();
  });

  test("a failing task raises TaskError with its key, the worker and the remote stack", async () => {
    const bad = tk.delayed(function explode(x: number) { if (x > 0) throw new RangeError(`too big: ${x}`); return x; });
    const after = tk.delayed((x: number) => x + 1);
    const graph = after(bad(5));
    const err = await graph.compute({ scheduler: client, progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(tk.TaskError);
    const te = err as tk.TaskError;
    expect(te.message).toMatch(/too big: 5/);
    expect(te.key).toBe(graph.key); // bad(5) was fused into it
    expect(te.worker).toMatch(/^inproc:\/\//);
    expect(te.remoteStack).toMatch(/RangeError: too big/);
  });

  test("persist keeps results on the workers and a later graph uses them", async () => {
    const inc = tk.delayed((x: number) => x + 1);
    const kept = await inc(41).persist({ scheduler: client } as never);
    const held = [...scheduler.state.tasks.values()].filter((t) => t.state === "memory").map((t) => t.key);
    expect(held).toContain(kept.key);
    const double = tk.delayed((x: number) => x * 2);
    expect(await double(kept).compute({ scheduler: client, progress: false })).toBe(84);
  });

  test("an AbortSignal cancels a computation on the cluster and its tasks are released", async () => {
    const slow = tk.delayed((ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)));
    const abort = new AbortController();
    const graph = slow(3000);
    const pending = graph.compute({ scheduler: client, progress: false, signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(pending).rejects.toBeInstanceOf(tk.CancelledError);
    await vi.waitFor(() => expect(scheduler.state.tasks.has(graph.key)).toBe(false));
  });

  test("a wrong token is refused before anything runs", async () => {
    await expect(Client.connect(scheduler.address, { token: "nope", setAsDefault: false })).rejects.toMatchObject({ code: "ERR_AUTH" });
  });
});

// Releasing data: `client.unpersist(collection)` and `future.release()` free the results
// on the workers (their stores' bytes go back down).
const NO = { progress: false } as const;
const stored = (): number => workers.reduce((a, w) => a + w.store.memoryBytes + w.store.spilledBytes, 0);

describe("releasing cluster data", () => {
  test("unpersist frees a persisted collection's results on the workers; computing it afterwards asks to persist again", async () => {
    const make = tk.delayed((i: number) => Float64Array.from({ length: 100_000 }, (_, j) => i + j));
    const sum = tk.delayed((xs: Float64Array[]) => xs.reduce((a, x) => a + x.reduce((s, v) => s + v, 0), 0));
    const n = 400;
    const df = new dfd.DataFrame({ k: Array.from({ length: n }, (_, i) => i % 7), v: Array.from({ length: n }, (_, i) => i * 0.5) });
    const before = stored();
    const tasksBefore = scheduler.state.tasks.size;
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
    await vi.waitFor(() => expect(scheduler.state.tasks.size).toBe(tasksBefore));
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
