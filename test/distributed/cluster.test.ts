/**
 * Multi-process integration on loopback: a LocalCluster (real `tusk scheduler` and
 * `tusk worker` processes) against the threads scheduler, then chaos (kill -9 of
 * workers at random points, a frozen worker, workers joining mid-way) and, last, the
 * scheduler dying under a client.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { connect } from "../../src/distributed/comm/index.js";
import { PROTOCOL_VERSION } from "../../src/distributed/protocol/messages.js";
import { lit, task } from "../../src/graph/task.js";
import { makeKey } from "../../src/graph/key.js";
import { shipFunction } from "../../src/graph/shipped-function.js";
import { fuzz } from "./fuzz.js";

let cluster: tk.LocalCluster;
let client: tk.Client;
const NO = { progress: false } as const;

beforeAll(async () => {
  cluster = await tk.LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, schedulerArgs: ["--heartbeat-timeout", "2500"] });
  client = await tk.Client.connect(cluster.address, { token: cluster.token });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cluster?.close();
  await tk.shutdown();
});

const slowDouble = tk.delayed(async (x: number, ms: number) => {
  await new Promise((r) => setTimeout(r, ms));
  return { v: x * 2, pid: process.pid };
});
const collect = tk.delayed((parts: Array<{ v: number; pid: number }>) => ({ total: parts.reduce((a, p) => a + p.v, 0), pids: [...new Set(parts.map((p) => p.pid))] }));

function chaosGraph(n: number, ms: number, salt: number) {
  return collect(Array.from({ length: n }, (_, i) => slowDouble(i + salt * 1000, ms)) as never);
}
const expectedTotal = (n: number, salt: number) => Array.from({ length: n }, (_, i) => 2 * (i + salt * 1000)).reduce((a, b) => a + b, 0);

describe("LocalCluster", () => {
  test("delayed graphs: the cluster (the default scheduler once connected) gives the threads result, using both workers", async () => {
    const inc = tk.delayed((x: number) => x + 1);
    const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0));
    const g = total(Array.from({ length: 500 }, (_, i) => inc(i)) as unknown as number[]);
    expect(await g.compute(NO)).toBe(await g.compute({ ...NO, scheduler: "threads" }));
    const out = await chaosGraph(8, 50, 0).compute(NO);
    expect(out.total).toBe(expectedTotal(8, 0));
    expect(out.pids.sort()).toEqual(cluster.workerPids.sort());
  });

  test("dataframe groupby matches the threads scheduler", async () => {
    const n = 400;
    const df = new dfd.DataFrame({ k: Array.from({ length: n }, (_, i) => `g${i % 7}`), v: Array.from({ length: n }, (_, i) => (i * 37) % 101 + 0.25) });
    const agg = tk.fromDanfo(df, { npartitions: 5 }).groupby(["k"]).agg({ v: ["sum", "count", "mean"] });
    const [onCluster, onThreads] = [await agg.compute(NO), await agg.compute({ ...NO, scheduler: "threads" })];
    expect(onCluster.columns).toEqual(onThreads.columns);
    expect(onCluster.values).toEqual(onThreads.values);
  }, 120_000);

  test("array sum and matMul match the threads scheduler", async () => {
    const x = tk.array.random.uniform([120, 90], { chunks: [40, 30], seed: 3 });
    const y = tk.array.random.uniform([90, 60], { chunks: [30, 20], seed: 4 });
    const s = x.sum();
    expect(Array.from(await s.toTypedArray(NO))).toEqual(Array.from(await s.toTypedArray({ ...NO, scheduler: "threads" })));
    const m = x.matMul(y);
    expect(Array.from(await m.toTypedArray(NO))).toEqual(Array.from(await m.toTypedArray({ ...NO, scheduler: "threads" })));
  }, 120_000);

  test("a connection without the token, or with a wrong one, is refused before any task runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tusk-auth-"));
    const marker = join(dir, "ran");
    const fn = shipFunction((file: string) => process.getBuiltinModule("node:fs").writeFileSync(file, "x"), "probe");
    for (const token of ["", "wrong-token"]) {
      const comm = await connect(cluster.address);
      const replies: unknown[] = [];
      comm.onMessage((m) => replies.push(m));
      const closed = new Promise((r) => comm.onClose(r));
      // Pipelined: the graph arrives right behind a hello with a bad token.
      comm.send({ type: "hello", version: PROTOCOL_VERSION, role: "client", token });
      const key = makeKey(`probe-${token.length}`);
      comm.send({ type: "update-graph", tasks: [task(key, "tusk.call", lit(fn), lit(marker))], keys: [key], modules: [], retries: 0 });
      await closed;
      expect(replies[0]).toMatchObject({ type: "error", error: { code: "ERR_AUTH" } });
    }
    await expect(tk.Client.connect(cluster.address, { token: "wrong", setAsDefault: false })).rejects.toThrow(/authentication failed/);
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(marker)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  test("10,000 random and malformed frames to the scheduler and to a worker; both still serve a real client", async () => {
    const status = await (await fetch(`${cluster.dashboardUrl}json`, { headers: { authorization: `Bearer ${cluster.token}` } })).json() as { workers: Array<{ address: string }> };
    const before = cluster.workerPids.length;
    const [toScheduler, toWorker] = await Promise.all([
      fuzz(cluster.address, 10_000, cluster.token, 1),
      fuzz(status.workers[0]!.address, 10_000, cluster.token, 2),
    ]);
    expect(toScheduler).toBeGreaterThanOrEqual(10_000);
    expect(toWorker).toBeGreaterThanOrEqual(10_000);
    expect(cluster.workerPids.length).toBe(before);
    const out = await chaosGraph(8, 20, 5).compute(NO);
    expect(out.total).toBe(expectedTotal(8, 5));
    expect(out.pids.length).toBe(2);
  });

  test("chaos: kill -9 of a worker at a random point, several runs, still gives the correct result", async () => {
    for (let run = 1; run <= 3; run++) {
      const pending = chaosGraph(40, 25, run).compute(NO);
      await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 500)));
      const pids = cluster.workerPids;
      process.kill(pids[Math.floor(Math.random() * pids.length)]!, "SIGKILL");
      const joining = cluster.addWorker();
      const out = await pending;
      expect(out.total).toBe(expectedTotal(40, run));
      await joining;
    }
  });

  test("a worker joining mid-way gets work", async () => {
    // Tasks hold until the new worker has joined, so the computation is surely mid-way.
    const dir = mkdtempSync(join(tmpdir(), "tusk-join-"));
    const marker = join(dir, "joined");
    const gated = tk.delayed(async (x: number, file: string) => {
      const fs = process.getBuiltinModule("node:fs");
      while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 30));
      return { v: x * 2, pid: process.pid };
    });
    const pending = collect(Array.from({ length: 40 }, (_, i) => gated(i + 7000, marker)) as never).compute(NO);
    const pid = await cluster.addWorker();
    writeFileSync(marker, "x");
    const out = await pending;
    rmSync(dir, { recursive: true, force: true });
    expect(out.total).toBe(expectedTotal(40, 7));
    expect(out.pids).toContain(pid);
  });

  test("a frozen worker (no heartbeats) is declared dead within seconds and its work redone", async () => {
    const pending = chaosGraph(30, 40, 9).compute(NO);
    await new Promise((r) => setTimeout(r, 150));
    const victim = cluster.workerPids[0]!;
    process.kill(victim, "SIGSTOP");
    try {
      const out = await pending;
      expect(out.total).toBe(expectedTotal(30, 9));
      expect(out.pids).not.toContain(victim);
    } finally {
      process.kill(victim, "SIGCONT");
    }
  });

  test("the scheduler dying is reported to the client with a clear error", async () => {
    const pending = chaosGraph(20, 300, 11).compute(NO);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(cluster.schedulerPid, "SIGKILL");
    await expect(pending).rejects.toThrow(/Lost the connection to the scheduler at ws:\/\/127\.0\.0\.1:\d+.*connect a new Client/s);
    expect(client.closed).toBe(true);
  });
});
