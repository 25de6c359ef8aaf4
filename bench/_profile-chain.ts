/** Ad-hoc: µs per task of a chain of N trivial tasks, fused or not (for profiling with --cpu-prof). */
import { TUSK } from "../src/graph/collection.js";
import { computeOne } from "../src/graph/compute.js";
import { LayeredGraph, layer } from "../src/graph/graph.js";
import { makeKey, makeName } from "../src/graph/key.js";
import { shutdownPools } from "../src/graph/local/pool.js";
import { lit, ref, task, type Task } from "../src/graph/task.js";
import "./_scheduler-ops.js";

const sched = process.argv[2] as "sync" | "threads";
const n = Number(process.argv[3] ?? 10000);
const optimize = process.argv[4] !== "unfused";
function make(): never {
  const name = makeName("chain", n, Math.random());
  const tasks: Task[] = [task(makeKey(name, 0), "bench.inc", lit(0))];
  for (let i = 1; i < n; i++) tasks.push(task(makeKey(name, i), "bench.inc", ref(tasks[i - 1]!.key)));
  const spec = { graph: new LayeredGraph([layer(name, tasks)]), keys: [tasks[n - 1]!.key], finalize: (v: unknown[]) => v[0], rebuild: () => { throw new Error("no"); } };
  return { [TUSK]: () => spec } as never;
}
for (let r = 0; r < 4; r++) {
  const c = make();
  const t0 = performance.now();
  await computeOne(c, { scheduler: sched, progress: false, optimize });
  console.log(sched, n, optimize ? "fused" : "unfused", (((performance.now() - t0) * 1000) / n).toFixed(2), "us/task");
}
await shutdownPools();
