/**
 * performanceReport on a cluster: the task stream arrives from the Client (the workers
 * time the tasks, the scheduler forwards the events), and the workers' memory comes
 * from the scheduler's dashboard when its address is given.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import * as tk from "../../src/index.js";
import { TUSK } from "../../src/graph/collection.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { keyPrefix } from "../../src/graph/key.js";

let cluster: tk.LocalCluster;
let client: tk.Client;
const dir = mkdtempSync(join(tmpdir(), "tusk-report-cluster-"));

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

test("a computation on a LocalCluster: every task of the graph in the report, on the cluster's workers", async () => {
  const file = join(dir, "cluster.html");
  const make = tk.delayed(function part(i: number) {
    const t = Date.now();
    while (Date.now() - t < 20) { /* long enough to spread over both workers */ }
    return Float64Array.from({ length: 1000 }, (_, j) => i + j);
  });
  const sum = tk.delayed(function add(xs: Float64Array[]) { return xs.reduce((a, x) => a + x.reduce((s, v) => s + v, 0), 0); });
  const total = sum(Array.from({ length: 12 }, (_, i) => make(i)));
  const expected = new Map<string, number>();
  for (const k of prepareGraph([total[TUSK]()]).graph.keys()) expected.set(keyPrefix(k), (expected.get(keyPrefix(k)) ?? 0) + 1);

  const value = await tk.performanceReport(file, () => total.compute({ scheduler: client, progress: false }), {
    ...(cluster.dashboardUrl ? { dashboard: { url: cluster.dashboardUrl, token: cluster.token } } : {}),
  });
  expect(value).toBe(Array.from({ length: 12 }, (_, i) => 1000 * i + (999 * 1000) / 2).reduce((a, b) => a + b, 0));

  const html = readFileSync(file, "utf8");
  expect(html).not.toMatch(/https?:\/\//);
  const data = JSON.parse(/<script type="application\/json" id="tusk-report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
    tasks: number; scheduler: string; workers: string[]; groups: Array<{ group: string; count: number }>; workerMemory: string[];
  };
  expect(new Map(data.groups.map((g) => [g.group, g.count]))).toEqual(expected);
  expect(data.scheduler).toMatch(/^cluster/);
  expect(data.workers.length).toBeGreaterThanOrEqual(1);
  for (const w of data.workers) expect(w).not.toMatch(/^(main|thread-\d+)$/);
  expect(typeof tk.visualize).toBe("function"); // both exported from the package
  if (cluster.dashboardUrl) {
    expect(data.workerMemory.length).toBe(2); // both workers sampled from the dashboard
    expect(html).toContain("Memory of the cluster's workers");
  }
}, 60_000);
