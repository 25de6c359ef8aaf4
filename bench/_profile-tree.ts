/** Ad-hoc: µs per task of an N-leaf pairwise tree reduction (for profiling with --cpu-prof). */
import { TUSK } from "../src/graph/collection.js";
import { computeOne } from "../src/graph/compute.js";
import { LayeredGraph, layer } from "../src/graph/graph.js";
import { makeKey, makeName, type Key } from "../src/graph/key.js";
import { lastThreadsRunStats } from "../src/graph/local/execute-threads.js";
import { shutdownPools } from "../src/graph/local/pool.js";
import { lit, ref, task } from "../src/graph/task.js";
import "./_scheduler-ops.js";

const sched = process.argv[2] as "sync" | "threads";
const n = Number(process.argv[3] ?? 10000);
function make(): never {
  const salt = Math.random();
  const name = makeName("leaf", n, salt);
  const tasks = Array.from({ length: n }, (_, i) => task(makeKey(name, i), "bench.inc", lit(i)));
  let level: Key[] = tasks.map((t) => t.key);
  for (let d = 0; level.length > 1; d++) {
    const an = makeName("add", n, d, salt);
    const next: Key[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) { const t = task(makeKey(an, j / 2), "bench.add", ref(level[j]!), ref(level[j + 1]!)); tasks.push(t); next.push(t.key); }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  const spec = { graph: new LayeredGraph([layer(name, tasks)]), keys: level, finalize: (v: unknown[]) => v[0], rebuild: () => { throw new Error("no"); } };
  return { [TUSK]: () => spec } as never;
}
for (let r = 0; r < 4; r++) {
  const c = make();
  const t0 = performance.now();
  await computeOne(c, { scheduler: sched, progress: false });
  console.log(sched, n, (((performance.now() - t0) * 1000) / (2 * n - 1)).toFixed(2), "us/task", sched === "threads" ? JSON.stringify(lastThreadsRunStats()) : "");
}
await shutdownPools();
