/**
 * `npm run bench -- scheduler [--quick]`: scheduler overhead and the memory bound.
 *
 * 1. Microseconds per task for trivial tasks (`inc`, `add`), on `sync` and `threads`,
 *    side by side with Dask's sync and threaded schedulers running the same graphs in
 *    the same run (bench/peers/dask_scheduler.py through Debian's /usr/bin/python3;
 *    skipped, saying so, when it has no dask):
 *      flat-N   N independent inc(i), all N keys requested
 *      chain-N  inc(inc(…inc(0))): N tasks, each reading the previous one
 *      tree-N   N leaves inc(i) reduced pairwise by add to one root (2N-1 tasks)
 *    Our time is the whole `compute()` call (cull, fusion, ordering, scheduling, and the
 *    values back); Dask's is its `get()` on the pre-built graph (no optimization). A
 *    chain fuses into N/64 tasks here; the "unfused" row runs it with `optimize: false`.
 * 2. Memory: 200 tasks each producing a 50 MB buffer, reduced pairwise (a copy of the larger,
 *    so every step makes another 50 MB buffer) to one buffer and then to one number, on
 *    `threads`, in a child process whose peak RSS is printed (limit: 1 GB; keeping the
 *    intermediates would need 10 GB).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TUSK, type Collection, type CollectionSpec } from "../src/graph/collection.js";
import { computeOne } from "../src/graph/compute.js";
import { LayeredGraph, layer } from "../src/graph/graph.js";
import { makeKey, makeName, type Key } from "../src/graph/key.js";
import { lastThreadsRunStats } from "../src/graph/local/execute-threads.js";
import { shutdownPools } from "../src/graph/local/pool.js";
import { lit, list, ref, task, type Task } from "../src/graph/task.js";
import "./_scheduler-ops.js";

const PYTHON = "/usr/bin/python3";
const here = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");

/** A bare collection over a hand-built graph. */
function collection<T>(tasks: Task[], keys: Key[], finalize: (values: unknown[]) => T): Collection<T> {
  const graph = new LayeredGraph([layer(makeName("bench", keys.length, keys[0]), tasks)]);
  const spec: CollectionSpec<T> = { graph, keys, finalize, rebuild: () => { throw new Error("not used"); } };
  return { [TUSK]: () => spec };
}

/** Builds one of the benchmark graphs; returns it with its task count and expected result. */
function build(kind: "flat" | "chain" | "tree", n: number): { c: Collection<number>; ntasks: number; expect: number } {
  const name = makeName(`${kind}-inc`, n);
  if (kind === "flat") {
    const tasks = Array.from({ length: n }, (_, i) => task(makeKey(name, i), "bench.inc", lit(i)));
    const keys = tasks.map((t) => t.key);
    return { c: collection(tasks, keys, (vs) => (vs as number[]).reduce((a, b) => a + b, 0)), ntasks: n, expect: (n * (n + 1)) / 2 };
  }
  if (kind === "chain") {
    const tasks: Task[] = [task(makeKey(name, 0), "bench.inc", lit(0))];
    for (let i = 1; i < n; i++) tasks.push(task(makeKey(name, i), "bench.inc", ref(tasks[i - 1]!.key)));
    return { c: collection(tasks, [tasks[n - 1]!.key], (vs) => vs[0] as number), ntasks: n, expect: n };
  }
  const tasks = Array.from({ length: n }, (_, i) => task(makeKey(name, i), "bench.inc", lit(i)));
  let level = tasks.map((t) => t.key);
  for (let d = 0; level.length > 1; d++) {
    const addName = makeName("add", n, d);
    const next: Key[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      const t = task(makeKey(addName, j / 2), "bench.add", ref(level[j]!), ref(level[j + 1]!));
      tasks.push(t);
      next.push(t.key);
    }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  return { c: collection(tasks, level, (vs) => vs[0] as number), ntasks: tasks.length, expect: (n * (n + 1)) / 2 };
}

interface Row { graph: string; ntasks: number; cells: Map<string, number | string> }

async function timeOurs(kind: "flat" | "chain" | "tree", n: number, scheduler: "sync" | "threads", optimize = true): Promise<number> {
  const reps = n <= 20_000 ? 3 : 2;
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const { c, ntasks, expect } = build(kind, n);
    const t0 = performance.now();
    const out = await computeOne(c, { scheduler, progress: false, optimize });
    const us = ((performance.now() - t0) * 1000) / ntasks;
    if (out !== expect) throw new Error(`${kind}-${n} on ${scheduler}: got ${out}, expected ${expect}`);
    best = Math.min(best, us);
  }
  return best;
}

function timeDask(kind: string, n: number, scheduler: "sync" | "threads"): number | string {
  const r = spawnSync(PYTHON, [`${here}peers/dask_scheduler.py`, scheduler, kind, String(n)], { encoding: "utf8", timeout: 600_000 });
  const line = r.stdout?.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) return `failed: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`;
  return (JSON.parse(line.slice(7)) as { us_per_task: number }).us_per_task;
}

function daskAvailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ["-c", "import dask, sys; print(dask.__version__)"], { encoding: "utf8" });
  return r.status === 0 ? undefined : `${PYTHON} has no dask (Debian package python3-dask)`;
}

async function overhead(): Promise<void> {
  const noDask = daskAvailable();
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const cases: Array<{ kind: "flat" | "chain" | "tree"; n: number; optimize?: boolean; label?: string }> = [];
  for (const n of sizes) {
    cases.push({ kind: "flat", n }, { kind: "chain", n }, { kind: "chain", n, optimize: false, label: `chain-${n} unfused` });
  }
  cases.push({ kind: "tree", n: 10_000 });
  // Warm the pool (thread start-up and module imports are not per-task costs).
  await timeOurs("flat", 1000, "threads");
  const rows: Row[] = [];
  for (const { kind, n, optimize, label } of cases) {
    const { ntasks } = build(kind, n);
    const cells = new Map<string, number | string>();
    cells.set("tusk sync", await timeOurs(kind, n, "sync", optimize));
    cells.set("tusk threads", await timeOurs(kind, n, "threads", optimize));
    const daskCell = label === undefined; // Dask never fuses in get(): one Dask figure per graph
    cells.set("dask sync", noDask ? "skipped" : daskCell ? timeDask(kind, n, "sync") : "(as above)");
    cells.set("dask threads", noDask ? "skipped" : daskCell ? timeDask(kind, n, "threads") : "(as above)");
    rows.push({ graph: label ?? `${kind}-${n}`, ntasks, cells });
    printRow(rows[rows.length - 1]!, rows.length === 1);
  }
  if (noDask) console.log(`Dask columns skipped: ${noDask}`);
  const flat = rows.find((r) => r.graph === `flat-${sizes[sizes.length - 1]}`)!;
  const ours = flat.cells.get("tusk threads") as number;
  const theirs = flat.cells.get("dask threads");
  if (typeof theirs === "number") {
    const ratio = ours / theirs;
    console.log(`\n${flat.graph} on threads: tusk ${ours.toFixed(2)} µs/task vs Dask ${theirs.toFixed(1)} µs/task = ${(ratio * 100).toFixed(1)}% ` +
      `(goal: at most 25%) ${ratio <= 0.25 ? "OK" : "NOT MET"}`);
  }
}

const COLS = ["tusk sync", "tusk threads", "dask sync", "dask threads"];
function printRow(row: Row, header: boolean): void {
  if (header) {
    console.log(`\nµs per task (lower is better; ${process.env.TUSK_BENCH_NTHREADS ?? "all"} threads, Dask threads: 2 workers)`);
    console.log(["graph".padEnd(22), "tasks".padStart(7), ...COLS.map((c) => c.padStart(13))].join(" "));
  }
  const fmt = (v: number | string | undefined): string => (typeof v === "number" ? v.toFixed(2) : String(v ?? ""));
  console.log([row.graph.padEnd(22), String(row.ntasks).padStart(7), ...COLS.map((c) => fmt(row.cells.get(c)).padStart(13))].join(" "));
}

/** The memory check, run in a child process (`--memory-child`) so its peak RSS is its own. */
async function memoryChild(): Promise<void> {
  const N = 200, BYTES = 50e6;
  const name = makeName("big", N, BYTES);
  const tasks = Array.from({ length: N }, (_, i) => task(makeKey(name, i), "bench.buffer", lit(i), lit(BYTES)));
  let level = tasks.map((t) => t.key);
  for (let d = 0; level.length > 1; d++) {
    const mname = makeName("max", N, d);
    const next: Key[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      const t = task(makeKey(mname, j / 2), "bench.max", ref(level[j]!), ref(level[j + 1]!));
      tasks.push(t);
      next.push(t.key);
    }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  const root = task(makeKey(makeName("checksum", N)), "bench.checksum", ref(level[0]!));
  tasks.push(root);
  const t0 = performance.now();
  const out = await computeOne(collection(tasks, [root.key], (vs) => vs[0] as number), { scheduler: "threads", progress: false });
  const s = (performance.now() - t0) / 1000;
  const expect = Math.ceil(BYTES / 4096) * ((N - 1) % 251);
  if (out !== expect) throw new Error(`memory check: got ${out}, expected ${expect}`);
  const stats = lastThreadsRunStats()!;
  await shutdownPools();
  console.log(`RESULT ${JSON.stringify({ s, tasks: tasks.length, peakResultsHeld: stats.peakResultsHeld, peakResultBytes: stats.peakResultBytes, maxRssKiB: process.resourceUsage().maxRSS })}`);
}

async function memory(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--import", "tsx", self, "--memory-child"], { encoding: "utf8", timeout: 600_000 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) {
    console.log(`\nmemory check FAILED: ${r.stderr}`);
    process.exitCode = 1;
    return;
  }
  const m = JSON.parse(line.slice(7)) as { s: number; tasks: number; peakResultsHeld: number; peakResultBytes: number; maxRssKiB: number };
  const mb = m.maxRssKiB / 1024;
  console.log(`\nmemory: 200 × 50 MB buffers reduced pairwise to one number (${m.tasks} tasks, threads) in ${m.s.toFixed(1)} s: ` +
    `peak RSS ${mb.toFixed(0)} MiB (limit 1024 MiB; 10,000 MB if kept) ${mb < 1024 ? "OK" : "NOT MET"}; ` +
    `at most ${m.peakResultsHeld} results (${(m.peakResultBytes / 1e6).toFixed(0)} MB) held between tasks`);
  if (mb >= 1024) process.exitCode = 1;
}

if (args.includes("--memory-child")) {
  await memoryChild();
} else {
  if (!args.includes("--memory-only")) await overhead();
  await shutdownPools();
  if (!args.includes("--overhead-only")) await memory();
}
