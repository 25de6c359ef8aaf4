/**
 * Random DAGs give identical results under `sync` and `threads`, fused and unfused
 * (cull, fusion and ordering change how a graph runs, never what it computes).
 */
import { fc, test } from "@fast-check/vitest";
import { afterAll, describe, expect } from "vitest";
import { compute } from "../../src/graph/compute.js";
import { makeKey, makeName, type Key } from "../../src/graph/key.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { lit, list, ref, task, type Task } from "../../src/graph/task.js";
import { rawCollection } from "./_collection.js";
import "./_ops.js";

afterAll(() => shutdownPools());

interface NodeSpec { op: "leaf" | "add" | "scale" | "concat" | "asyncAdd"; deps: number[]; seed: number }

/** Node i reads 1-3 earlier nodes (or none: a leaf). Ops: leaf, add, scale (one input), concat, async add. */
const dagArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(
    fc.array(
      fc.record({
        op: fc.constantFrom("leaf", "add", "scale", "scale", "concat", "asyncAdd") as fc.Arbitrary<NodeSpec["op"]>,
        picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        seed: fc.integer({ min: -5, max: 5 }),
      }),
      { minLength: n, maxLength: n },
    ),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  ).map(([nodes, outs]) => {
    const specs: NodeSpec[] = nodes.map((nd, i) => {
      if (i === 0 || nd.op === "leaf") return { op: "leaf", deps: [], seed: nd.seed };
      const deps = [...new Set(nd.picks.map((p) => p % i))];
      return { op: nd.op, deps: nd.op === "scale" ? deps.slice(0, 1) : deps, seed: nd.seed };
    });
    return { specs, outputs: [...new Set(outs.map((o) => o % n))] };
  }),
);

function build(specs: NodeSpec[], salt: number): { tasks: Task[]; keys: Key[] } {
  const name = makeName("dag", salt);
  const key = (i: number): Key => makeKey(name, i);
  const tasks = specs.map((s, i) => {
    const refs = s.deps.map((d) => ref(key(d)));
    switch (s.op) {
      case "leaf": return task(key(i), "test.leaf", lit(s.seed), lit(1 + Math.abs(s.seed) * 3));
      case "scale": return task(key(i), "test.scale", refs[0]!, lit(s.seed));
      case "concat": return task(key(i), "test.concat", list(refs));
      default: return task(key(i), `test.${s.op}`, ...refs);
    }
  });
  return { tasks, keys: specs.map((_, i) => key(i)) };
}

describe("random DAGs", () => {
  test.prop([dagArb], { numRuns: 25 })("same values on sync and threads, fused and unfused", async ({ specs, outputs }) => {
    const { tasks, keys } = build(specs, specs.length);
    const wanted = outputs.map((o) => keys[o]!);
    const run = async (scheduler: "sync" | "threads", optimize: boolean): Promise<unknown> => {
      const [values] = await compute(rawCollection(tasks, wanted), { scheduler, optimize, progress: false, nthreads: 2 });
      return (values as Float64Array[]).map((v) => Array.from(v));
    };
    const reference = await run("sync", false);
    expect(await run("sync", true)).toEqual(reference);
    expect(await run("threads", false)).toEqual(reference);
    expect(await run("threads", true)).toEqual(reference);
  });
});
