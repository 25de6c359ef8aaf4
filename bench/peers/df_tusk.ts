/**
 * Dataframe workloads W1, W2, W5 for tusk, in the peers' protocol:
 *   node --import tsx bench/peers/df_tusk.ts WORKLOAD FILE [--memory-limit 1GB] [--blocksize 16MB] [--nthreads N] [--scheduler threads|sync]
 * Prints one line `RESULT {"work_s", "setup_s", "result", "stats"}` with the same result
 * fingerprint as df_py.py / df_danfo.cjs. `setup_s` is module load plus starting the
 * thread pool (a trivial delayed compute), like the peers' imports; `work_s` is
 * readCSV/readParquet + compute. FILE may be .csv or .parquet. With TUSK_BENCH_DIST=1 it
 * runs the compiled build in dist/ (as users do) instead of the TypeScript sources.
 */
const tImport = performance.now();
// TUSK_BENCH_DIST=1: the compiled build (worker threads then load .js, not TypeScript through tsx).
const base = process.env.TUSK_BENCH_DIST === "1" ? "../../dist" : "../../src";
const tk = (await import(`${base}/index.js`)) as typeof import("../../src/index.js");
const { lastThreadsRunStats } = (await import(`${base}/graph/local/execute-threads.js`)) as typeof import("../../src/graph/local/execute-threads.js");

const [wl, path, ...rest] = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
const memoryLimit = opt("--memory-limit");
const blocksize = opt("--blocksize"); // default: readCSV's (64 MB, or two blocks per core for small files)
const nthreads = opt("--nthreads");
const scheduler = (opt("--scheduler") ?? "threads") as "threads" | "sync";
tk.config.set({ scheduler, progress: false, ...(memoryLimit ? { memoryLimit } : {}), ...(nthreads ? { nthreads: Number(nthreads) } : {}) });
// Start the pool and load the op modules in every thread (the peers' imports).
const { warmPool } = (await import(`${base}/graph/local/pool.js`)) as typeof import("../../src/graph/local/pool.js");
const { opModules } = (await import(`${base}/graph/ops.js`)) as typeof import("../../src/graph/ops.js");
if (scheduler === "threads") await warmPool(tk.config.get().nthreads, opModules());
// compute() returns danfo frames: load danfo here (as the danfo peer does), the way compute() loads it
await ((await import(`${base}/dataframe/danfo.js`)) as typeof import("../../src/dataframe/danfo.js")).loadDanfo();
const setup = performance.now();

const r = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
const read = (cols: string[]) => (path!.endsWith(".parquet") ? tk.readParquet(path!, { columns: cols }) : tk.readCSV(path!, { blocksize, usecols: undefined }));

const W: Record<string, () => Promise<unknown>> = {
  async W1() {
    const df = await read(["vendor", "fare", "tip", "id"]);
    const g = await df.groupby(["vendor"]).agg({ fare: "mean", tip: "sum", id: "count" }).compute();
    const rows = g.values as unknown[][];
    const cols = g.columns as string[];
    const at = (name: string) => cols.indexOf(name);
    const out: Record<string, [number, number, number]> = {};
    for (const row of rows) out[String(row[at("vendor")])] = [r(Number(row[at("fare_mean")]), 6), r(Number(row[at("tip_sum")]), 2), Number(row[at("id_count")])];
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  },
  async W2() {
    const df = await read(["trip_distance", "passenger_count", "tip"]);
    const f = df.query(df.column("trip_distance").gt(5).and(df.column("passenger_count").ge(2)));
    const [n, m] = await tk.compute(f.length, f.column("tip").mean());
    return { count: n, mean_tip: r(m as number, 6) };
  },
  async W5() {
    const df = await read(["origin", "delay"]);
    const g = await df.groupby(["origin"]).agg({ delay: ["mean", "count"] }).compute();
    const cols = g.columns as string[];
    const at = (name: string) => cols.indexOf(name);
    const rows = (g.values as unknown[][]).map((row) => [String(row[at("origin")]), Number(row[at("delay_count")]), r(Number(row[at("delay_mean")]), 4)] as [string, number, number]);
    rows.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return rows.slice(0, 10);
  },
};

const t0 = performance.now();
const c0 = process.cpuUsage();
const result = await W[wl!]!();
const workS = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const stats = lastThreadsRunStats();
console.log("RESULT " + JSON.stringify({
  work_s: workS, work_cpu_s: (cpu.user + cpu.system) / 1e6, setup_s: (setup - tImport) / 1000, result,
  stats: stats ? { peakResultMB: r(stats.peakResultBytes / 1e6, 1), spilled: stats.spilled, batches: stats.batches } : undefined,
  maxrss_mib: r(process.resourceUsage().maxRSS / 1024, 1),
}));
await tk.shutdown();
