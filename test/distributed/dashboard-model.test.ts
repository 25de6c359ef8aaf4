import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { GroupTracker, TaskStream, buildGraph, buildSnapshot, layoutLayers, workerRow, type GroupRow } from "../../src/distributed/dashboard/model.js";
import type { SchedulerEvent } from "../../src/distributed/scheduler/types.js";
import { keyPrefix, makeKey, type Key } from "../../src/graph/key.js";
import { lit, ref, task, type Task } from "../../src/graph/task.js";
import { Sim } from "./sim.js";

/** A graph in layers of groups: each task reads 0-2 tasks of earlier layers. */
function layeredGraph(seed: number, layers: readonly string[], width: number): Task[] {
  let x = seed >>> 0 || 1;
  const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
  const tasks: Task[] = [];
  layers.forEach((prefix, l) => {
    for (let i = 0; i < width; i++) {
      const deps = new Set<Key>();
      if (l > 0) for (let j = Math.floor(rnd() * 3); j > 0; j--) deps.add(tasks[Math.floor(rnd() * tasks.length)]!.key);
      tasks.push(task(makeKey(`${prefix}-${seed.toString(16).padStart(8, "0")}`, i), "sim.add", lit(1), ...[...deps].map(ref)));
    }
  });
  return tasks;
}

/** Live tasks per group and state, counted the obvious way. */
function bruteCounts(sim: Sim): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const ts of sim.s.tasks.values()) {
    const g = keyPrefix(ts.key);
    const c = out.get(g) ?? {};
    c[ts.state] = (c[ts.state] ?? 0) + 1;
    out.set(g, c);
  }
  return out;
}

/** Feeds the tracker the way the scheduler's server does: accepted finishes, then a scan. */
function track(sim: Sim, groups: GroupTracker): { finished: Map<string, number> } {
  const finished = new Map<string, number>();
  const handle = sim.s.handle.bind(sim.s);
  sim.s.handle = (e: SchedulerEvent) => {
    if (e.type === "task-finished" || e.type === "task-erred") {
      const ts = sim.s.tasks.get(e.key);
      if (ts && ts.state === "processing" && ts.processingOn?.id === e.worker) {
        groups.finished(keyPrefix(e.key), e.type === "task-finished" ? "ok" : "error");
        if (e.type === "task-finished") finished.set(keyPrefix(e.key), (finished.get(keyPrefix(e.key)) ?? 0) + 1);
      }
    }
    return handle(e);
  };
  return { finished };
}

const byName = (rows: GroupRow[]): Map<string, GroupRow> => new Map(rows.map((r) => [r.name, r]));

describe("task stream", () => {

  test("keeps the newest `capacity` entries and returns those after a sequence number, like filtering the full list", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 70 }), fc.integer({ min: 1, max: 30 }), (capacity, n, since, limit) => {
      const stream = new TaskStream(capacity);
      const all = Array.from({ length: n }, (_, i) => ({ key: makeKey("t", i), group: "t", worker: `w${i % 3}`, startMs: i, stopMs: i + 1, status: "ok" as const }));
      for (const e of all) stream.push(e);
      const kept = all.map((e, i) => ({ ...e, seq: i + 1 })).slice(Math.max(0, n - capacity));
      const expected = kept.filter((e) => e.seq > since).slice(-Math.min(limit, capacity));
      expect(stream.since(since, limit)).toEqual(expected.length === 0 ? [] : expected);
      expect(stream.lastSeq).toBe(n);
    }), { numRuns: 200 });
  });

  test("refuses a capacity that is not a positive integer", () => {
    expect(() => new TaskStream(0)).toThrow(/positive integer, got 0/);
  });
});

describe("progress per task group", () => {
  test("while a graph runs, each bar's total is its group's size and `done` counts accepted finishes; afterwards bars are complete", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 3 }), (seed, width, nworkers) => {
      const sim = new Sim();
      for (let i = 0; i < nworkers; i++) sim.addWorker(1 + (i % 2));
      const groups = new GroupTracker();
      const { finished } = track(sim, groups);
      const tasks = layeredGraph(seed, ["load", "clean", "agg"], width);
      const wanted = tasks.slice(-width).map((t) => t.key);
      sim.submit("c", tasks, wanted);
      // What the wanted keys need (the rest was dropped at once): every one of them runs.
      const size = new Map<string, number>();
      for (const key of sim.s.tasks.keys()) size.set(keyPrefix(key), (size.get(keyPrefix(key)) ?? 0) + 1);
      let now = 0;
      for (let guard = 0; guard < 10_000; guard++) {
        groups.observe(sim.s.tasks.values(), ++now);
        const rows = byName(groups.rows());
        const brute = bruteCounts(sim);
        for (const [g, n] of size) {
          const row = rows.get(g)!;
          const c = brute.get(g) ?? {};
          expect({ processing: row.processing, queued: row.queued, waiting: row.waiting, memory: row.memory, erred: row.erred })
            .toEqual({ processing: c.processing ?? 0, queued: c.queued ?? 0, waiting: c.waiting ?? 0, memory: c.memory ?? 0, erred: c.erred ?? 0 });
          expect(row.done).toBe(finished.get(g) ?? 0);
          // Tasks nobody needs any more were forgotten: the bar still counts them as done.
          expect(row.total).toBe(n);
        }
        let any = false;
        for (const id of [...sim.workers.keys()]) any = sim.step(id, guard) || any;
        if (!any) break;
      }
      sim.release("c", wanted);
      groups.observe(sim.s.tasks.values(), ++now);
      for (const [g, n] of size) expect(byName(groups.rows()).get(g)).toMatchObject({ total: n, done: n, complete: true });
      // The same graph again is a new computation: fresh bars from zero.
      sim.submit("c", tasks, wanted);
      groups.observe(sim.s.tasks.values(), ++now);
      for (const [g, n] of size) {
        const row = byName(groups.rows()).get(g)!;
        expect(row).toMatchObject({ total: n, complete: false });
        expect(row.done).toBe(0);
      }
    }), { numRuns: 40 });
  });

  test("a task that raises shows as erred in its bar, and its dependents too", () => {
    const sim = new Sim();
    sim.addWorker(2);
    const groups = new GroupTracker();
    track(sim, groups);
    const a = task(makeKey("load-00000001", 0), "sim.add", lit(1));
    const b = task(makeKey("load-00000001", 1), "sim.add", lit(2));
    const c = task(makeKey("sum-00000002"), "sim.add", lit(0), ref(a.key), ref(b.key));
    sim.fail.add(a.key);
    sim.submit("c", [a, b, c], [c.key]);
    sim.step("w0", 1); // b finishes first, then a raises
    sim.drain();
    groups.observe(sim.s.tasks.values(), 1);
    const rows = byName(groups.rows());
    expect(rows.get("load")).toMatchObject({ total: 2, done: 1, erred: 1 });
    expect(rows.get("sum")).toMatchObject({ total: 1, done: 0, erred: 1 });
  });

  test("keeps only the most recent finished groups", () => {
    const groups = new GroupTracker({ keepComplete: 3 });
    for (let i = 0; i < 10; i++) {
      groups.finished(`g${i}`, "ok");
      groups.observe([], i);
    }
    expect(groups.rows().map((r) => r.name)).toEqual(["g7", "g8", "g9"]);
  });
});

describe("graph layout", () => {
  /** Longest path from a root, by dynamic programming over a topological order. */
  function longestPath(ids: string[], deps: Map<string, string[]>): Map<string, number> {
    const depth = new Map<string, number>();
    const visit = (id: string): number => {
      const got = depth.get(id);
      if (got !== undefined) return got;
      const d = Math.max(-1, ...(deps.get(id) ?? []).map(visit)) + 1;
      depth.set(id, d);
      return d;
    };
    for (const id of ids) visit(id);
    return depth;
  }

  test("a node sits one layer after its deepest dependency; each layer's slots are 0..n-1", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 30 }), (n, seed) => {
      let x = seed;
      const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const deps = new Map(ids.map((id, i) => [id, i === 0 ? [] : [...new Set(Array.from({ length: Math.floor(rnd() * 3) }, () => ids[Math.floor(rnd() * i)]!))]]));
      const shuffled = [...ids].sort(() => rnd() - 0.5);
      const { x: col, y: row, layers, breadth } = layoutLayers(shuffled, deps);
      const expected = longestPath(ids, deps);
      for (const id of ids) expect(col.get(id)).toBe(expected.get(id));
      expect(layers).toBe(Math.max(...expected.values()) + 1);
      const perLayer = new Map<number, number[]>();
      for (const id of ids) perLayer.set(col.get(id)!, [...(perLayer.get(col.get(id)!) ?? []), row.get(id)!]);
      for (const slots of perLayer.values()) expect([...slots].sort((a, b) => a - b)).toEqual(slots.map((_, i) => i));
      expect(breadth).toBe(Math.max(...[...perLayer.values()].map((s) => s.length)));
    }), { numRuns: 100 });
  });

  test("cycles between groups (and self-edges) do not hang and every node is placed", () => {
    const deps = new Map([["a", ["c", "a"]], ["b", ["a"]], ["c", ["b"]], ["d", ["c"]]]);
    const { x } = layoutLayers(["a", "b", "c", "d"], deps);
    expect([...x.keys()].sort()).toEqual(["a", "b", "c", "d"]);
    expect(x.get("d")).toBeGreaterThan(x.get("c")!);
  });

  test("small graphs are drawn task by task, large ones by group with the group-to-group edges", () => {
    const sim = new Sim();
    sim.addWorker(1);
    const groups = new GroupTracker();
    const tasks = layeredGraph(7, ["load", "clean", "agg"], 30);
    sim.submit("c", tasks, tasks.slice(-30).map((t) => t.key));
    groups.observe(sim.s.tasks.values(), 1);
    const small = buildGraph(sim.s.tasks.values(), groups, 1000);
    expect(small.level).toBe("task");
    expect(small.nodes.length).toBe(sim.s.tasks.size);
    const edgeCount = [...sim.s.tasks.values()].reduce((n, ts) => n + ts.dependencies.size, 0);
    expect(small.edges.length).toBe(edgeCount);
    for (const [a, b] of small.edges) expect(small.nodes[a]!.x).toBeLessThan(small.nodes[b]!.x);

    const big = buildGraph(sim.s.tasks.values(), groups, 10);
    expect(big.level).toBe("group");
    expect(big.nodes.map((n) => n.id).sort()).toEqual(["agg", "clean", "load"]);
    const pairs = new Set<string>();
    for (const ts of sim.s.tasks.values()) for (const d of ts.dependencies) if (keyPrefix(d.key) !== keyPrefix(ts.key)) pairs.add(`${keyPrefix(d.key)}>${keyPrefix(ts.key)}`);
    expect(new Set(big.edges.map(([a, b]) => `${big.nodes[a]!.id}>${big.nodes[b]!.id}`))).toEqual(pairs);
  });
});

describe("workers and the snapshot", () => {
  test("a worker's memory splits into managed, unmanaged (rss − managed) and spilled; without a heartbeat the scheduler's bytes are used", () => {
    const sim = new Sim();
    const id = sim.addWorker(2);
    const ws = sim.s.workers.get(id)!;
    ws.nbytes = 1234;
    expect(workerRow(ws, { rss: 10_000, managed: 3000, spilled: 500, cpu: 150, executing: 2, atMs: 100 }, 350))
      .toMatchObject({ rss: 10_000, managed: 3000, unmanaged: 7000, spilled: 500, cpu: 150, executing: 2, heartbeatAgeMs: 250 });
    expect(workerRow(ws, { rss: 100, managed: 3000, spilled: 0, cpu: 0, executing: 0, atMs: 0 }, 0).unmanaged).toBe(0);
    expect(workerRow(ws, undefined, 0)).toMatchObject({ managed: 1234, rss: 0, unmanaged: 0, heartbeatAgeMs: -1 });
  });

  test("the snapshot counts live tasks by state and carries the stream after `since`", () => {
    const sim = new Sim();
    const id = sim.addWorker(1);
    const tasks = layeredGraph(3, ["load", "agg"], 5);
    sim.submit("c", tasks, tasks.slice(-5).map((t) => t.key));
    sim.step(id);
    const stream = new TaskStream(100);
    for (let i = 0; i < 4; i++) stream.push({ key: makeKey("load-1", i), group: "load", worker: id, startMs: i, stopMs: i + 1, status: "ok" });
    const snap = buildSnapshot({
      state: sim.s, metrics: new Map(), stream, groups: new GroupTracker(), address: "ws://x", clients: 1, since: 2, now: 5,
    });
    const brute: Record<string, number> = {};
    for (const ts of sim.s.tasks.values()) brute[ts.state] = (brute[ts.state] ?? 0) + 1;
    expect(snap.scheduler.tasks).toEqual(brute);
    expect(snap.stream.entries.map((e) => e.seq)).toEqual([3, 4]);
    expect(snap.workers.map((w) => w.id)).toEqual([id]);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});
