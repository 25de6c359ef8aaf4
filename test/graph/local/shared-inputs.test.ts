/**
 * A result read by several batches of the threads executor is copied at most once (into
 * shared memory) and every reader sees the same values as under `sync`; buffers that a
 * held value still views are never moved away (detached).
 */
import { fc, test } from "@fast-check/vitest";
import { afterAll, describe, expect } from "vitest";
import { compute } from "../../../src/graph/compute.js";
import { makeKey, makeName, type Key } from "../../../src/graph/key.js";
import { lastThreadsRunStats } from "../../../src/graph/local/execute-threads.js";
import { shutdownPools } from "../../../src/graph/local/pool.js";
import { lit, ref, task, type Task } from "../../../src/graph/task.js";
import { rawCollection } from "../_collection.js";
import "./_shared-ops.js";

afterAll(() => shutdownPools());

const run = async (tasks: Task[], wanted: Key[], scheduler: "sync" | "threads", nthreads = 2): Promise<unknown[]> => {
  const [values] = await compute(rawCollection(tasks, wanted), { scheduler, optimize: false, progress: false, nthreads });
  return (values as unknown[]).map((v) => (v instanceof Float64Array ? Array.from(v) : v));
};

describe("results read by several tasks on threads", () => {
  test("two aliased results of one batch (an op returns its input), each read by later tasks, stay intact", async () => {
    //   p ─► a ─► b = alias(a)           p: small root, run alone (the first batch of a run)
    //        │    │                      a, b: one batch (b joins as soon as a is in it);
    //        ▼    ▼                      both kept, viewing one buffer; g: a second root
    //   g ─► r1(a,g) r2(b,g) r3(a,b,g)   so that the readers cannot join a's batch
    const name = makeName("alias-batch", Math.random());
    const k = (i: number): Key => makeKey(name, i);
    const p = task(k(0), "shared.leaf", lit(1), lit(4));
    const a = task(k(1), "shared.mix", lit(2), ref(p.key));
    const b = task(k(2), "shared.alias", ref(a.key));
    const g = task(k(3), "shared.leaf", lit(5), lit(300_000));
    const r1 = task(k(4), "shared.summary", ref(a.key), ref(g.key));
    const r2 = task(k(5), "shared.summary", ref(b.key), ref(g.key));
    const r3 = task(k(6), "shared.summary", ref(a.key), ref(b.key), ref(g.key));
    const tasks = [p, a, b, g, r1, r2, r3];
    for (const wanted of [[r1.key, r2.key, r3.key], [a.key, b.key, r1.key, r2.key, r3.key]]) {
      const expected = await run(tasks, wanted, "sync");
      for (const nthreads of [1, 2]) expect(await run(tasks, wanted, "threads", nthreads)).toEqual(expected);
    }
  });

  test("a big block read by N tasks in different batches is copied into shared memory once, not once per reader", async () => {
    const name = makeName("fan-out", Math.random());
    const k = (i: number): Key => makeKey(name, i);
    const x = task(k(0), "shared.leaf", lit(3), lit(2 ** 20));
    const readers = Array.from({ length: 6 }, (_, i) => task(k(i + 1), "shared.mix", lit(i + 1), ref(x.key)));
    const sums = readers.map((r, i) => task(k(100 + i), "shared.summary", ref(r.key)));
    const tasks = [x, ...readers, ...sums];
    const wanted = sums.map((s) => s.key);
    const expected = await run(tasks, wanted, "sync");
    expect(await run(tasks, wanted, "threads")).toEqual(expected);
    const stats = lastThreadsRunStats()!;
    expect(stats.inputsCopied).toBe(0);
    // The readers ran in other batches than the block (else nothing crossed threads and
    // the test would pass with sharing switched off): one shared copy, views to readers.
    expect(stats.sharedResults).toBe(1);
    expect(stats.inputsShared).toBeGreaterThanOrEqual(2);
  });
});

interface NodeSpec { op: "leaf" | "alias" | "mix" | "summary"; deps: number[]; seed: number; length: number }

/** Node i reads 1-4 earlier nodes (or none: a leaf); fan-out comes from nodes picked by several later ones. */
const dagArb = fc.integer({ min: 2, max: 20 }).chain((n) =>
  fc.tuple(
    fc.array(
      fc.record({
        op: fc.constantFrom("leaf", "alias", "mix", "mix", "summary") as fc.Arbitrary<NodeSpec["op"]>,
        picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        seed: fc.integer({ min: -3, max: 3 }),
        length: fc.constantFrom(1, 7, 5000, 40_000),
      }),
      { minLength: n, maxLength: n },
    ),
    fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  ).map(([nodes, outs]) => {
    const specs: NodeSpec[] = nodes.map((nd, i) => {
      if (i === 0 || nd.op === "leaf") return { op: "leaf", deps: [], seed: nd.seed, length: nd.length };
      const deps = [...new Set(nd.picks.map((p) => p % i))];
      return { op: nd.op, deps: nd.op === "alias" ? deps.slice(0, 1) : deps, seed: nd.seed, length: nd.length };
    });
    return { specs, outputs: [...new Set(outs.map((o) => o % n))] };
  }),
);

function build(specs: NodeSpec[], salt: number): Task[] {
  const name = makeName("shared-dag", salt);
  const key = (i: number): Key => makeKey(name, i);
  return specs.map((s, i) => {
    const refs = s.deps.map((d) => ref(key(d)));
    switch (s.op) {
      case "leaf": return task(key(i), "shared.leaf", lit(s.seed), lit(s.length));
      case "alias": return task(key(i), "shared.alias", refs[0]!);
      case "mix": return task(key(i), "shared.mix", lit(s.seed), ...refs);
      default: return task(key(i), "shared.summary", ...refs);
    }
  });
}

describe("random DAGs with fan-out", () => {
  test.prop([dagArb, fc.constantFrom(1, 2, 3)], { numRuns: 12 })("same values on threads as on sync, at most one copy per shared result", async ({ specs, outputs }, nthreads) => {
    const tasks = build(specs, specs.length * 31 + outputs.length);
    const wanted = outputs.map((o) => tasks[o]!.key);
    const expected = await run(tasks, wanted, "sync");
    expect(await run(tasks, wanted, "threads", nthreads)).toEqual(expected);
    const stats = lastThreadsRunStats()!;
    // Readers per result; only a result read by several tasks is ever shared, once. A
    // wanted one keeps ordinary buffers, so its readers but the last may get a copy.
    const readers = new Map<number, number>();
    for (const s of specs) for (const d of s.deps) readers.set(d, (readers.get(d) ?? 0) + 1);
    const wantedSet = new Set(outputs);
    const sharable = [...readers].filter(([i, n]) => n > 1 && !wantedSet.has(i)).length;
    const copyable = [...readers].filter(([i]) => wantedSet.has(i)).reduce((s, [, n]) => s + n, 0);
    expect(stats.sharedResults).toBeLessThanOrEqual(sharable);
    expect(stats.inputsCopied).toBeLessThanOrEqual(copyable);
  }, 240_000);
});
