/** Ad-hoc: µs per task of N independent trivial tasks on one scheduler (for profiling with --cpu-prof). */
import { TUSK } from "../src/graph/collection.js";
import { computeOne } from "../src/graph/compute.js";
import { LayeredGraph, layer } from "../src/graph/graph.js";
import { makeKey, makeName } from "../src/graph/key.js";
import { shutdownPools } from "../src/graph/local/pool.js";
import { lit, task } from "../src/graph/task.js";
import "./_scheduler-ops.js";

const sched = process.argv[2] as "sync" | "threads";
const n = Number(process.argv[3] ?? 100000);
function make(): never {
  const name = makeName("flat", n, Math.random());
  const tasks = Array.from({ length: n }, (_, i) => task(makeKey(name, i), "bench.inc", lit(i)));
  const keys = tasks.map((t) => t.key);
  const spec = { graph: new LayeredGraph([layer(name, tasks)]), keys, finalize: (v: unknown[]) => v.length, rebuild: () => { throw new Error("no"); } };
  return { [TUSK]: () => spec } as never;
}
await computeOne(make(), { scheduler: sched, progress: false });
for (let r = 0; r < 3; r++) {
  const c = make();
  const t0 = performance.now();
  await computeOne(c, { scheduler: sched, progress: false });
  console.log(sched, n, (((performance.now() - t0) * 1000) / n).toFixed(2), "us/task");
}
await shutdownPools();
