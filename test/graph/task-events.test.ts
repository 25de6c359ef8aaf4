import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import { TaskError } from "../../src/errors.js";
import { TUSK } from "../../src/graph/collection.js";
import { computeOne, prepareGraph } from "../../src/graph/compute.js";
import { keyPrefix, makeKey, makeName, type Key } from "../../src/graph/key.js";
import { getPool, shutdownPools } from "../../src/graph/local/pool.js";
import { addTaskEventListener, hasTaskEventListeners, type TaskEvent } from "../../src/graph/task-events.js";
import { lit, ref, task, type Task } from "../../src/graph/task.js";
import { rawCollection } from "./_collection.js";
import "./_ops.js";

afterAll(() => shutdownPools());

let unsubscribe: (() => void) | undefined;
afterEach(() => {
  unsubscribe?.();
  unsubscribe = undefined;
});

/** Records every event delivered while subscribed. */
function listen(): TaskEvent[] {
  const events: TaskEvent[] = [];
  unsubscribe = addTaskEventListener((batch) => events.push(...batch));
  return events;
}

/**
 * n leaves (Float64Array of `length`) added pairwise to one root: 2n-1 tasks in
 * groups "leaf" and "add"; nothing fuses (every add reads two inputs).
 */
function tree(n: number, length = 16): { tasks: Task[]; root: Key; sum: number } {
  const leaf = makeName("leaf", n, Math.random());
  const tasks = Array.from({ length: n }, (_, i) => task(makeKey(leaf, i), "test.leaf", lit(i), lit(length)));
  let level = tasks.map((t) => t.key);
  for (let d = 0; level.length > 1; d++) {
    const name = makeName("add", n, d, leaf);
    const next: Key[] = [];
    for (let j = 0; j + 1 < level.length; j += 2) {
      const t = task(makeKey(name, j / 2), "test.add", ref(level[j]!), ref(level[j + 1]!));
      tasks.push(t);
      next.push(t.key);
    }
    if (level.length % 2) next.push(level[level.length - 1]!);
    level = next;
  }
  let sum = 0; // brute force: sum over the leaves of their first element
  for (let i = 0; i < n; i++) sum += i * 1.5;
  return { tasks, root: level[0]!, sum };
}

describe.each(["sync", "threads"] as const)("task events on %s", (scheduler) => {
  test("every task of the graph gets exactly one event, with its group, a worker and its times", async () => {
    const events = listen();
    const { tasks, root, sum } = tree(300);
    const c = rawCollection(tasks, [root]);
    const { graph } = prepareGraph([c[TUSK]()]);
    const before = performance.timeOrigin + performance.now();
    const [out] = (await computeOne(c, { scheduler, nthreads: 2, progress: false })) as Float64Array[];
    const after = performance.timeOrigin + performance.now();
    expect(out![0]).toBe(sum);

    const seen = events.map((e) => e.key).sort();
    expect(seen).toEqual([...graph.keys()].sort()); // one each, no extra
    expect(graph.size).toBe(599);
    for (const e of events) {
      expect(e.status).toBe("ok");
      expect(e.group).toBe(keyPrefix(e.key));
      expect(["leaf", "add"]).toContain(e.group);
      expect(e.startMs).toBeLessThanOrEqual(e.stopMs);
      // 1 ms slack: thread clocks (timeOrigin + now) agree to within rounding, not exactly.
      expect(e.startMs).toBeGreaterThanOrEqual(before - 1);
      expect(e.stopMs).toBeLessThanOrEqual(after + 1);
      expect(e.worker).toMatch(scheduler === "sync" ? /^main$/ : /^thread-\d+$/);
      expect(e.nbytes).toBe(16 * 8); // a Float64Array of 16
    }
  });

  test("events arrive in batches, never synchronously, all before compute resolves", async () => {
    const events: TaskEvent[] = [];
    let batches = 0;
    let inside = true;
    let synchronous = false;
    unsubscribe = addTaskEventListener((batch) => {
      if (inside) synchronous = true;
      batches++;
      events.push(...batch);
    });
    const n = 2000;
    const name = makeName("inc", n, Math.random());
    const tasks = Array.from({ length: n }, (_, i) => task(makeKey(name, i), "test.inc", lit(i)));
    const running = computeOne(rawCollection(tasks, tasks.map((t) => t.key)), { scheduler, nthreads: 2, progress: false });
    inside = false;
    await running;
    expect(synchronous).toBe(false);
    expect(events.length).toBe(n);
    expect(batches).toBeLessThan(n / 10);
    expect(events.every((e) => e.nbytes === 8)).toBe(true);
  });

  test("a failing task gets status error; tasks before it ok", async () => {
    const events = listen();
    const bad = makeKey(makeName("boom", Math.random()));
    const name = makeName("ok", Math.random());
    const good = task(makeKey(name, 0), "test.leaf", lit(1), lit(4));
    const tasks = [good, task(bad, "test.failWith", ref(good.key), lit("no luck"))];
    await expect(computeOne(rawCollection(tasks, [bad]), { scheduler, nthreads: 2, progress: false, optimize: false })).rejects.toBeInstanceOf(TaskError);
    await new Promise((r) => setImmediate(r));
    expect(events.map((e) => [e.key, e.status])).toEqual([[good.key, "ok"], [bad, "error"]]);
    const failed = events[1]!;
    expect(failed.group).toBe("boom");
    expect(failed.nbytes).toBeUndefined();
    expect(failed.startMs).toBeLessThanOrEqual(failed.stopMs);
  });
});

describe("without listeners", () => {
  test("compute passes no event sink and the threads are not asked to time tasks", async () => {
    expect(hasTaskEventListeners()).toBe(false);
    const pool = getPool(2);
    const run = vi.spyOn(pool, "run");
    try {
      const { tasks, root } = tree(40);
      await computeOne(rawCollection(tasks, [root]), { scheduler: "threads", nthreads: 2, progress: false });
      expect(run.mock.calls.length).toBeGreaterThan(0);
      for (const [message] of run.mock.calls) expect(message.timing).toBeUndefined();
      const listened = listen();
      run.mockClear();
      const again = tree(40);
      await computeOne(rawCollection(again.tasks, [again.root]), { scheduler: "threads", nthreads: 2, progress: false });
      expect(run.mock.calls.every(([message]) => message.timing === true)).toBe(true);
      expect(listened.length).toBe(79);
    } finally {
      run.mockRestore();
    }
  });

  test("the sync executor reads no clock per task", async () => {
    const now = vi.spyOn(performance, "now");
    try {
      const { tasks, root } = tree(500);
      await computeOne(rawCollection(tasks, [root]), { scheduler: "sync", progress: false });
      expect(now.mock.calls.length).toBeLessThan(50); // 999 tasks: 2 reads each if recorded
    } finally {
      now.mockRestore();
    }
  });
});
