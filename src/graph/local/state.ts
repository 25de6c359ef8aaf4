/**
 * Bookkeeping of a local computation, shared by the sync and threads executors, with no
 * I/O: which tasks are ready (a heap by static priority), how many readers each result
 * still has, and which results can be released when a task finishes. This is what
 * bounds memory: a result is dropped the moment its last dependent is done (Dask's
 * `local.py`), and ready tasks are started in priority order (../order.ts).
 *
 * Works on task numbers of the integer graph (../indexed.ts) with typed arrays; the
 * key-based methods are conveniences for tests and other callers.
 *
 * Two ways to drive it:
 * - `popReadyIndex` + `finishIndex` (sync executor): a task runs as soon as it is popped.
 * - batches (threads executor): `beginBatch`, then `takeForBatch` repeatedly, then
 *   `endBatch`; later `completeIndex` for each task of the batch when its results are
 *   back. While a batch is built, a task joins it as soon as each of its dependencies is
 *   either computed or already in this batch (the worker runs the batch in order), so a
 *   chain or a small subtree travels in one message and its intermediates never come
 *   back: the caller holds O(threads) results, not O(batch size).
 */
import type { IndexedGraph } from "../indexed.js";
import type { Key } from "../key.js";
import type { Task } from "../task.js";

/** A min-heap of task numbers by priority. */
class ReadyHeap {
  readonly #a: Int32Array;
  readonly #prio: Int32Array;
  size = 0;
  constructor(n: number, priority: Int32Array) {
    this.#a = new Int32Array(Math.max(1, n));
    this.#prio = priority;
  }
  push(i: number): void {
    const a = this.#a, prio = this.#prio;
    const p = prio[i]!;
    let c = this.size++;
    while (c > 0) {
      const parent = (c - 1) >> 1;
      if (prio[a[parent]!]! <= p) break;
      a[c] = a[parent]!;
      c = parent;
    }
    a[c] = i;
  }
  peek(): number {
    return this.size === 0 ? -1 : this.#a[0]!;
  }
  clear(): void {
    this.size = 0;
  }
  pop(): number {
    if (this.size === 0) return -1;
    const a = this.#a, prio = this.#prio;
    const top = a[0]!;
    const last = a[--this.size]!;
    const n = this.size;
    if (n > 0) {
      const p = prio[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && prio[a[r]!]! < prio[a[l]!]! ? r : l;
        if (prio[a[c]!]! >= p) break;
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
  readonly graph: IndexedGraph;
  /** Priority of each task number (lower runs first). */
  readonly priority: Int32Array;
  /** 1 for the task numbers whose values the caller asked for. */
  readonly wanted: Uint8Array;
  /** Dependencies not yet finished, per task. */
  readonly #waitingOn: Int32Array;
  /** Readers still to come, per result; wanted results count one extra. */
  readonly #readers: Int32Array;
  readonly #ready: ReadyHeap;
  /** 1 for finished task numbers. */
  readonly #finished: Uint8Array;
  #done = 0;
  // Batch mode: dependencies dispatched but not completed, how many of them are in the
  // batch being built, which batch a task went to, tasks ready only within this batch.
  #unresolved: Int32Array | undefined;
  #inBatch: Int32Array | undefined;
  #batchOf: Int32Array | undefined;
  #local: ReadyHeap | undefined;
  #touched: number[] = [];
  #batch: number[] = [];
  #batchId = 0;
  /** Whether the last {@link takeForBatch} took a task from the ready heap (not one made runnable by the batch). */
  lastFromReady = false;

  constructor(graph: IndexedGraph, priority: Int32Array, wanted: readonly Key[]) {
    const n = graph.size;
    this.graph = graph;
    this.priority = priority;
    this.wanted = new Uint8Array(n);
    for (const k of wanted) {
      const i = graph.index.get(k);
      if (i !== undefined) this.wanted[i] = 1;
    }
    this.#waitingOn = new Int32Array(n);
    this.#readers = new Int32Array(n);
    this.#finished = new Uint8Array(n);
    this.#ready = new ReadyHeap(n, priority);
    for (let i = 0; i < n; i++) {
      const w = graph.depStart[i + 1]! - graph.depStart[i]!;
      this.#waitingOn[i] = w;
      this.#readers[i] = graph.dependentStart[i + 1]! - graph.dependentStart[i]! + this.wanted[i]!;
      if (w === 0) this.#ready.push(i);
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

  /** The most urgent ready task number, or -1. */
  popReadyIndex(): number {
    return this.#ready.pop();
  }

  /** The most urgent ready task, or undefined. */
  popReady(): Task | undefined {
    const i = this.#ready.pop();
    return i < 0 ? undefined : this.graph.tasks[i]!;
  }

  /** Readers still to come for result i. */
  readersOf(i: number): number {
    return this.#readers[i]!;
  }

  /** Readers still to come for a result. */
  readers(key: Key): number {
    const i = this.graph.index.get(key);
    return i === undefined ? 0 : this.#readers[i]!;
  }

  /**
   * Records that task i finished. Pushes to `release` the results nobody needs any more
   * (the caller drops them) — its dependencies whose last reader this was, and i itself
   * if nothing reads it — and queues the dependents that became ready.
   */
  finishIndex(i: number, release: number[]): void {
    this.#done++;
    this.#finished[i] = 1;
    const g = this.graph, readers = this.#readers, waiting = this.#waitingOn;
    for (let q = g.depStart[i]!; q < g.depStart[i + 1]!; q++) {
      const d = g.deps[q]!;
      if (--readers[d] === 0) release.push(d);
    }
    if (readers[i] === 0) release.push(i);
    for (let q = g.dependentStart[i]!; q < g.dependentStart[i + 1]!; q++) {
      const c = g.dependents[q]!;
      if (--waiting[c] === 0) this.#ready.push(c);
    }
  }

  /** Starts building a batch (threads executor). */
  beginBatch(): void {
    const n = this.graph.size;
    if (!this.#unresolved) {
      this.#unresolved = new Int32Array(n);
      this.#inBatch = new Int32Array(n);
      this.#batchOf = new Int32Array(n).fill(-1);
      this.#local = new ReadyHeap(n, this.priority);
    }
    this.#batchId++;
    this.#batch = [];
  }

  /**
   * Adds the most urgent runnable task to the batch; returns it, or -1 if none. With
   * `global` false, only tasks made runnable by this batch are taken.
   */
  takeForBatch(global = true): number {
    const local = this.#local!, ready = this.#ready, prio = this.priority;
    const a = local.peek(), b = global ? ready.peek() : -1;
    let t: number;
    if (a < 0 && b < 0) return -1;
    this.lastFromReady = !(b < 0 || (a >= 0 && prio[a]! < prio[b]!));
    t = this.lastFromReady ? ready.pop() : local.pop();
    const g = this.graph, waiting = this.#waitingOn, unresolved = this.#unresolved!, inBatch = this.#inBatch!;
    this.#batchOf![t] = this.#batchId;
    this.#batch.push(t);
    for (let q = g.dependentStart[t]!; q < g.dependentStart[t + 1]!; q++) {
      const c = g.dependents[q]!;
      waiting[c]!--;
      unresolved[c]!++;
      if (inBatch[c]!++ === 0) this.#touched.push(c);
      if (waiting[c] === 0 && unresolved[c] === inBatch[c]) local.push(c);
    }
    return t;
  }

  /** Seals the batch: its tasks, and for each whether its value must come back (read outside the batch, or wanted). */
  endBatch(): { tasks: number[]; keep: Uint8Array } {
    for (const c of this.#touched) this.#inBatch![c] = 0;
    this.#touched = [];
    this.#local!.clear();
    const g = this.graph, batchOf = this.#batchOf!, id = this.#batchId;
    const tasks = this.#batch;
    const keep = new Uint8Array(tasks.length);
    for (let b = 0; b < tasks.length; b++) {
      const t = tasks[b]!;
      let k = this.wanted[t]!;
      for (let q = g.dependentStart[t]!; q < g.dependentStart[t + 1]! && !k; q++) if (batchOf[g.dependents[q]!] !== id) k = 1;
      keep[b] = k;
    }
    return { tasks, keep };
  }

  /** True when task i has been put in a batch. */
  dispatched(i: number): boolean {
    return this.#batchOf !== undefined && this.#batchOf[i]! >= 0;
  }

  /**
   * Records that task i (of a batch) finished: like {@link finishIndex}, but its
   * dependents were already counted at dispatch; they become ready when all their
   * dependencies are complete.
   */
  completeIndex(i: number, release: number[]): void {
    this.#done++;
    this.#finished[i] = 1;
    const g = this.graph, readers = this.#readers, waiting = this.#waitingOn, unresolved = this.#unresolved!, batchOf = this.#batchOf!;
    for (let q = g.depStart[i]!; q < g.depStart[i + 1]!; q++) {
      const d = g.deps[q]!;
      if (--readers[d] === 0) release.push(d);
    }
    if (readers[i] === 0) release.push(i);
    for (let q = g.dependentStart[i]!; q < g.dependentStart[i + 1]!; q++) {
      const c = g.dependents[q]!;
      if (--unresolved[c] === 0 && waiting[c] === 0 && batchOf[c]! < 0) this.#ready.push(c);
    }
  }

  /** {@link finishIndex} by key; returns the keys to release. */
  finish(key: Key): Key[] {
    const out: number[] = [];
    this.finishIndex(this.graph.index.get(key)!, out);
    return out.map((i) => this.graph.keys[i]!);
  }

  /** The smallest priority among tasks that have not finished and read result i (Infinity if none). */
  nextUseIndex(i: number): number {
    const g = this.graph;
    let p = Infinity;
    for (let q = g.dependentStart[i]!; q < g.dependentStart[i + 1]!; q++) {
      const c = g.dependents[q]!;
      if (!this.#finished[c]) p = Math.min(p, this.priority[c]!);
    }
    return p;
  }

  /** {@link nextUseIndex} by key. */
  nextUse(key: Key): number {
    const i = this.graph.index.get(key);
    return i === undefined ? Infinity : this.nextUseIndex(i);
  }
}
