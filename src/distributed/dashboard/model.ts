/**
 * What the dashboard shows, computed from the scheduler's state, the workers' heartbeats
 * and the task stream. Pure: no I/O, no clock (callers pass `now`), so tests drive it
 * with a real {@link SchedulerState} and check the figures against brute-force counts.
 *
 * - {@link TaskStream}: a bounded ring of finished tasks (key, group, worker, start,
 *   stop, status), read incrementally by sequence number.
 * - {@link GroupTracker}: progress per task group (the key's prefix). Live tasks are
 *   counted by state from a scan of the scheduler's tasks; tasks that finished and were
 *   since forgotten are remembered as a per-group `done` count. A group whose tasks are
 *   all gone is `complete`; when tasks of that group appear again they start a fresh bar.
 *   It also remembers which groups feed which (the graph drawn at group level).
 * - {@link buildSnapshot}: one JSON-able picture for the page, with the graph laid out
 *   in layers (task level for small graphs, group level otherwise).
 */
import { keyPrefix, type Key } from "../../graph/key.js";
import type { TaskEvent } from "../../graph/task-events.js";
import type { SchedulerTask, SchedulerWorker } from "../scheduler/types.js";

/** A finished task in the stream, numbered in arrival order (from 1). */
export interface StreamEntry extends TaskEvent {
  readonly seq: number;
}

/**
 * The last `capacity` finished tasks.
 * @example
 * const stream = new TaskStream(1000);
 * stream.push({ key, group: "inc", worker: "w1", startMs: 1, stopMs: 2, status: "ok" });
 * stream.since(0); // [{ seq: 1, key, … }]
 */
export class TaskStream {
  readonly capacity: number;
  readonly #ring: Array<StreamEntry | undefined>;
  #last = 0;

  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`TaskStream capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array<StreamEntry | undefined>(capacity);
  }

  /** Sequence number of the newest entry (0 when empty). */
  get lastSeq(): number {
    return this.#last;
  }

  push(event: TaskEvent): StreamEntry {
    const entry: StreamEntry = { ...event, seq: ++this.#last };
    this.#ring[entry.seq % this.capacity] = entry;
    return entry;
  }

  /** Entries newer than `seq`, oldest first: at most `limit`, the newest ones. */
  since(seq: number, limit = this.capacity): StreamEntry[] {
    const from = Math.max(seq, this.#last - Math.min(limit, this.capacity), 0) + 1;
    const out: StreamEntry[] = [];
    for (let s = from; s <= this.#last; s++) out.push(this.#ring[s % this.capacity]!);
    return out;
  }
}

/** Live task states a progress bar shows. */
export type GroupState = "waiting" | "queued" | "processing" | "memory" | "erred" | "released";

/** One progress bar. */
export interface GroupRow {
  readonly name: string;
  /** Tasks of this bar: done + erred + still to run. */
  readonly total: number;
  /** Finished successfully (in memory now, or already released). */
  readonly done: number;
  /** Live tasks by state. */
  readonly memory: number;
  readonly processing: number;
  readonly queued: number;
  readonly waiting: number;
  readonly erred: number;
  readonly released: number;
  /** Every task of the group is gone (finished and forgotten). */
  readonly complete: boolean;
}

interface GroupRecord {
  readonly name: string;
  readonly order: number;
  done: number;
  counts: Record<GroupState, number>;
  complete: boolean;
  completedAt: number;
  readonly deps: Set<string>;
}

const noCounts = (): Record<GroupState, number> => ({ waiting: 0, queued: 0, processing: 0, memory: 0, erred: 0, released: 0 });

/** Task group of a scheduler task, parsed once per task (recounts visit every task each time). */
const groupCache = new WeakMap<SchedulerTask, string>();
function groupOf(ts: SchedulerTask): string {
  let g = groupCache.get(ts);
  if (g === undefined) groupCache.set(ts, (g = keyPrefix(ts.key)));
  return g;
}

/**
 * Progress per task group.
 * @example
 * const groups = new GroupTracker();
 * groups.observe(state.tasks.values(), now);   // every second or so
 * groups.finished("inc", "ok");                 // on every task-finished
 * groups.rows();                                // [{ name: "inc", total, done, … }]
 */
export class GroupTracker {
  readonly #groups = new Map<string, GroupRecord>();
  readonly #keepComplete: number;
  #order = 0;

  /** `keepComplete`: finished groups still shown (the most recent ones). */
  constructor(options: { keepComplete?: number } = {}) {
    this.#keepComplete = options.keepComplete ?? 20;
  }

  #get(name: string): GroupRecord {
    let g = this.#groups.get(name);
    if (g && g.complete) {
      // Tasks of a finished group again: a new computation, a new bar.
      this.#groups.delete(name);
      g = undefined;
    }
    if (!g) {
      g = { name, order: this.#order++, done: 0, counts: noCounts(), complete: false, completedAt: 0, deps: new Set() };
      this.#groups.set(name, g);
    }
    return g;
  }

  /** A task of `group` finished (`ok`) or raised (`error`). */
  finished(group: string, status: "ok" | "error"): void {
    const g = this.#get(group);
    if (status === "ok") g.done++;
  }

  /** Recounts live tasks by state (one pass over the scheduler's tasks). */
  observe(tasks: Iterable<SchedulerTask>, now: number): void {
    const seen = new Map<string, Record<GroupState, number>>();
    const deps = new Map<string, Set<string>>();
    for (const ts of tasks) {
      if (ts.state === "forgotten") continue;
      const name = groupOf(ts);
      let c = seen.get(name);
      if (!c) { seen.set(name, (c = noCounts())); deps.set(name, new Set()); }
      c[ts.state]++;
      const d = deps.get(name)!;
      for (const dep of ts.dependencies) {
        const other = groupOf(dep);
        if (other !== name) d.add(other);
      }
    }
    for (const [name, counts] of seen) {
      const g = this.#get(name);
      g.counts = counts;
      for (const d of deps.get(name)!) g.deps.add(d);
    }
    for (const g of this.#groups.values()) {
      if (seen.has(g.name) || g.complete) continue;
      g.counts = noCounts();
      g.complete = true;
      g.completedAt = now;
    }
    const complete = [...this.#groups.values()].filter((g) => g.complete).sort((a, b) => b.completedAt - a.completedAt || b.order - a.order);
    for (const g of complete.slice(this.#keepComplete)) this.#groups.delete(g.name);
  }

  /** The bars, in the order groups appeared. */
  rows(): GroupRow[] {
    return [...this.#groups.values()].sort((a, b) => a.order - b.order).map((g) => {
      const c = g.counts;
      const done = Math.max(g.done, c.memory);
      return {
        name: g.name, total: done + c.erred + c.processing + c.queued + c.waiting, done,
        memory: c.memory, processing: c.processing, queued: c.queued, waiting: c.waiting, erred: c.erred, released: c.released,
        complete: g.complete,
      };
    });
  }

  /** Group-level edges seen so far between groups still shown: [from (a dependency), to]. */
  edges(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const g of this.#groups.values()) for (const d of g.deps) if (this.#groups.has(d)) out.push([d, g.name]);
    return out;
  }
}

/** What the last heartbeat of a worker said. */
export interface WorkerMetrics {
  /** Resident set size of the worker process. */
  readonly rss: number;
  /** Bytes of results held in memory, and spilled to disk. */
  readonly managed: number;
  readonly spilled: number;
  /** % of one core since the previous heartbeat. */
  readonly cpu: number;
  readonly executing: number;
  /** When it arrived (the caller's clock, ms). */
  readonly atMs: number;
}

/** One worker's line. */
export interface WorkerRow {
  readonly id: string;
  readonly address: string;
  readonly nthreads: number;
  /** Bytes; 0 = no limit. */
  readonly memoryLimit: number;
  readonly rss: number;
  readonly managed: number;
  /** Process memory that is not results: rss − managed (≥ 0). */
  readonly unmanaged: number;
  readonly spilled: number;
  readonly cpu: number;
  /** Tasks assigned to it by the scheduler, and running on its threads now. */
  readonly processing: number;
  readonly executing: number;
  /** Results the scheduler knows it holds. */
  readonly keys: number;
  readonly paused: boolean;
  /** Time since its last heartbeat (−1: none yet). */
  readonly heartbeatAgeMs: number;
}

/** A node of the drawn graph, in layer coordinates (x = layer, y = slot in the layer). */
export interface GraphNode {
  readonly id: string;
  readonly label: string;
  readonly x: number;
  readonly y: number;
  /** Group level: tasks done of total. Task level: 1 when in memory (or released after running), else 0 of 1. */
  readonly done: number;
  readonly total: number;
  /** Task level: the task's state; group level: "complete", "processing" or "waiting". */
  readonly state: string;
}

export interface GraphView {
  readonly level: "task" | "group";
  readonly nodes: GraphNode[];
  /** Indexes into `nodes`: [dependency, dependent]. */
  readonly edges: Array<[number, number]>;
  /** Number of layers and the largest layer. */
  readonly layers: number;
  readonly breadth: number;
}

/**
 * Places nodes in layers: a node sits one layer right of its deepest dependency (back
 * edges of a cycle are ignored), and each layer is sorted by the mean slot of the
 * nodes it depends on, which keeps most edges short and uncrossed.
 */
export function layoutLayers(ids: readonly string[], deps: ReadonlyMap<string, readonly string[]>): { x: Map<string, number>; y: Map<string, number>; layers: number; breadth: number } {
  const depth = new Map<string, number>();
  const onStack = new Set<string>();
  const known = new Set(ids);
  const visit = (root: string): void => {
    // Iterative DFS (graphs can be deep chains).
    const stack: Array<{ id: string; i: number; d: number }> = [{ id: root, i: 0, d: 0 }];
    onStack.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const ds = deps.get(top.id) ?? [];
      if (top.i < ds.length) {
        const next = ds[top.i++]!;
        if (!known.has(next) || next === top.id || onStack.has(next)) continue;
        const got = depth.get(next);
        if (got !== undefined) { top.d = Math.max(top.d, got + 1); continue; }
        onStack.add(next);
        stack.push({ id: next, i: 0, d: 0 });
        continue;
      }
      stack.pop();
      onStack.delete(top.id);
      depth.set(top.id, top.d);
      const parent = stack[stack.length - 1];
      if (parent) parent.d = Math.max(parent.d, top.d + 1);
    }
  };
  for (const id of ids) if (!depth.has(id)) visit(id);
  const byLayer: string[][] = [];
  for (const id of ids) (byLayer[depth.get(id)!] ??= []).push(id);
  const y = new Map<string, number>();
  for (const layer of byLayer) {
    if (!layer) continue;
    const mean = new Map<string, number>();
    layer.forEach((id, i) => {
      const placed = (deps.get(id) ?? []).filter((d) => y.has(d)).map((d) => y.get(d)!);
      mean.set(id, placed.length > 0 ? placed.reduce((a, b) => a + b, 0) / placed.length : i);
    });
    layer.sort((a, b) => mean.get(a)! - mean.get(b)!);
    layer.forEach((id, i) => y.set(id, i));
  }
  return { x: depth, y, layers: byLayer.length, breadth: Math.max(0, ...byLayer.map((l) => l?.length ?? 0)) };
}

/** The graph of live tasks when there are at most `taskLimit` of them, else of groups. */
export function buildGraph(tasks: Iterable<SchedulerTask>, groups: GroupTracker, taskLimit = 150): GraphView {
  const live: SchedulerTask[] = [];
  let small = true;
  for (const ts of tasks) {
    if (ts.state === "forgotten") continue;
    if (live.length >= taskLimit) { small = false; break; }
    live.push(ts);
  }
  if (small && live.length > 0) {
    const ids = live.map((t) => t.key as string);
    const deps = new Map(live.map((t) => [t.key as string, [...t.dependencies].map((d) => d.key as string)]));
    const { x, y, layers, breadth } = layoutLayers(ids, deps);
    const index = new Map(ids.map((id, i) => [id, i]));
    const nodes = live.map((t): GraphNode => {
      const done = t.state === "memory" || (t.state === "released" && t.dependents.size > 0) ? 1 : 0;
      return { id: t.key, label: t.key, x: x.get(t.key)!, y: y.get(t.key)!, done, total: 1, state: t.state };
    });
    const edges: Array<[number, number]> = [];
    for (const t of live) for (const d of t.dependencies) if (index.has(d.key)) edges.push([index.get(d.key)!, index.get(t.key)!]);
    return { level: "task", nodes, edges, layers, breadth };
  }
  const rows = groups.rows();
  const ids = rows.map((r) => r.name);
  const deps = new Map<string, string[]>();
  for (const [from, to] of groups.edges()) {
    let list = deps.get(to);
    if (!list) deps.set(to, (list = []));
    list.push(from);
  }
  const { x, y, layers, breadth } = layoutLayers(ids, deps);
  const index = new Map(ids.map((id, i) => [id, i]));
  const nodes = rows.map((r): GraphNode => ({
    id: r.name, label: r.name, x: x.get(r.name)!, y: y.get(r.name)!, done: r.done, total: r.total,
    state: r.complete ? "complete" : r.processing > 0 ? "processing" : r.erred > 0 ? "erred" : r.total > 0 && r.done === r.total ? "memory" : "waiting",
  }));
  const edges = groups.edges().map(([a, b]): [number, number] => [index.get(a)!, index.get(b)!]);
  return { level: "group", nodes, edges, layers, breadth };
}

/** Everything the page draws, as one JSON object. */
export interface DashboardSnapshot {
  readonly now: number;
  readonly scheduler: {
    readonly address: string;
    readonly clients: number;
    /** Live tasks by state. */
    readonly tasks: Readonly<Record<string, number>>;
    readonly transitions: number;
  };
  readonly workers: WorkerRow[];
  readonly groups: GroupRow[];
  readonly graph: GraphView;
  /** Task stream entries after the `since` the page asked for. */
  readonly stream: { readonly lastSeq: number; readonly entries: StreamEntry[] };
}

/** The part of the scheduler's state the dashboard reads. */
export interface DashboardState {
  readonly tasks: ReadonlyMap<Key, SchedulerTask>;
  readonly workers: ReadonlyMap<string, SchedulerWorker>;
  readonly transitionCount: number;
}

export interface SnapshotInput {
  readonly state: DashboardState;
  readonly metrics: ReadonlyMap<string, WorkerMetrics>;
  readonly stream: TaskStream;
  readonly groups: GroupTracker;
  readonly address: string;
  readonly clients: number;
  /** Stream entries after this sequence number (at most `streamLimit`). */
  readonly since: number;
  readonly streamLimit?: number;
  readonly now: number;
}

/** One worker's figures: the heartbeat's where it has sent one, the scheduler's otherwise. */
export function workerRow(ws: SchedulerWorker, m: WorkerMetrics | undefined, now: number): WorkerRow {
  const managed = m ? m.managed : ws.nbytes;
  const rss = m ? m.rss : 0;
  return {
    id: ws.id, address: ws.address, nthreads: ws.nthreads, memoryLimit: ws.memoryLimit,
    rss, managed, unmanaged: Math.max(0, rss - managed), spilled: m?.spilled ?? 0, cpu: m?.cpu ?? 0,
    processing: ws.processing.size, executing: m?.executing ?? 0, keys: ws.hasWhat.size, paused: ws.paused,
    heartbeatAgeMs: m ? Math.max(0, now - m.atMs) : -1,
  };
}

/** Builds the page's picture. O(tasks); the caller caches it for a fraction of a second. */
export function buildSnapshot(input: SnapshotInput): DashboardSnapshot {
  const { state, now } = input;
  const counts: Record<string, number> = {};
  for (const ts of state.tasks.values()) counts[ts.state] = (counts[ts.state] ?? 0) + 1;
  input.groups.observe(state.tasks.values(), now);
  return {
    now,
    scheduler: { address: input.address, clients: input.clients, tasks: counts, transitions: state.transitionCount },
    workers: [...state.workers.values()].map((ws) => workerRow(ws, input.metrics.get(ws.id), now)),
    groups: input.groups.rows(),
    graph: buildGraph(state.tasks.values(), input.groups),
    stream: { lastSeq: input.stream.lastSeq, entries: input.stream.since(input.since, input.streamLimit ?? 5000) },
  };
}
