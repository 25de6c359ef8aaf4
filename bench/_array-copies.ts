/**
 * How array blocks travel between the main thread and the worker threads (skipped by the
 * bench runner: run `npx tsx bench/_array-copies.ts [A1|A2|A3|F] [n] [chunk]`): runs one
 * workload in this process on the threads scheduler and prints its time, the peak RSS,
 * and `lastThreadsRunStats()` (inputs moved / copied / shared, results put in shared memory).
 *   A1 x.sum()   A2 x.mean(0)   A3 (x + x.T).mean()   F (x + x.T + x * 2).mean()  (x: n×n float64 uniform)
 */
import * as tk from "../src/index.js";
import { lastThreadsRunStats } from "../src/graph/local/execute-threads.js";

const [workload = "A3", nArg, chunkArg] = process.argv.slice(2);
const n = Number(nArg ?? 10000);
const chunks = Number(chunkArg ?? 2000);
const x = tk.array.random.uniform([n, n], { chunks, seed: 0 });
const r = workload === "A1" ? x.sum()
  : workload === "A2" ? x.mean(0)
  : workload === "A3" ? x.add(x.T).mean()
  : x.add(x.T).add(x.mul(2)).mean();
const t0 = performance.now();
const v = await r.toTypedArray({ progress: false, scheduler: "threads" });
const s = (performance.now() - t0) / 1000;
let sum = 0;
for (let i = 0; i < v.length; i++) sum += v[i]!;
const stats = lastThreadsRunStats();
console.log("RESULT " + JSON.stringify({
  workload, n, chunks, s: Math.round(s * 100) / 100, peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  check: Math.round((sum / v.length) * 1000) / 1000, ...stats, spillDirectory: undefined,
}));
await tk.shutdown();
