/**
 * Graceful shutdown across processes: a worker sent SIGTERM hands its results to the
 * other worker before it exits, so a persisted collection still computes without
 * re-running any of its tasks (each task appends a line to a file when it runs).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import * as tk from "../../src/index.js";

let cluster: tk.LocalCluster;
let client: tk.Client;
const dir = mkdtempSync(join(tmpdir(), "tusk-retire-"));

beforeAll(async () => {
  cluster = await tk.LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  client = await tk.Client.connect(cluster.address, { token: cluster.token, setAsDefault: false });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cluster?.close();
  await tk.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

const runs = (file: string): number => readFileSync(file, "utf8").split("\n").filter(Boolean).length;

describe("graceful hand-off", () => {
  test("SIGTERM: the worker's persisted results move to the other worker; nothing is recomputed", async () => {
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
