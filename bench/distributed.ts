/**
 * `npm run bench -- distributed [--quick]`: the distributed scheduler's figures.
 *
 * 1. Per-task overhead: 10,000 trivial tasks (flat: N independent inc(i), all keys
 *    requested; tree: N leaves reduced pairwise by add) on a LocalCluster of 2 workers ×
 *    1 thread, against Dask distributed's LocalCluster (2 × 1, processes) running the
 *    same graphs in the same run (bench/peers/dask_distributed.py through Debian's
 *    /usr/bin/python3). Both time only the compute call on a pre-built graph, with the
 *    cluster already started. Target: ours ≤ 1/5 of Dask's.
 * 2. Scheduler only: the pure state machine driving 1,000,000 tasks (a pairwise tree
 *    over 500,000 leaves) across 100 simulated workers of 4 threads, each "running" a
 *    task the moment it gets it: transitions (decisions) per second.
 * 3. W1 (read CSV, groupby vendor: mean fare, sum tip, count) on LocalCluster(2 × 1) vs
 *    the threads scheduler (2 threads), same code, when the taxi CSV exists:
 *    `--w1 FILE`, else $PEERS_DATA/taxi_big.csv (20M rows), else /tmp/taxi_2m.csv.
 * 4. Shuffles on a cluster (worker to worker), on /tmp/taxi_2m.csv (`--shuffle FILE`):
 *    LL, the large-large join (id, fare) ⋈ (id, tip) of its rows where id % 4 == 0, and
 *    SORT, a full sortValues("fare") (rows, and each output partition's first fare); LocalCluster(2 × 1) vs threads
 *    (2 threads), against Dask distributed's LocalCluster(2 × 1) in the same run. Dask's
 *    p2p shuffle needs pyarrow, which Debian's python3 lacks: its peer is the task
 *    shuffle (`shuffle="tasks"`), said so in the output.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { Client } from "../src/distributed/client.js";
import { LocalCluster } from "../src/distributed/cluster.js";
import { SchedulerState, type SchedulerInstruction } from "../src/distributed/scheduler/state.js";
import { makeKey, type Key } from "../src/graph/key.js";
import { shutdownPools } from "../src/graph/local/pool.js";
import { shipFunction } from "../src/graph/shipped-function.js";
import { lit, ref, task, type Task } from "../src/graph/task.js";

/** The shuffle workloads on Dask (shared with bench/shuffle.ts). */
const DASK_SHUFFLE = fileURLToPath(new URL("./peers/dask_shuffle.py", import.meta.url));
const quick = process.argv.includes("--quick");
const N = quick ? 2000 : 10_000;

const inc = shipFunction((x: number) => x + 1, "inc");
const add = shipFunction((a: number, b: number) => a + b, "add");

function graphOf(kind: "flat" | "tree", n: number): { tasks: Task[]; keys: Key[]; expect: number } {
  const tasks: Task[] = [];
  let level: Key[] = [];
  for (let i = 0; i < n; i++) {
    const k = makeKey("inc-bench", i);
    tasks.push(task(k, "tusk.call", lit(inc), lit(i)));
    level.push(k);
  }
  const expect = (n * (n + 1)) / 2;
  if (kind === "flat") return { tasks, keys: level, expect };
  for (let d = 0; level.length > 1; d++) {
    const next: Key[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      const k = makeKey(`add-bench-${d}`, j / 2);
      tasks.push(task(k, "tusk.call", lit(add), ref(level[j]!), ref(level[j + 1]!)));
      next.push(k);
    }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  return { tasks, keys: level, expect };
}

async function ours(kind: "flat" | "tree", client: Client): Promise<{ usPerTask: number; ntasks: number }> {
  const { tasks, keys, expect } = graphOf(kind, N);
  const graph = new Map(tasks.map((t) => [t.key, t] as const));
  const t0 = performance.now();
  const out = await client.run({ graph, keys, localDirectory: tmpdir(), nthreads: 1, retries: 0 });
  const ms = performance.now() - t0;
  const total = kind === "flat" ? (out as number[]).reduce((a, b) => a + b, 0) : (out[0] as number);
  if (total !== expect) throw new Error(`wrong result ${total} != ${expect}`);
  return { usPerTask: (1000 * ms) / tasks.length, ntasks: tasks.length };
}

function dask(kind: "flat" | "tree"): { usPerTask: number; ntasks: number } | string {
  const script = fileURLToPath(new URL("./peers/dask_distributed.py", import.meta.url));
  const r = spawnSync("/usr/bin/python3", [script, "dist", kind, String(N)], { encoding: "utf8", timeout: 600_000 });
  const line = r.stdout?.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) return `dask distributed did not run (${(r.stderr ?? "").trim().split("\n").pop() ?? r.status})`;
  const j = JSON.parse(line.slice(7)) as { us_per_task: number; ntasks: number };
  return { usPerTask: j.us_per_task, ntasks: j.ntasks };
}

function schedulerOnly(leaves: number, nWorkers: number): { tasks: number; transitions: number; seconds: number; cpuSeconds: number } {
  const s = new SchedulerState({ logSize: 0 });
  for (let w = 0; w < nWorkers; w++) s.handle({ type: "worker-added", stimulusId: `w${w}`, worker: `w${w}`, address: `sim://w${w}`, nthreads: 4 });
  const { tasks, keys } = graphOf("tree", leaves);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let pending: SchedulerInstruction[] = s.handle({ type: "graph-submitted", stimulusId: "g", client: "c", tasks, keys });
  let seq = 0;
  let done = false;
  while (pending.length > 0) {
    const next: SchedulerInstruction[] = [];
    for (const i of pending) {
      if (i.type === "compute") {
        for (const o of s.handle({ type: "task-finished", stimulusId: `f${seq++}`, worker: i.worker, key: i.task.key, nbytes: 8 })) next.push(o);
      } else if (i.type === "key-in-memory") done = true;
    }
    pending = next;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  if (!done) throw new Error("scheduler-only run did not finish");
  return { tasks: tasks.length, transitions: s.transitionCount, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function w1File(): string | undefined {
  const i = process.argv.indexOf("--w1");
  if (i >= 0) return process.argv[i + 1];
  const candidates = [`${process.env.PEERS_DATA ?? "/tmp/peers/data"}/taxi_big.csv`, "/tmp/taxi_2m.csv"];
  return candidates.find((f) => existsSync(f));
}

async function w1(file: string): Promise<void> {
  const tk = await import("../src/index.js");
  const readCSV = (tk as unknown as { readCSV?: (path: string) => Promise<{ groupby(k: string[]): { agg(a: Record<string, string>): { compute(o: object): Promise<{ values: unknown }> } } }> }).readCSV;
  if (!readCSV) return void console.log("\n# W1 skipped: tk.readCSV is not available in this build");
  const run = async (scheduler: unknown): Promise<{ s: number; values: unknown }> => {
    const t0 = performance.now();
    const df = await readCSV(file);
    const g = await df.groupby(["vendor"]).agg({ fare: "mean", tip: "sum", id: "count" }).compute({ scheduler, progress: false });
    return { s: (performance.now() - t0) / 1000, values: g.values };
  };
  console.log(`\n# W1 on ${file}: LocalCluster 2 workers x 1 thread vs threads (2 threads)`);
  tk.config.set({ nthreads: 2 });
  await run("threads"); // warm-up (thread start, module loads)
  const threads = await run("threads");
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  const client = await Client.connect(cluster.address, { token: cluster.token, setAsDefault: false });
  try {
    await run(client);
    const dist = await run(client);
    const same = JSON.stringify(dist.values) === JSON.stringify(threads.values);
    console.log(`threads ${threads.s.toFixed(2)} s   LocalCluster(2x1) ${dist.s.toFixed(2)} s   ratio ${(dist.s / threads.s).toFixed(2)}   same result: ${same}`);
  } finally {
    await client.close();
    await cluster.close();
    await shutdownPools();
  }
}

async function shuffles(file: string): Promise<void> {
  const tk = await import("../src/index.js");
  const { readdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  const run = async (workload: "LL" | "SORT", scheduler: "threads" | Client): Promise<{ s: number; result: unknown }> => {
    tk.config.set({ scheduler });
    const t0 = performance.now();
    const df = await tk.readCSV(file);
    let result: unknown;
    if (workload === "LL") {
      const left = df.loc({ columns: ["id", "fare"] });
      const right = df.query(df.column("id").mod(4).eq(0)).loc({ columns: ["id", "tip"] });
      const j = tk.merge({ left, right, on: ["id"], how: "inner", broadcast: false });
      const [n, sum] = await tk.compute(j.length, j.column("fare").sum(), { progress: false });
      result = { rows: n, sum_fare: Math.round((sum as number) * 100) / 100 };
    } else {
      // The first row of each output partition: sorted means their fares never go down.
      const sorted = df.sortValues("fare");
      const firsts = sorted.mapPartitions((b: { numRows: number; slice(s: number, e: number): unknown }) => b.slice(0, Math.min(1, b.numRows)), { arrow: true });
      const [n, f] = await tk.compute(sorted.length, firsts, { progress: false });
      const fares = (f as { column(c: string): { values: number[] } }).column("fare").values;
      result = { rows: n, min_fare: fares[0], ordered: fares.every((x, i) => i === 0 || x >= fares[i - 1]!) };
    }
    return { s: (performance.now() - t0) / 1000, result };
  };
  console.log(`\n# shuffles on ${file}: LocalCluster 2 workers x 1 thread (worker to worker) vs threads (2 threads) vs Dask distributed LocalCluster 2 x 1`);
  tk.config.set({ nthreads: 2, progress: false });
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  const client = await Client.connect(cluster.address, { token: cluster.token, setAsDefault: false });
  try {
    for (const wl of ["LL", "SORT"] as const) {
      const threads = await run(wl, "threads");
      const dist = await run(wl, client);
      const r = spawnSync("/usr/bin/python3", [DASK_SHUFFLE, wl, file, "cluster"], { encoding: "utf8", timeout: 1_200_000 });
      const line = r.stdout?.split("\n").find((l) => l.startsWith("RESULT "));
      const d = line ? JSON.parse(line.slice(7)) as { work_s: number; result: unknown; method: string } : undefined;
      const peer = d ? `${d.work_s.toFixed(2)} s (${d.method} shuffle) ${JSON.stringify(d.result)}` : `did not run (${(r.stderr ?? "").trim().split("\n").pop() ?? r.status})`;
      console.log(`${wl}: threads ${threads.s.toFixed(2)} s ${JSON.stringify(threads.result)}   LocalCluster(2x1) ${dist.s.toFixed(2)} s ${JSON.stringify(dist.result)}   ` +
        `same: ${JSON.stringify(threads.result) === JSON.stringify(dist.result)}   dask distributed ${peer}` + (d ? `   ratio vs dask ${(dist.s / d.work_s).toFixed(2)}` : ""));
    }
    const leftover = readdirSync(tmpdir()).filter((f) => f.startsWith("tusk-worker-") && f.endsWith("-scratch")).flatMap((f) => readdirSync(join(tmpdir(), f)));
    console.log(`scratch spaces left on the workers: ${leftover.length}`);
  } finally {
    tk.config.set({ scheduler: "threads" });
    await client.close();
    await cluster.close();
    await shutdownPools();
  }
}

async function main(): Promise<void> {
  console.log(`# distributed: ${N} trivial tasks, LocalCluster 2 workers x 1 thread (both sides)\n`);
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1 });
  const client = await Client.connect(cluster.address, { token: cluster.token, setAsDefault: false });
  const rows: string[] = [];
  try {
    await ours("flat", client); // warm-up: threads start, modules load
    for (const kind of ["flat", "tree"] as const) {
      const a = await ours(kind, client);
      const b = await ours(kind, client);
      const best = Math.min(a.usPerTask, b.usPerTask);
      const d = dask(kind);
      const peer = typeof d === "string" ? d : `${(d.usPerTask / 1000).toFixed(3)} ms/task`;
      const ratio = typeof d === "string" ? "" : `  ratio ${(best / d.usPerTask).toFixed(3)} (target <= 0.2)`;
      rows.push(`${kind}-${N} (${a.ntasks} tasks): tusk ${(best / 1000).toFixed(3)} ms/task   dask distributed ${peer}${ratio}`);
      console.log(rows[rows.length - 1]);
    }
  } finally {
    await client.close();
    await cluster.close();
    await shutdownPools();
  }
  const leaves = quick ? 50_000 : 500_000;
  const r = schedulerOnly(leaves, 100);
  console.log(`\n# scheduler state machine alone: ${r.tasks.toLocaleString()} tasks (pairwise tree), 100 simulated workers x 4 threads`);
  console.log(`${r.transitions.toLocaleString()} transitions in ${r.seconds.toFixed(2)} s wall (${r.cpuSeconds.toFixed(2)} s CPU): ` +
    `${Math.round(r.transitions / r.seconds).toLocaleString()} decisions/s wall, ${Math.round(r.transitions / r.cpuSeconds).toLocaleString()} per CPU-second; ` +
    `${Math.round(r.tasks / r.cpuSeconds).toLocaleString()} tasks per CPU-second`);
}

const only = process.argv.includes("--shuffle-only");
if (!only) await main();
if (!process.argv.includes("--no-shuffle")) {
  const i = process.argv.indexOf("--shuffle");
  const file = i >= 0 ? process.argv[i + 1]! : "/tmp/taxi_2m.csv";
  if (existsSync(file)) await shuffles(file);
  else console.log(`\n# shuffles skipped: no ${file} (generate it with /work/shared/peers/gen_data.cjs, or pass --shuffle FILE)`);
}
if (!only && !process.argv.includes("--no-w1")) {
  const file = w1File();
  if (file) await w1(file);
  else console.log("\n# W1 skipped: no taxi CSV (generate it with /work/shared/peers/gen_data.cjs, or pass --w1 FILE)");
}
