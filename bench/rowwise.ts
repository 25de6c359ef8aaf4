/**
 * `npm run bench -- rowwise [rows]`: the row-wise pipeline (filter → addColumn →
 * arithmetic → string op) on an in-memory frame, tusk (sync = one thread, and
 * threads) against danfojs-node doing the same calls on the same data in the same run.
 * Prints wall time per engine and the ratio.
 */
import * as dfd from "danfojs-node";
import { fromDanfo, fromArrow } from "../src/dataframe/index.js";
import { shutdownPools } from "../src/graph/local/pool.js";
import { tableFromArrays } from "apache-arrow";

const rows = Number(process.argv[2] ?? 200_000);
let seed = 1;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const fare = Float64Array.from({ length: rows }, () => Math.round(rand() * 6000) / 100);
const tip = Float64Array.from({ length: rows }, () => Math.round(rand() * 1000) / 100);
const passengers = Int32Array.from({ length: rows }, () => 1 + Math.floor(rand() * 5));
const vendors = ["CMT", "VTS", "DDS"];
const vendor = Array.from({ length: rows }, () => vendors[Math.floor(rand() * 3)]!);

/** Best of `repeat` runs (after one warm-up run when repeat > 1). */
async function time<T>(label: string, f: () => Promise<T>, repeat = 1): Promise<number> {
  if (repeat > 1) await f();
  let ms = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    await f();
    ms = Math.min(ms, performance.now() - t0);
  }
  console.log(`${label.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms`);
  return ms;
}

const table = tableFromArrays({ fare, tip, passengers, vendor });
const df = fromArrow(table, { npartitions: 8 });
const pipeline = (d: ReturnType<typeof fromArrow>) => {
  const q = d.query(d.column("fare").gt(10).and(d.column("passengers").ge(2)));
  return q.addColumn("total", q.column("fare").add(q.column("tip")).mul(1.1)).addColumn("v", q.column("vendor").str.toLowerCase());
};
console.log(`row-wise pipeline on ${rows.toLocaleString()} rows (filter, 2 arithmetic ops, a string op)`);
const sync = await time("tusk sync (1 thread), best of 3", () => pipeline(df).toArrow({ scheduler: "sync", progress: false }), 3);
const threads = await time("tusk threads, best of 3", () => pipeline(df).toArrow({ scheduler: "threads", progress: false }), 3);
const ddf = new dfd.DataFrame({ fare: [...fare], tip: [...tip], passengers: [...passengers], vendor });
const danfo = await time("danfojs-node (one run)", async () => {
  const q = ddf.query(ddf.column("fare").gt(10).and(ddf.column("passengers").ge(2)));
  q.addColumn("total", q.column("fare").add(q.column("tip")).mul(1.1), { inplace: true });
  q.addColumn("v", q.column("vendor").str.toLowerCase(), { inplace: true });
  return q;
});
console.log(`danfo / tusk sync: ${(danfo / sync).toFixed(1)}x   danfo / tusk threads: ${(danfo / threads).toFixed(1)}x`);
void fromDanfo;
await shutdownPools();
