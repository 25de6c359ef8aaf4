/**
 * MANY groupby at a small size, for profiling: `npx tsx bench/_many-groups.ts [rows] [keys] [splitOut] [sync|threads]`
 * (same data as bench/shuffle.ts MANY). Prints time, groups and the sum fingerprint; with
 * WARM=1 a tiny groupby runs first, so the threads' start-up (module loading) is not timed.
 */
import { tableFromArrays } from "apache-arrow";
import * as tk from "../src/index.js";

const [rows, keys, splitOut] = [Number(process.argv[2] ?? 2e6), Number(process.argv[3] ?? 5e5), Number(process.argv[4] ?? 1)];
const scheduler = (process.argv[5] ?? "sync") as "sync" | "threads";
tk.config.set({ progress: false, scheduler });
const k = new Int32Array(rows);
const v = new Float64Array(rows);
for (let i = 0; i < rows; i++) { k[i] = (i * 7919) % keys; v[i] = (i % 1000) / 10; }
const df = tk.fromArrow(tableFromArrays({ k, v }), { npartitions: 40 });
if (process.env.WARM === "1") await tk.fromArrow(tableFromArrays({ k: k.slice(0, 1000), v: v.slice(0, 1000) }), { npartitions: 4 }).groupby(["k"]).agg({ v: "sum" }, { splitOut }).toArrow();
const t0 = performance.now();
const out = await df.groupby(["k"]).agg({ v: "sum" }, { splitOut }).toArrow();
const s = (performance.now() - t0) / 1000;
const sums = out.getChild("v_sum")!.toArray() as Float64Array;
console.log(JSON.stringify({ rows, keys, splitOut, scheduler, warm: process.env.WARM === "1", s: Math.round(s * 100) / 100, groups: out.numRows, sum_v: Math.round(sums.reduce((a, b) => a + b, 0)), rss_mib: Math.round(process.resourceUsage().maxRSS / 1024) }));
await tk.shutdown();
