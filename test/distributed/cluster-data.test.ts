/**
 * Data between worker processes on loopback (one LocalCluster for all, its workers
 * started one by one, each with its own local directory).
 *
 * The shuffle on a cluster runs worker to worker: two worker processes with DIFFERENT
 * local directories (so neither can read the other's bucket files from disk) merge and
 * sort random data exactly as the threads scheduler does; a worker killed (kill -9) in
 * the middle of a shuffle still gives the right result (the scheduler re-runs the
 * shuffle's splits, readers that could not fetch a bucket are re-run); and every
 * worker's scratch space is empty once a computation is over.
 *
 * Graceful shutdown: a worker sent SIGTERM hands its results to the other worker before
 * it exits, so a persisted collection still computes without re-running any of its
 * tasks (each task appends a line to a file when it runs).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import * as tk from "../../src/index.js";
import type { DataFrame } from "../../src/dataframe/index.js";
import { computeRows } from "../dataframe/shuffle-reference.js";

let cluster: tk.LocalCluster;
let client: tk.Client;
const dirs: string[] = [];
const pids: number[] = [];

beforeAll(async () => {
  cluster = await tk.LocalCluster.start({ nWorkers: 0, threadsPerWorker: 1, schedulerArgs: ["--heartbeat-timeout", "3000"] });
  for (let i = 0; i < 2; i++) {
    const dir = mkdtempSync(join(tmpdir(), `tusk-p2p-w${i}-`));
    dirs.push(dir);
    pids.push(await cluster.addWorker({ localDirectory: dir }));
  }
  client = await tk.Client.connect(cluster.address, { token: cluster.token, setAsDefault: false });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cluster?.close();
  await tk.shutdown();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A deterministic pseudo-random sequence. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomFrame(n: number, keys: number, seed: number, npartitions: number): DataFrame {
  const r = lcg(seed);
  const df = new dfd.DataFrame({
    k: Array.from({ length: n }, () => Math.floor(r() * keys)),
    s: Array.from({ length: n }, () => `s${Math.floor(r() * 50)}`),
    v: Array.from({ length: n }, () => Math.round(r() * 1e6) / 100),
  });
  return tk.fromDanfo(df, { npartitions });
}

/** Files in the workers' scratch spaces (one entry per owner folder and file). */
function scratchEntries(dir: string): string[] {
  const out: string[] = [];
  for (const root of readdirSync(dir).filter((d) => d.endsWith("-scratch"))) {
    for (const owner of readdirSync(join(dir, root))) {
      for (const f of readdirSync(join(dir, root, owner))) out.push(join(root, owner, f));
    }
  }
  return out;
}

async function expectSameOnCluster(df: DataFrame): Promise<void> {
  const threads = await computeRows(df, { scheduler: "threads", progress: false });
  const cluster = await computeRows(df, { scheduler: client, progress: false });
  expect(cluster.columns).toEqual(threads.columns);
  expect(cluster.nparts).toBe(threads.nparts);
  expect(cluster.partRows).toEqual(threads.partRows);
}

describe("worker-to-worker shuffle", () => {
  test("merge and sortValues on two workers with different local directories equal the threads scheduler; scratch is emptied", async () => {
    const left = randomFrame(3000, 400, 1, 6);
    const right = randomFrame(2000, 400, 2, 4);
    await expectSameOnCluster(tk.merge({ left, right, on: ["k"], how: "inner", broadcast: false, npartitions: 5 }));
    await expectSameOnCluster(tk.merge({ left, right, on: ["k", "s"], how: "outer", broadcast: false }));
    await expectSameOnCluster(right.sortValues(["s", "v"], { ascending: [false, true], npartitions: 3 }));
    await vi.waitFor(() => { for (const d of dirs) expect(scratchEntries(d)).toEqual([]); }, { timeout: 10_000, interval: 100 });
  }, 180_000);

  test("a worker killed (kill -9) in the middle of a shuffle: the result is still right", async () => {
    // Slow inputs spread the splits over a few seconds; the victim is killed once it holds bucket files.
    const slow = (df: DataFrame) => df.mapPartitions((b: never, ms: number) => { const t = Date.now(); while (Date.now() - t < ms) { /* busy */ } return b; }, { args: [150], arrow: true });
    const left = slow(randomFrame(4000, 300, 3, 16));
    const right = randomFrame(1500, 300, 4, 3);
    const joined = tk.merge({ left, right, on: ["k"], how: "left", broadcast: false, npartitions: 4 });
    const threads = await computeRows(joined, { scheduler: "threads", progress: false });
    const running = computeRows(joined, { scheduler: client, progress: false });
    let victim = -1;
    await vi.waitFor(() => {
      victim = dirs.findIndex((d) => scratchEntries(d).length > 0);
      expect(victim).toBeGreaterThanOrEqual(0);
    }, { timeout: 30_000, interval: 20 });
    process.kill(pids[victim]!, "SIGKILL");
    const got = await running;
    expect(got.partRows).toEqual(threads.partRows);
    const survivor = dirs[1 - victim]!;
    await vi.waitFor(() => expect(scratchEntries(survivor)).toEqual([]), { timeout: 10_000, interval: 100 });
  }, 120_000);
});

const runs = (file: string): number => readFileSync(file, "utf8").split("\n").filter(Boolean).length;

describe("graceful hand-off", () => {
  test("SIGTERM: the worker's persisted results move to the other worker; nothing is recomputed", async () => {
    // The shuffle tests above killed a worker: start another one.
    const dir = mkdtempSync(join(tmpdir(), "tusk-retire-"));
    dirs.push(dir);
    pids.push(await cluster.addWorker({ localDirectory: dir }));
    const marker = join(dir, "runs.txt");
    const make = tk.delayed((i: number, file: string, ms: number) => {
      process.getBuiltinModule("node:fs").appendFileSync(file, `${i}\n`);
      const t = Date.now();
      while (Date.now() - t < ms) { /* spread the tasks over both workers */ }
      return Float64Array.from({ length: 20_000 }, (_, j) => i * 1000 + j);
    });
    const sum = tk.delayed((xs: Float64Array[]) => xs.reduce((a, x) => a + x.reduce((s, v) => s + v, 0), 0));
    const parts = Array.from({ length: 8 }, (_, i) => make(i, marker, 100));
    const persisted = await tk.persist(...parts, { scheduler: client, progress: false });
    expect(runs(marker)).toBe(8);
    const expected = Array.from({ length: 8 }, (_, i) => 20_000 * i * 1000 + (19_999 * 20_000) / 2).reduce((a, b) => a + b, 0);
    const [victim, survivor] = cluster.workerPids;
    process.kill(victim!, "SIGTERM");
    await vi.waitFor(() => expect(cluster.workerPids).toEqual([survivor]), { timeout: 30_000, interval: 50 });
    const total = await sum(persisted as unknown as Float64Array[]).compute({ scheduler: client, progress: false });
    expect(total).toBe(expected);
    expect(runs(marker)).toBe(8);
  }, 90_000);
});
