/**
 * `npm run bench -- shuffle [--rows 2000000] [--only W3,W4,LL,IDX,SORT,MANY] [--peers dask-threads] [--memory 1GB] [--many-rows N] [--many-keys N]`
 *
 * Shuffle workloads on the taxi CSV (bench/gen-taxi.ts, in data/), each in a fresh
 * process, wall time of read + compute and peak RSS (`process.resourceUsage().maxRSS`
 * of the child: main thread and worker threads share it):
 * - W3: top 100 rows by fare (`nLargest`, no full sort);
 * - W4: inner join with the 5-row vendor lookup (broadcast), then groupby(payment) sum(fare);
 * - LL: large-large join: the file (id, fare) with its rows where id % 4 == 0 (id, tip),
 *   on id (hash shuffle of both sides), then count and sum(fare) of the result;
 * - IDX: the LL join on a sorted index instead: `setIndex("id", { sorted: true })` (the
 *   file is in id order), `computeDivisions()` (one pass over the id column), then both
 *   sides derived from the indexed frame join partition by partition (no shuffle);
 * - SORT: full `sortValues("fare")` written to Parquet, with `memoryLimit` (default 1GB);
 * - MANY: groupby sum with many groups, in memory (not the CSV): `--many-rows` (default
 *   20M) rows over `--many-keys` (default 5M) distinct int keys (each key on rows far
 *   apart, so in several partitions), 40 partitions; tusk with `splitOut: 1` (tree
 *   reduction into one task) and `splitOut: 8` (hash shuffle of the partials), Dask
 *   (threaded, 2 workers, `split_out` 1 and 8) on the same values; results as Arrow
 *   (no danfo frame of millions of rows), fingerprinted by group count and sum.
 * Peers, measured in the same run with /usr/bin/time -v: Dask (threaded scheduler, 2
 * workers) with /work/shared/peers/bench/df_py.py for W3 and W4, and the script below
 * for LL (task shuffle merge) and SORT (Debian has no pyarrow, so Dask's sort is
 * computed to partition lengths, not written to Parquet: it does less work than tusk). danfojs-node needs
 * ~35-40 s per read of the 2M file and timed out on W3 in /work/shared/peers/RESULTS.md:
 * add `--peers danfo` to run its W4 on the 2M file here.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tableFromArrays } from "apache-arrow";
import * as tk from "../src/index.js";

const args = process.argv.slice(2);
const opt = (name: string, fallback?: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const LOOKUP = "data/vendor_lookup.csv";

interface Result { work_s: number; rss_mib: number; result: unknown; extra?: Record<string, unknown> }

/** The MANY workload's data: key (i * 7919) % keys, value (i % 1000) / 10. */
function manyData(rows: number, keys: number): { k: Int32Array; v: Float64Array } {
  const k = new Int32Array(rows);
  const v = new Float64Array(rows);
  for (let i = 0; i < rows; i++) { k[i] = (i * 7919) % keys; v[i] = (i % 1000) / 10; }
  return { k, v };
}

async function manyChild(rows: number, keys: number, splitOut: number): Promise<void> {
  tk.config.set({ progress: false });
  const { k, v } = manyData(rows, keys);
  const df = tk.fromArrow(tableFromArrays({ k, v }), { npartitions: 40 });
  const t0 = performance.now();
  const out = await df.groupby(["k"]).agg({ v: "sum" }, { splitOut }).toArrow();
  const work_s = (performance.now() - t0) / 1000;
  const sums = out.getChild("v_sum")!.toArray() as Float64Array;
  const result = { groups: out.numRows, sum_v: Math.round(sums.reduce((a, b) => a + b, 0)) };
  await tk.shutdown();
  console.log("RESULT " + JSON.stringify({ work_s, rss_mib: Math.round(process.resourceUsage().maxRSS / 1024), result, extra: { partitions: out.batches.length } }));
}

const DASK_MANY = `
import json, sys, time
import numpy as np, pandas as pd, dask, dask.dataframe as dd
dask.config.set(scheduler="threads", num_workers=2)
rows, keys, split_out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
i = np.arange(rows, dtype=np.int64)
ddf = dd.from_pandas(pd.DataFrame({"k": ((i * 7919) % keys).astype(np.int32), "v": (i % 1000) / 10}), npartitions=40)
del i
t0 = time.perf_counter()
g = ddf.groupby("k").agg({"v": "sum"}, split_out=split_out)
n, s = dask.compute(g.shape[0], g.v.sum())
print("RESULT " + json.dumps({"work_s": time.perf_counter() - t0, "result": {"groups": int(n), "sum_v": round(float(s))}}), flush=True)
`;

function runMany(engine: "tusk" | "dask", rows: number, keys: number, splitOut: number): Result | string {
  const t0 = performance.now();
  const cmd = engine === "tusk"
    ? [process.execPath, "--import", "tsx", fileURLToPath(import.meta.url), "--many-child", String(rows), String(keys), String(splitOut)]
    : ["/usr/bin/python3", "-c", DASK_MANY, String(rows), String(keys), String(splitOut)];
  const r = spawnSync("/usr/bin/time", ["-v", ...cmd], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const res = parseResult(r.stdout);
  if (!res) return `failed (exit ${r.status}): ${(r.stderr || r.stdout).split("\n").slice(-6).join(" | ")}`;
  return { work_s: res.work_s as number, rss_mib: timeRss(r.stderr) ?? -1, result: res.result, extra: { ...(res.extra as object), wall_s: Math.round((performance.now() - t0) / 100) / 10 } };
}

async function child(workload: string, csv: string, memory: string): Promise<void> {
  tk.config.set({ progress: false });
  const t0 = performance.now();
  let result: unknown;
  const extra: Record<string, unknown> = {};
  const df = await tk.readCSV(csv);
  if (workload === "W3") {
    const top = await df.nLargest(100, "fare").compute();
    const fares = top.column("fare").values as number[];
    result = { n: fares.length, max_fare: Math.max(...fares), min_fare: Math.min(...fares), sum_fare: Math.round(fares.reduce((a, b) => a + b, 0) * 100) / 100 };
  } else if (workload === "W4") {
    const lookup = await tk.readCSV(LOOKUP);
    const joined = tk.merge({ left: df, right: lookup, on: ["vendor"], how: "inner" });
    const g = await joined.groupby(["payment"]).agg({ fare: "sum" }).compute();
    const keys = g.column("payment").values as string[];
    const sums = g.column("fare_sum").values as number[];
    result = Object.fromEntries(keys.map((k, i) => [k, Math.round(sums[i]! * 100) / 100]).sort());
  } else if (workload === "LL") {
    const left = df.loc({ columns: ["id", "fare"] });
    const right = df.query(df.column("id").mod(4).eq(0)).loc({ columns: ["id", "tip"] });
    const j = tk.merge({ left, right, on: ["id"], how: "inner", broadcast: false });
    tk.config.set({ memoryLimit: memory });
    const [n, s] = await tk.compute(j.length, j.column("fare").sum());
    result = { rows: n, sum_fare: Math.round((s as number) * 100) / 100 };
  } else if (workload === "IDX") {
    tk.config.set({ memoryLimit: memory });
    const indexed = await df.loc({ columns: ["id", "fare", "tip"] }).setIndex("id", { sorted: true }).computeDivisions();
    const left = indexed.loc({ columns: ["id", "fare"] });
    const right = indexed.query(indexed.column("id").mod(4).eq(0)).loc({ columns: ["id", "tip"] });
    const j = tk.merge({ left, right, on: ["id"], how: "inner" });
    const [n, s] = await tk.compute(j.length, j.column("fare").sum());
    result = { rows: n, sum_fare: Math.round((s as number) * 100) / 100 };
  } else if (workload === "SORT") {
    const out = "data/sorted-fare/";
    rmSync(out, { recursive: true, force: true });
    tk.config.set({ memoryLimit: memory });
    const files = await tk.toParquet(df.sortValues("fare"), out);
    const check = await tk.readParquet(`${out}*.parquet`);
    const [n, first] = await Promise.all([check.length.compute(), check.head(1)]);
    result = { files: files.length, rows: n, min_fare: (first.column("fare").values as number[])[0] };
    extra.parquet_mib = Math.round(readdirSync(out).reduce((a, f) => a + statSync(out + f).size, 0) / 2 ** 20);
    rmSync(out, { recursive: true, force: true });
  } else {
    throw new Error(`unknown workload ${workload}`);
  }
  const work_s = (performance.now() - t0) / 1000;
  const rss_mib = Math.round(process.resourceUsage().maxRSS / 1024);
  // This process's staging and spill folders (their names carry the pid) still on disk.
  const left = readdirSync(tk.config.get().localDirectory).filter((f) => (f.startsWith("tusk-shuffle-") || f.startsWith("tusk-spill-")) && f.includes(`-${process.pid}-`));
  extra.staging_left = left.length;
  await tk.shutdown();
  console.log("RESULT " + JSON.stringify({ work_s, rss_mib, result, extra }));
}

function parseResult(stdout: string): Record<string, unknown> | undefined {
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  return line ? JSON.parse(line.slice(7)) as Record<string, unknown> : undefined;
}

function timeRss(stderr: string): number | undefined {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return m ? Math.round(Number(m[1]) / 1024) : undefined;
}

function runTusk(workload: string, csv: string, memory: string): Result | string {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ["--import", "tsx", self, "--child", workload, csv, memory], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const res = parseResult(r.stdout);
  if (!res) return `failed (exit ${r.status}): ${(r.stderr || r.stdout).split("\n").slice(-6).join(" | ")}`;
  return res as unknown as Result;
}

function runDask(peer: string, workload: string, csv: string): Result | string {
  const script = "/work/shared/peers/bench/df_py.py";
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", "/usr/bin/python3", script, peer, workload, csv, LOOKUP], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const res = parseResult(r.stdout);
  if (!res) return `failed (exit ${r.status}): ${r.stderr.split("\n").slice(-4).join(" | ")}`;
  return { work_s: res.work_s as number, rss_mib: timeRss(r.stderr) ?? -1, result: res.result, extra: { wall_s: (performance.now() - t0) / 1000 } };
}

/** Dask (threaded, 2 workers) for LL, IDX and SORT: the same work, results fingerprinted alike. */
const DASK_SHUFFLE = fileURLToPath(new URL("./peers/dask_shuffle.py", import.meta.url));

function runDaskShuffle(workload: string, csv: string): Result | string {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", "/usr/bin/python3", DASK_SHUFFLE, workload, csv, "threads"], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  const res = parseResult(r.stdout);
  if (!res) return `failed (exit ${r.status}): ${r.stderr.split("\n").slice(-4).join(" | ")}`;
  return { work_s: res.work_s as number, rss_mib: timeRss(r.stderr) ?? -1, result: res.result, extra: { wall_s: (performance.now() - t0) / 1000 } };
}

function runDanfoW4(csv: string): Result | string {
  const code = `
    const dfd = require("danfojs-node");
    (async () => {
      const t0 = performance.now();
      const df = await dfd.readCSV(${JSON.stringify(csv)});
      const lk = await dfd.readCSV(${JSON.stringify(LOOKUP)});
      const j = dfd.merge({ left: df, right: lk, on: ["vendor"], how: "inner" });
      const g = j.groupby(["payment"]).agg({ fare: "sum" });
      const keys = g.column("payment").values, sums = g.column("fare_sum").values;
      const result = Object.fromEntries(keys.map((k, i) => [k, Math.round(sums[i] * 100) / 100]).sort());
      console.log("RESULT " + JSON.stringify({ work_s: (performance.now() - t0) / 1000, result }));
    })();`;
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, "--max-old-space-size=12288", "-e", code], { encoding: "utf8", maxBuffer: 64 * 2 ** 20, timeout: 600_000 });
  const res = parseResult(r.stdout);
  if (!res) return `failed (exit ${r.status}): ${r.stderr.split("\n").slice(-4).join(" | ")}`;
  return { work_s: res.work_s as number, rss_mib: timeRss(r.stderr) ?? -1, result: res.result };
}

function show(name: string, r: Result | string): void {
  if (typeof r === "string") return void console.log(`  ${name.padEnd(14)} ${r}`);
  console.log(`  ${name.padEnd(14)} ${r.work_s.toFixed(2).padStart(7)} s  ${String(r.rss_mib).padStart(6)} MiB peak RSS  ${JSON.stringify(r.result)}${r.extra ? "  " + JSON.stringify(r.extra) : ""}`);
}

async function main(): Promise<void> {
  if (args[0] === "--child") return child(args[1]!, args[2]!, args[3]!);
  if (args[0] === "--many-child") return manyChild(Number(args[1]), Number(args[2]), Number(args[3]));
  const only = (opt("--only", "W3,W4,LL,IDX,SORT,MANY") ?? "").split(",");
  const peers = (opt("--peers", "dask-threads") ?? "").split(",").filter(Boolean);
  if (only.includes("MANY")) {
    const mrows = Number(opt("--many-rows", "20000000"));
    const mkeys = Number(opt("--many-keys", "5000000"));
    console.log(`MANY: groupby(k).agg({ v: "sum" }) of ${mrows.toLocaleString()} in-memory rows, ${mkeys.toLocaleString()} groups, 40 partitions (peak RSS includes the input, ~${Math.round((mrows * 12) / 2 ** 20)} MiB of columns):`);
    for (const splitOut of [1, 8]) {
      show(`tusk split${splitOut}`, runMany("tusk", mrows, mkeys, splitOut));
      if (peers.includes("dask-threads")) show(`dask split${splitOut}`, runMany("dask", mrows, mkeys, splitOut));
    }
    if (only.length === 1) return;
  }
  const rows = Number(opt("--rows", "2000000"));
  const csv = `data/taxi_${rows}.csv`;
  if (!existsSync(csv)) {
    console.error(`${csv} is missing: npm run bench -- gen-taxi --rows ${rows}`);
    process.exit(1);
  }
  mkdirSync("data", { recursive: true });
  writeFileSync(LOOKUP, "vendor,vendor_name,fee_rate\nCMT,Creative Mobile,0.05\nVTS,VeriFone,0.04\nDDS,Digital Dispatch,0.06\nNYC,NYC Cabs,0.03\nXYZ,XYZ Transit,0.07\n");
  const memory = opt("--memory", "1GB")!;
  console.log(`shuffle bench: ${csv} (${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB), memoryLimit ${memory} for LL and SORT, 2 threads`);
  for (const w of only.filter((x) => x !== "MANY")) {
    console.log(`${w}:`);
    show("tusk", runTusk(w, csv, memory));
    if (w === "W3" || w === "W4") for (const p of peers) if (p.startsWith("dask") || p === "pandas") show(p, runDask(p, w, csv));
    if ((w === "LL" || w === "IDX" || w === "SORT") && peers.includes("dask-threads")) show("dask-threads", runDaskShuffle(w, csv));
    if (w === "W4" && peers.includes("danfo")) show("danfo", runDanfoW4(csv));
  }
}

await main();
