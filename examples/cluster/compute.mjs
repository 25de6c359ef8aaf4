// Connects to a running tusk cluster, computes a dataframe groupby and an array sum on
// it, and checks both against the same computation on the local thread pool and against
// a plain JavaScript computation; given the dashboard, also checks that the scheduler has
// the expected workers and that each ran tasks. Exits 1 on any mismatch. run.sh starts
// the cluster.
//   TUSK_TOKEN=… node examples/cluster/compute.mjs ws://127.0.0.1:8786 [http://127.0.0.1:8787] [workers=2]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tk from "tusk";

const [url, dashboard, wanted = "2"] = process.argv.slice(2);
if (!url) throw new Error("usage: node examples/cluster/compute.mjs ws://HOST:PORT [dashboard-url] [workers]");
const rows = Number(process.env.CLUSTER_ROWS ?? 200_000);
const problems = [];
const near = (a, b) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/** fare mean, tip sum and row count per vendor, from the CSV text with no tusk at all. */
function plainGroupby(csv) {
  const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
  const cols = lines[0].split(",");
  const [v, f, t] = ["vendor", "fare", "tip"].map((c) => cols.indexOf(c));
  const acc = new Map();
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(",");
    const a = acc.get(cells[v]) ?? { fare: 0, tip: 0, n: 0 };
    a.fare += Number(cells[f]);
    a.tip += Number(cells[t]);
    a.n += 1;
    acc.set(cells[v], a);
  }
  return new Map([...acc].map(([k, a]) => [k, [a.fare / a.n, a.tip, a.n]]));
}

/** A danfo result table as vendor -> [fare_mean, tip_sum, id_count]. */
function byVendor(table) {
  const [names, values] = [table.columns, table.values];
  const at = (c) => names.indexOf(c);
  return new Map(values.map((r) => [r[at("vendor")], [r[at("fare_mean")], r[at("tip_sum")], r[at("id_count")]]]));
}

function compareGroups(what, expected, got) {
  if (expected.size !== got.size) problems.push(`${what}: ${got.size} groups, expected ${expected.size}`);
  for (const [k, want] of expected) {
    const have = got.get(k);
    if (!have || !want.every((x, i) => near(x, have[i]))) problems.push(`${what}, vendor ${k}: ${JSON.stringify(have)}, expected ${JSON.stringify(want)}`);
  }
}

/** A JSON page of the scheduler's dashboard (it asks for the cluster's token). */
async function dashboardJson(path) {
  const res = await fetch(new URL(path, dashboard), { headers: { authorization: `Bearer ${process.env.TUSK_TOKEN ?? ""}` } });
  if (!res.ok) throw new Error(`dashboard ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

const dir = mkdtempSync(join(tmpdir(), "tusk-cluster-example-"));
const client = await tk.Client.connect(url, { token: process.env.TUSK_TOKEN });
try {
  if (dashboard) {
    const status = await dashboardJson("/json");
    console.log(`cluster at ${url}: ${status.workers.length} workers, ${status.workers.map((w) => `${w.id} (nthreads ${w.nthreads})`).join(", ")}`);
    if (status.workers.length !== Number(wanted)) problems.push(`the scheduler has ${status.workers.length} workers, expected ${wanted}`);
  }

  // 1. A dataframe groupby over a CSV that the workers read themselves (same machine).
  const csv = join(dir, "taxi.csv");
  await tk.writeSampleTaxiCsv(csv, rows);
  const df = await tk.readCSV(csv, { blocksize: "1MB" });
  const query = df.groupby(["vendor"]).agg({ fare: "mean", tip: "sum", id: "count" });
  const onCluster = await query.compute({ scheduler: client });
  const onThreads = await query.compute({ scheduler: "threads" });
  console.log(`groupby of ${rows.toLocaleString()} rows in ${df.npartitions} partitions, on the cluster:`);
  onCluster.print();
  const plain = plainGroupby(csv);
  compareGroups("cluster vs plain JavaScript", plain, byVendor(onCluster));
  compareGroups("threads vs plain JavaScript", plain, byVendor(onThreads));

  // 2. An array sum: 6 M seeded uniform numbers in 6 chunks.
  const x = tk.array.random.uniform([3000, 2000], { chunks: [1000, 1000], seed: 7 });
  const [sumCluster] = await x.sum().toTypedArray({ scheduler: client });
  const [sumThreads] = await x.sum().toTypedArray({ scheduler: "threads" });
  let plainSum = 0;
  for (const v of await x.toTypedArray({ scheduler: "threads" })) plainSum += v;
  console.log(`array sum of ${x.size.toLocaleString()} values in ${x.npartitions} chunks: cluster ${sumCluster}, threads ${sumThreads}, plain loop ${plainSum}`);
  if (!near(sumCluster, sumThreads)) problems.push(`array sum: cluster ${sumCluster}, threads ${sumThreads}`);
  if (!near(sumCluster, plainSum)) problems.push(`array sum: cluster ${sumCluster}, plain loop ${plainSum}`);

  // 3. Both workers took part: the scheduler's task stream names the worker of each task.
  if (dashboard) {
    const { stream } = await dashboardJson("/api/snapshot?since=0");
    const perWorker = new Map();
    for (const e of stream.entries) perWorker.set(e.worker, (perWorker.get(e.worker) ?? 0) + 1);
    console.log(`tasks run per worker: ${[...perWorker].map(([w, n]) => `${w} ${n}`).join(", ")}`);
    if (perWorker.size !== Number(wanted)) problems.push(`tasks ran on ${perWorker.size} workers, expected ${wanted}`);
  }
} finally {
  await client.close();
  await tk.shutdown();
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`cluster example FAILED:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log("cluster example OK: the cluster, the thread pool and plain JavaScript agree");
