/**
 * `npm run bench -- dataframe [--rows 2000000] [--workloads W1,W2,W5] [--peers tusk,dask,danfo]
 *   [--baseline DIR]
 *   [--reps 1] [--big 20000000] [--blocksize SIZE] [--source | --dist]`
 *
 * The dataframe workloads of issue 3 on tusk, Dask (threaded scheduler, Debian's
 * /usr/bin/python3) and danfojs-node, on the same files in the same run. Each cell is a
 * fresh child process under `/usr/bin/time -v` (wall time, CPU time and peak RSS); the
 * peers of one workload run interleaved (tusk, dask, tusk, dask, …) so that load from
 * elsewhere on a shared machine hits both alike; inside, each
 * prints `RESULT {work_s, result}` (work = read + compute; imports and starting
 * tusk's thread pool are setup). Results are cross-checked against Dask's.
 *
 * - W1 taxi: groupby(vendor).agg({ fare: "mean", tip: "sum", id: "count" })
 * - W2 taxi: filter trip_distance > 5 && passenger_count >= 2, then count and mean(tip)
 * - W5 flights (vega-datasets' flights-3m.parquet, and a CSV made from it):
 *   groupby(origin) mean(delay) and count, top 10 by count
 * - with `--big N`: W1 on N rows with tusk (threads, memoryLimit 1GB) and Dask.
 *
 * Data goes to data/ (git-ignored) and is generated when missing. tusk runs from the
 * compiled build (dist/) when it is newer than src/ (`npm run build`), else from source
 * through tsx (slower start-up: every thread transpiles the TypeScript); `--source` forces
 * the sources, `--dist` the build even when older than src/.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const rows = Number(opt("--rows", "2000000"));
const workloads = opt("--workloads", "W1,W2,W5").split(",");
/**
 * `--baseline DIR`: also run peer "tusk-base", the df_tusk.ts of another checkout of tusk
 * in DIR (e.g. `git archive <commit> | tar -x -C DIR`, node_modules linked, `npm run
 * build` there), exactly as that checkout ran it: before/after figures in one run.
 */
const baseline = opt("--baseline", "");
const peers = opt("--peers", "tusk,dask,danfo").split(",").flatMap((p) => (p === "tusk" && baseline ? ["tusk", "tusk-base"] : [p]));
const reps = Number(opt("--reps", "1"));
const big = Number(opt("--big", "0"));
const blocksize = opt("--blocksize", "auto"); // "auto": readCSV's default
const nthreads = availableParallelism();

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
/** Use the compiled build when it is at least as new as the sources (`npm run build` first). */
const useDist = !args.includes("--source") && existsSync(join(root, "dist", "index.js")) &&
  (args.includes("--dist") || statSync(join(root, "dist", "index.js")).mtimeMs >= newest(join(root, "src")));
const dataDir = join(root, "data");
mkdirSync(dataDir, { recursive: true });

interface Cell { workload: string; data: string; peer: string; work_s?: number; best_work_s?: number; work_cpu_s?: number; wall_s?: number; cpu_s?: number; peak_mib?: number; result?: unknown; error?: string; extra?: unknown }
const cells: Cell[] = [];

function run(peer: string, cmd: string[], env: Record<string, string> = {}, timeoutS = 900): Omit<Cell, "workload" | "data" | "peer"> {
  const r = spawnSync("/usr/bin/time", ["-v", ...cmd], {
    cwd: root, encoding: "utf8", timeout: timeoutS * 1000, maxBuffer: 64 << 20,
    env: { ...process.env, TUSK_BENCH_NTHREADS: String(nthreads), TUSK_BENCH_DIST: useDist ? "1" : "0", ...env },
  });
  const err = r.stderr ?? "";
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const user = /User time \(seconds\): ([\d.]+)/.exec(err);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(err);
  const cpu_s = user && sys ? Number(user[1]) + Number(sys[1]) : undefined;
  const wall_s = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : undefined;
  const peak_mib = rss ? Number(rss[1]) / 1024 : undefined;
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("RESULT "));
  if (r.error || r.status !== 0 || !line) {
    const why = r.error ? String(r.error.message) : `exit ${r.status}: ${err.split("\n").filter((l) => l.trim() && !/^\s+(Command|User|System|Percent|Elapsed|Average|Maximum|Major|Minor|Voluntary|Involuntary|Swaps|File|Socket|Signals|Page|Exit)/.test(l)).slice(-3).join(" | ")}`;
    return { wall_s, peak_mib, error: `${peer} failed: ${why}` };
  }
  const parsed = JSON.parse(line.slice(7)) as { work_s: number; work_cpu_s?: number; result: unknown; stats?: unknown };
  return { work_s: parsed.work_s, work_cpu_s: parsed.work_cpu_s, wall_s, cpu_s, peak_mib, result: parsed.result, extra: parsed.stats };
}

/**
 * How to start the tusk peer: from the build, plain `node` on df_tusk.ts transpiled to
 * JavaScript (as users run tusk: no TypeScript loader hooks on every import, which cost
 * ~0.3 s of start-up and were counted in tusk's wall time); from the sources, through tsx.
 */
function tuskPeer(): string[] {
  if (!useDist) return ["--import", "tsx", "bench/peers/df_tusk.ts"];
  const source = readFileSync(join(root, "bench", "peers", "df_tusk.ts"), "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
    .replaceAll(`"../../dist"`, JSON.stringify(pathToFileURL(join(root, "dist")).href));
  const dir = join(tmpdir(), `tusk-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "df_tusk.mjs"), js);
  return [join(dir, "df_tusk.mjs")];
}
const tuskScript = peers.includes("tusk") ? tuskPeer() : [];

function command(peer: string, wl: string, file: string, extra: string[] = []): string[] {
  switch (peer) {
    case "tusk": return [process.execPath, ...tuskScript, wl, file, ...(blocksize === "auto" ? [] : ["--blocksize", blocksize]), ...extra];
    case "tusk-base": return [process.execPath, "--import", "tsx", join(baseline, "bench", "peers", "df_tusk.ts"), wl, file, ...(blocksize === "auto" ? [] : ["--blocksize", blocksize]), ...extra];
    case "dask": return ["/usr/bin/python3", "bench/peers/df_py.py", "dask-threads", wl, file];
    case "pandas": return ["/usr/bin/python3", "bench/peers/df_py.py", "pandas", wl, file];
    case "danfo": return [process.execPath, "--max-old-space-size=12288", "bench/peers/df_danfo.cjs", wl, file];
  }
  throw new Error(`unknown peer ${peer}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function measure(workload: string, data: string, peer: string, cmd: string[], times = reps): Cell {
  return record(workload, data, peer, Array.from({ length: times }, () => run(peer, cmd)));
}

function record(workload: string, data: string, peer: string, runs: Array<Omit<Cell, "workload" | "data" | "peer">>): Cell {
  const ok = runs.filter((r) => !r.error);
  const cell: Cell = ok.length === 0
    ? { workload, data, peer, ...runs[0]! }
    : { workload, data, peer, work_s: median(ok.map((r) => r.work_s!)), best_work_s: Math.min(...ok.map((r) => r.work_s!)), wall_s: median(ok.map((r) => r.wall_s!)), cpu_s: median(ok.map((r) => r.cpu_s ?? NaN)), work_cpu_s: median(ok.map((r) => r.work_cpu_s ?? NaN)), peak_mib: Math.max(...ok.map((r) => r.peak_mib ?? 0)), result: ok[0]!.result, extra: ok[0]!.extra };
  cells.push(cell);
  const fmt = cell.error ? cell.error : `work ${cell.work_s!.toFixed(2)} s (best ${cell.best_work_s!.toFixed(2)}, cpu ${cell.work_cpu_s?.toFixed(2)}) · wall ${cell.wall_s?.toFixed(2)} s (cpu ${cell.cpu_s?.toFixed(1)}) · peak ${cell.peak_mib?.toFixed(0)} MiB`;
  console.log(`  ${workload.padEnd(3)} ${data.padEnd(16)} ${peer.padEnd(10)} ${fmt}`);
  return cell;
}

/** Runs the peers' repetitions round-robin, then records one cell per peer. */
function measureInterleaved(workload: string, data: string, list: ReadonlyArray<readonly [string, string[], number]>): Cell[] {
  const runs = new Map<string, Array<Omit<Cell, "workload" | "data" | "peer">>>(list.map(([p]) => [p, []]));
  const most = Math.max(...list.map(([, , n]) => n));
  for (let k = 0; k < most; k++) for (const [p, cmd, n] of list) if (k < n) runs.get(p)!.push(run(p, cmd));
  return list.map(([p]) => record(workload, data, p, runs.get(p)!));
}

/** Results agree when every number is within 1e-9 relative (or 1e-6 absolute) and everything else is equal. */
function agree(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= Math.max(1e-6, 1e-9 * Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => agree(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return agree(ka, kb) && ka.every((k) => agree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

async function ensureTaxi(n: number): Promise<string> {
  const file = join(dataDir, `taxi_${n}.csv`);
  const marker = `${file}.rows`;
  if (existsSync(file) && existsSync(marker) && readFileSync(marker, "utf8").trim() === String(n)) return file;
  const { writeSampleTaxiCsv } = await import("../src/dataframe/io/sample-taxi.js");
  const t0 = performance.now();
  await writeSampleTaxiCsv(file, n);
  writeFileSync(marker, `${n}\n`);
  console.log(`generated ${file}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return file;
}

function flightsParquet(): string | undefined {
  const p = join(root, "node_modules", "vega-datasets", "data", "flights-3m.parquet");
  return existsSync(p) ? p : undefined;
}

/** flights-3m.parquet → one CSV (date, delay, distance, origin, destination), written with tusk itself. */
async function ensureFlightsCsv(parquet: string): Promise<string> {
  const file = join(dataDir, "flights_3m.csv");
  if (existsSync(file)) return file;
  const tk = await import("../src/index.js");
  const parts = join(dataDir, "flights_3m_parts");
  const df = await tk.readParquet(parquet);
  const paths = await tk.toCSV(df, parts, { progress: false });
  writeFileSync(file, "");
  paths.forEach((p, i) => {
    const text = readFileSync(p, "utf8");
    appendFileSync(file, i === 0 ? text : text.slice(text.indexOf("\n") + 1));
  });
  rmSync(parts, { recursive: true, force: true });
  await tk.shutdown();
  console.log(`generated ${file}: ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`);
  return file;
}

console.log(`dataframe benchmark: ${rows} taxi rows, ${nthreads} threads (Dask threaded with ${nthreads} workers), reps ${reps}, tusk blocksize ${blocksize}, tusk from ${useDist ? "dist/ (compiled)" : "src/ through tsx (run npm run build for the compiled build)"}`);
const taxi = await ensureTaxi(rows);
const groups: Array<{ workload: string; data: string; file: string; peers: string[] }> = [];
for (const wl of workloads) {
  if (wl === "W5") {
    const pq = flightsParquet();
    if (!pq) { console.log("  W5  skipped: vega-datasets not installed (npm install vega-datasets@3.2.1 provides data/flights-3m.parquet)"); continue; }
    const csv = await ensureFlightsCsv(pq);
    groups.push({ workload: "W5", data: "flights_3m.csv", file: csv, peers });
    if (peers.includes("tusk")) groups.push({ workload: "W5", data: "flights-3m.parquet", file: pq, peers: peers.filter((p) => p.startsWith("tusk")) });
  } else groups.push({ workload: wl, data: `taxi_${rows}.csv`, file: taxi, peers });
}
if (peers.some((p) => !p.startsWith("tusk")) && groups.some((g) => g.data.endsWith(".parquet"))) {
  console.log("  (Dask and danfo cannot read Parquet here: Debian 12 has no pyarrow/fastparquet, danfo has no Parquet reader)");
}
for (const g of groups) {
  const measured = measureInterleaved(g.workload, g.data, g.peers.map((p) => [p, command(p, g.workload, g.file), p === "danfo" ? 1 : reps] as const));
  const t = measured.find((c) => c.peer === "tusk");
  const ref = measured.find((c) => c.peer === "dask" && !c.error) ?? cells.find((c) => c.workload === g.workload && c.peer === "dask" && !c.error);
  for (const c of measured) {
    if (c === ref || c.error || !ref) continue;
    if (!agree(c.result, ref.result)) console.log(`  ⚠ ${c.peer} result differs from dask on ${g.workload}: ${JSON.stringify(c.result)} vs ${JSON.stringify(ref.result)}`);
  }
  if (t && !t.error) {
    for (const other of measured.filter((c) => c !== t && !c.error)) {
      console.log(`  ${g.workload} tusk vs ${other.peer}: ${(other.work_s! / t.work_s!).toFixed(1)}× faster (median work; best ${(other.best_work_s! / t.best_work_s!).toFixed(1)}×), ${(other.work_cpu_s! / t.work_cpu_s!).toFixed(1)}× less CPU in work, ${(other.wall_s! / t.wall_s!).toFixed(1)}× (wall), peak ${t.peak_mib!.toFixed(0)} vs ${other.peak_mib!.toFixed(0)} MiB`);
    }
  }
}

if (big > 0) {
  const file = await ensureTaxi(big);
  console.log(`W1 on ${big} rows (${(statSync(file).size / 1e9).toFixed(2)} GB): tusk threads with memoryLimit 1GB, and Dask threaded`);
  const t = measure("W1", `taxi_${big}.csv`, "tusk", command("tusk", "W1", file, ["--memory-limit", "1GB"]), 1);
  if (peers.includes("dask")) {
    const d = measure("W1", `taxi_${big}.csv`, "dask", command("dask", "W1", file), 1);
    if (!t.error && !d.error && !agree(t.result, d.result)) console.log(`  ⚠ tusk result differs from dask: ${JSON.stringify(t.result)} vs ${JSON.stringify(d.result)}`);
  }
  if (!t.error) console.log(`  tusk peak RSS ${t.peak_mib!.toFixed(0)} MiB (${t.peak_mib! < 1.5 * 1024 ? "under" : "OVER"} the 1.5 GiB bound); executor stats ${JSON.stringify(t.extra)}`);
}

const outDir = join(root, "bench", "results");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, `dataframe-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(out, JSON.stringify({ rows, nthreads, reps, blocksize, cells }, null, 2));
console.log(`raw results: ${out}`);
