import { afterAll, describe, expect, test } from "vitest";
import { computeOne } from "../../src/graph/compute.js";
import { lastSyncRunStats } from "../../src/graph/execute-sync.js";
import { makeKey, makeName, type Key } from "../../src/graph/key.js";
import { lastThreadsRunStats } from "../../src/graph/local/execute-threads.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { order } from "../../src/graph/order.js";
import { lit, list, ref, task, type Task } from "../../src/graph/task.js";
import { rawCollection } from "./_collection.js";
import "./_ops.js";

afterAll(() => shutdownPools());

const k = (s: string): Key => s as Key;
const graphOf = (tasks: Task[]): Map<Key, Task> => new Map(tasks.map((t) => [t.key, t]));
const byPriority = (p: Map<Key, number>): string[] => [...p].sort((a, b) => a[1] - b[1]).map(([key]) => key);

describe("order", () => {
  test("finishes a branch before opening the next one", () => {
    //   a1   a2   b1   b2        leaves
    //    \   /     \   /
    //     sa        sb           partial sums
    //       \      /
    //        total
    const g = graphOf([
      task(k("a1"), "test.inc", lit(1)), task(k("a2"), "test.inc", lit(2)),
      task(k("b1"), "test.inc", lit(3)), task(k("b2"), "test.inc", lit(4)),
      task(k("sa"), "test.sum", list([ref(k("a1")), ref(k("a2"))])),
      task(k("sb"), "test.sum", list([ref(k("b1")), ref(k("b2"))])),
      task(k("total"), "test.sum", list([ref(k("sa")), ref(k("sb"))])),
    ]);
    expect(byPriority(order(g, [k("total")]))).toEqual(["a1", "a2", "sa", "b1", "b2", "sb", "total"]);
  });

  test("visits the smaller subtree of a task first", () => {
    //  x1 -> x2 -> x3 ─┐
    //                  join
    //            y1 ───┘
    const g = graphOf([
      task(k("x1"), "test.inc", lit(0)), task(k("x2"), "test.inc", ref(k("x1"))), task(k("x3"), "test.inc", ref(k("x2"))),
      task(k("y1"), "test.inc", lit(0)),
      task(k("join"), "test.sum", list([ref(k("x3")), ref(k("y1"))])),
    ]);
    expect(byPriority(order(g, [k("join")]))).toEqual(["y1", "x1", "x2", "x3", "join"]);
  });

  test("gives every task a distinct priority, dependencies first, also for tasks no output needs", () => {
    //  a -> b (output)     c (not needed by any output)
    const g = graphOf([task(k("a"), "test.inc", lit(0)), task(k("b"), "test.inc", ref(k("a"))), task(k("c"), "test.inc", lit(0))]);
    const p = order(g, [k("b")]);
    expect(byPriority(p)).toEqual(["a", "b", "c"]);
  });

  test("ties break by graph order (chunk 0 before chunk 10), not by key text", () => {
    const name = makeName("chunks");
    const tasks = Array.from({ length: 12 }, (_, i) => task(makeKey(name, i), "test.inc", lit(i)));
    const p = order(graphOf(tasks), tasks.map((t) => t.key));
    expect(byPriority(p)).toEqual(tasks.map((t) => t.key));
  });

  test("a chain of 100,000 tasks does not overflow the stack", () => {
    const tasks: Task[] = [task(k("c0"), "test.inc", lit(0))];
    for (let i = 1; i < 100_000; i++) tasks.push(task(k(`c${i}`), "test.inc", ref(k(`c${i - 1}`))));
    const p = order(graphOf(tasks), [k("c99999")]);
    expect(p.get(k("c0"))).toBe(0);
    expect(p.get(k("c99999"))).toBe(99_999);
  });
});

/**
 * 1,000 independent chains, each a buffer made, copied and copied again (32 kB each),
 * reduced pairwise by a tree to one buffer and then to one number:
 *
 *   bytes#0   bytes#1   bytes#2   bytes#3   …   bytes#999
 *     |         |         |         |              |
 *   copy1#0   copy1#1   copy1#2   copy1#3   …   copy1#999
 *     |         |         |         |              |
 *   copy2#0   copy2#1   copy2#2   copy2#3   …   copy2#999
 *        \     /             \     /
 *        max-0#0             max-0#1         …   (500)
 *              \            /
 *               max-1#0             …            (250)
 *                   …  (10 levels)
 *                      root -> firstBytes -> one number
 *
 * Held at once, all 3,000 buffers (96 MB) would be kept without ordering + release;
 * with them the executors hold O(threads + tree depth) results. The threads bound:
 * 2 batches in flight per thread, and each in-flight batch runs a contiguous range of
 * priorities, at whose edges up to one partial result per tree level waits for its
 * sibling: 2 × 2 × nthreads + 2 × log2(N) (28 for 2 threads; measured 12-23 here).
 */
function chainsAndTree(nchains: number, bytes: number): { tasks: Task[]; out: Key } {
  const tasks: Task[] = [];
  const nb = makeName("bytes", nchains, bytes), c1 = makeName("copy1", nchains, bytes), c2 = makeName("copy2", nchains, bytes);
  let level: Key[] = [];
  for (let i = 0; i < nchains; i++) {
    tasks.push(task(makeKey(nb, i), "test.bytes", lit(i % 250), lit(bytes)));
    tasks.push(task(makeKey(c1, i), "test.copyBytes", ref(makeKey(nb, i))));
    tasks.push(task(makeKey(c2, i), "test.copyBytes", ref(makeKey(c1, i))));
    level.push(makeKey(c2, i));
  }
  for (let d = 0; level.length > 1; d++) {
    const name = makeName(`max-${d}`, nchains, bytes);
    const next: Key[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      const t = task(makeKey(name, j / 2), "test.maxBytes", ref(level[j]!), ref(level[j + 1]!));
      tasks.push(t);
      next.push(t.key);
    }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  const out = makeKey(makeName("first", nchains, bytes));
  tasks.push(task(out, "test.firstBytes", list([ref(level[0]!)])));
  return { tasks, out };
}

describe("ordering + release bound memory on wide graphs", () => {
  const nchains = 1000;
  const depth = Math.ceil(Math.log2(nchains));
  for (const optimize of [true, false]) {
    test(`threads hold at most 4 × nthreads + 2 × log2(1000) results (${optimize ? "fused" : "unfused"})`, async () => {
      const { tasks, out } = chainsAndTree(nchains, 32 * 1024);
      const nthreads = 2;
      const [value] = await computeOne(rawCollection(tasks, [out]), { scheduler: "threads", nthreads, progress: false, optimize });
      expect(value).toBe(249);
      const stats = lastThreadsRunStats()!;
      expect(stats.peakResultsHeld).toBeLessThanOrEqual(4 * nthreads + 2 * depth);
      expect(stats.peakResultBytes).toBeLessThanOrEqual((4 * nthreads + 2 * depth) * 32 * 1024);
    });
  }

  test("sync holds at most log2(1000) + 2 results", async () => {
    const { tasks, out } = chainsAndTree(nchains, 32 * 1024);
    const [value] = await computeOne(rawCollection(tasks, [out]), { scheduler: "sync", progress: false, optimize: false });
    expect(value).toBe(249);
    expect(lastSyncRunStats()!.peakResultsHeld).toBeLessThanOrEqual(depth + 2);
  });
});
