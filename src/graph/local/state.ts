/**
 * Bookkeeping of a local computation, shared by the sync and threads executors, with no
 * I/O: which tasks are ready (a heap by static priority), how many readers each result
 * still has, and which results can be released when a task finishes. This is what
 * bounds memory: a result is dropped the moment its last dependent is done (Dask's
 * `local.py`), and ready tasks are started in priority order (./../order.ts).
 */
import type { Graph, GraphEdges } from "../graph.js";
import type { Key } from "../key.js";
import type { Task } from "../task.js";

/** A min-heap of keys by priority. */
class ReadyHeap {
  #keys: Key[] = [];
  #prio: Map<Key, number>;
  constructor(priority: Map<Key, number>) {
    this.#prio = priority;
  }
  get size(): number {
    return this.#keys.length;
  }
  push(key: Key): void {
    const a = this.#keys;
    a.push(key);
    let i = a.length - 1;
    const p = this.#prio.get(key)!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#prio.get(a[parent]!)! <= p) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = key;
  }
  pop(): Key | undefined {
    const a = this.#keys;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      const p = this.#prio.get(last)!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && this.#prio.get(a[r]!)! < this.#prio.get(a[l]!)! ? r : l;
        if (this.#prio.get(a[c]!)! >= p) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/** The state of one local computation. */
export class LocalState {
  readonly graph: Graph;
  readonly edges: GraphEdges;
  readonly priority: Map<Key, number>;
  readonly #wanted: Set<Key>;
  /** Dependencies not yet finished, per waiting task. */
  readonly #waitingOn = new Map<Key, number>();
  /** Readers still to come, per finished (or future) result; wanted keys count one extra. */
  readonly #readers = new Map<Key, number>();
  readonly #ready: ReadyHeap;
  #done = 0;

  constructor(graph: Graph, edges: GraphEdges, priority: Map<Key, number>, wanted: readonly Key[]) {
    this.graph = graph;
    this.edges = edges;
    this.priority = priority;
    this.#wanted = new Set(wanted);
    this.#ready = new ReadyHeap(priority);
    for (const [key, deps] of edges.dependencies) {
      this.#waitingOn.set(key, deps.length);
      this.#readers.set(key, edges.dependents.get(key)!.length + (this.#wanted.has(key) ? 1 : 0));
      if (deps.length === 0) this.#ready.push(key);
    }
  }

  get total(): number {
    return this.graph.size;
  }
  get done(): number {
    return this.#done;
  }
  get readyCount(): number {
    return this.#ready.size;
  }
  get finished(): boolean {
    return this.#done === this.graph.size;
  }

  /** The most urgent ready task, or undefined. */
  popReady(): Task | undefined {
    const key = this.#ready.pop();
    return key === undefined ? undefined : this.graph.get(key)!;
  }

  /** Readers still to come for a result. */
  readers(key: Key): number {
    return this.#readers.get(key) ?? 0;
  }

  /**
   * Records that `key` finished. Returns the results that nobody needs any more (the
   * caller drops them) — its dependencies whose last reader this was, and `key` itself
   * if nothing reads it — and queues the dependents that became ready.
   */
  finish(key: Key): Key[] {
    this.#done++;
    const release: Key[] = [];
    for (const dep of this.edges.dependencies.get(key)!) {
      const n = this.#readers.get(dep)! - 1;
      this.#readers.set(dep, n);
      if (n === 0) release.push(dep);
    }
    if (this.#readers.get(key) === 0) release.push(key);
    for (const child of this.edges.dependents.get(key)!) {
      const n = this.#waitingOn.get(child)! - 1;
      this.#waitingOn.set(child, n);
      if (n === 0) this.#ready.push(child);
    }
    return release;
  }

  /** The smallest priority among tasks still waiting for `key` (Infinity if none). */
  nextUse(key: Key): number {
    let p = Infinity;
    for (const child of this.edges.dependents.get(key)!) {
      if (this.#waitingOn.get(child)! > 0 || this.#isPendingReady(child)) p = Math.min(p, this.priority.get(child)!);
    }
    return p;
  }

  #isPendingReady(key: Key): boolean {
    return this.#waitingOn.get(key) === 0 && this.#readers.has(key);
  }
}
