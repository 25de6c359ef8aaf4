/**
 * The scheduler as a pure state machine: events in, instructions out. No I/O, no
 * timers, no awaits — ./server.ts is the network shell around it, and tests drive it
 * directly.
 *
 * Design (after Dask's scheduler and its `worker_state_machine.py` rewrite):
 * - Every task has one status; every change goes through the explicit table in
 *   ./transitions.ts, which returns recommendations that the engine applies until
 *   none are left. Each event carries a `stimulusId`; every transition is logged
 *   (bounded) so `story(key)` explains what happened to a key.
 * - Placement: a task whose inputs exist goes to the worker holding most of its input
 *   bytes, ties broken by occupancy. Root tasks (no dependencies) are *queued* here
 *   and handed out as slots free up, about `saturation` (1.1) × threads per worker:
 *   flooding workers with reads is how clusters run out of memory.
 * - Priorities come from `order()` of each submitted graph, earlier graphs first.
 * - A worker with free threads and nothing queued steals a not-yet-started task from
 *   the busiest worker (the victim answers whether it gave it up).
 * - A lost worker: its results are recomputed from lineage where still needed; the
 *   tasks it was running go back to waiting, or are erred with a KilledWorker message
 *   once they were running on `allowedFailures` workers that died.
 * - Results are released as soon as no client wants them and no dependent needs them;
 *   tasks are forgotten when nothing refers to them any more.
 * - A retiring worker (SIGTERM) gets no new tasks; what it was running goes elsewhere,
 *   and each result only it holds is copied to the least loaded other worker
 *   (`acquire-keys`, a peer fetch); once every one is held elsewhere it is told it may
 *   go (`worker-retired`), so nothing is recomputed. With no other worker it goes at
 *   once and its results are recomputed from lineage when needed, as for a lost one.
 * - Scratch files (a shuffle's buckets, written by many tasks, read by many others) are
 *   owned by a key: workers report which owners they hold files of; the files are
 *   deleted when the owner is released, erred or forgotten; losing a worker that held
 *   some re-runs the owner and the dependencies it still held in memory (their files
 *   are gone), and a reader that found them gone is re-run after that.
 */
import { InvalidTransitionError, ProtocolError } from "../../errors.js";
import type { Key } from "../../graph/key.js";
import { order } from "../../graph/order.js";
import { dependencies as depsOf, type Task } from "../../graph/task.js";
import { TRANSITIONS, type Step, type TransitionArgs } from "./transitions.js";
import type {
  ClientId, SchedulerEvent, SchedulerInstruction, SchedulerStateOptions, SchedulerTask, SchedulerTaskStatus,
  SchedulerWorker, TransitionRecord, WorkerId,
} from "./types.js";

export type * from "./types.js";

/** Priorities of graph n are n·2^30 + their order inside the graph. */
const GRAPH_STRIDE = 2 ** 30;

/** A min-heap of queued tasks by priority, with lazy removal. */
class TaskQueue {
  #heap: SchedulerTask[] = [];
  #members = new Set<SchedulerTask>();
  get size(): number {
    return this.#members.size;
  }
  has(ts: SchedulerTask): boolean {
    return this.#members.has(ts);
  }
  push(ts: SchedulerTask): void {
    if (this.#members.has(ts)) return;
    this.#members.add(ts);
    const h = this.#heap;
    h.push(ts);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.priority <= ts.priority) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = ts;
  }
  delete(ts: SchedulerTask): void {
    this.#members.delete(ts);
  }
  peek(): SchedulerTask | undefined {
    while (this.#heap.length > 0 && !this.#members.has(this.#heap[0]!)) this.#pop();
    return this.#heap[0];
  }
  pop(): SchedulerTask | undefined {
    const top = this.peek();
    if (top) { this.#pop(); this.#members.delete(top); }
    return top;
  }
  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && h[r]!.priority < h[l]!.priority ? r : l;
      if (h[c]!.priority >= last.priority) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  values(): SchedulerTask[] {
    return [...this.#members];
  }
}

/** The scheduler's state. */
export class SchedulerState {
  readonly tasks = new Map<Key, SchedulerTask>();
  readonly workers = new Map<WorkerId, SchedulerWorker>();
  readonly clients = new Set<ClientId>();
  readonly queued = new TaskQueue();
  readonly options: Required<SchedulerStateOptions>;
  readonly #log: TransitionRecord[] = [];
  #seq = 0;
  #graphs = 0;
  /** Transitions made so far (all events). */
  transitionCount = 0;
  /** Events handled so far. */
  eventCount = 0;
  /** Owner key → workers holding scratch files it owns. */
  readonly scratch = new Map<Key, Set<SchedulerWorker>>();
  /** Peer address → `eventCount` when a worker there was last lost. */
  readonly #lostAt = new Map<string, number>();
  /** Workers retiring, not yet told they may go. */
  readonly #retiring = new Set<SchedulerWorker>();

  constructor(options: SchedulerStateOptions = {}) {
    this.options = {
      validate: options.validate ?? false,
      saturation: options.saturation ?? 1.1,
      allowedFailures: options.allowedFailures ?? 3,
      logSize: options.logSize ?? 100_000,
      maxTransitionsPerEvent: options.maxTransitionsPerEvent ?? Number.MAX_SAFE_INTEGER,
    };
  }

  /** Applies one event and returns what the outside world must do. */
  handle(event: SchedulerEvent): SchedulerInstruction[] {
    const step: Step = { recs: new Map(), out: [] };
    const sid = event.stimulusId;
    this.eventCount++;
    switch (event.type) {
      case "client-added":
        this.clients.add(event.client);
        break;
      case "client-removed": {
        this.clients.delete(event.client);
        const keys: Key[] = [];
        for (const ts of this.tasks.values()) if (ts.whoWants.has(event.client)) keys.push(ts.key);
        this.#releaseKeys(event.client, keys, step);
        break;
      }
      case "worker-added": {
        if (this.workers.has(event.worker)) throw new ProtocolError(`worker ${event.worker} is already registered`);
        this.workers.set(event.worker, {
          id: event.worker, address: event.address, nthreads: event.nthreads, memoryLimit: event.memoryLimit ?? 0,
          processing: new Set(), hasWhat: new Set(), paused: false, retiring: false, nbytes: 0,
        });
        break;
      }
      case "worker-lost":
        this.#workerLost(event.worker, event.graceful ?? false, step, sid);
        break;
      case "worker-retiring":
        this.#retire(event.worker, step);
        break;
      case "worker-status": {
        const ws = this.workers.get(event.worker);
        if (ws) ws.paused = event.paused;
        break;
      }
      case "graph-submitted":
        this.#graphSubmitted(event.client, event.tasks, event.keys, event.retries ?? 0, step);
        break;
      case "keys-released":
        this.#releaseKeys(event.client, event.keys, step);
        break;
      case "task-finished": {
        const ts = this.tasks.get(event.key);
        const ws = this.workers.get(event.worker);
        if (!ws) break;
        if (!ts || ts.state !== "processing" || ts.processingOn !== ws) {
          // Stale (cancelled, stolen, or already computed elsewhere): keep one copy at most.
          if (!ts || !ts.whoHas.has(ws)) step.out.push({ type: "free-keys", worker: ws.id, keys: [event.key] });
          break;
        }
        this.#run(step, sid, ts, "memory", { worker: ws, nbytes: event.nbytes });
        break;
      }
      case "task-erred": {
        const ts = this.tasks.get(event.key);
        const ws = this.workers.get(event.worker);
        if (!ts || !ws || ts.state !== "processing" || ts.processingOn !== ws) break;
        if (ts.retries > 0) {
          ts.retries--;
          this.#run(step, sid, ts, "released", {});
        } else {
          this.#run(step, sid, ts, "erred", { failure: { error: event.error, worker: ws.address, origin: ts.key, op: ts.spec.op } });
        }
        break;
      }
      case "missing-data": {
        const dep = this.tasks.get(event.missing);
        if (dep) {
          const holder = [...dep.whoHas].find((w) => w.address === event.from);
          if (holder) {
            dep.whoHas.delete(holder);
            holder.hasWhat.delete(dep);
            holder.nbytes -= dep.nbytes;
          }
          if (dep.state === "memory" && dep.whoHas.size === 0) step.recs.set(dep.key, "released");
        }
        const ts = this.tasks.get(event.key);
        if (ts && ts.state === "processing" && ts.processingOn?.id === event.worker) step.recs.set(ts.key, "released");
        break;
      }
      case "steal-response": {
        const ts = this.tasks.get(event.key);
        if (!ts || ts.state !== "processing" || ts.processingOn?.id !== event.worker || ts.stealTo === undefined) break;
        const thief = ts.stealTo;
        ts.stealTo = undefined;
        if (event.accepted && this.workers.has(thief)) {
          ts.forceWorker = thief;
          ts.processingOn!.processing.delete(ts);
          ts.processingOn = undefined;
          ts.state = "waiting";
          ts.waitingOn.clear();
          this.#record(ts.key, "processing", "waiting", sid);
          step.recs.set(ts.key, "processing");
        }
        break;
      }
      case "scratch-added": {
        const ws = this.workers.get(event.worker);
        if (!ws) break;
        const stale: Key[] = [];
        for (const key of event.keys) {
          const ts = this.tasks.get(key);
          if (ts && (ts.state === "waiting" || ts.state === "queued" || ts.state === "processing" || ts.state === "memory")) {
            let holders = this.scratch.get(key);
            if (!holders) this.scratch.set(key, (holders = new Set()));
            holders.add(ws);
          } else stale.push(key);
        }
        if (stale.length > 0) step.out.push({ type: "free-scratch", worker: ws.id, keys: stale });
        break;
      }
      case "scratch-lost":
        this.#scratchLost(event.worker, event.key, event.owner, event.from, step);
        break;
      case "keys-added": {
        const ws = this.workers.get(event.worker);
        if (!ws) break;
        event.keys.forEach((key, i) => {
          const ts = this.tasks.get(key);
          if (!ts || ts.state === "erred" || ts.state === "forgotten") {
            step.out.push({ type: "free-keys", worker: ws.id, keys: [key] });
            return;
          }
          if (ts.state === "memory") {
            if (!ts.whoHas.has(ws)) { ts.whoHas.add(ws); ws.hasWhat.add(ts); ws.nbytes += ts.nbytes; }
            return;
          }
          this.#run(step, sid, ts, "memory", { worker: ws, nbytes: event.nbytes[i] ?? 0 }, true);
        });
        break;
      }
    }
    this.#drain(step, sid);
    this.#fillSlots(step, sid);
    this.#stealForIdle(step);
    if (this.#retiring.size > 0) this.#checkRetiring(step);
    if (this.options.validate) this.validate();
    return step.out;
  }

  /** The transitions of one key, oldest first (from the bounded log). */
  story(key: Key): TransitionRecord[] {
    return this.#log.filter((r) => r.key === key);
  }

  /** The whole bounded log. */
  get log(): readonly TransitionRecord[] {
    return this.#log;
  }

  // ---- placement (used by transitions) ----

  /** Slots of root tasks a worker takes at once. */
  slots(ws: SchedulerWorker): number {
    return Math.max(1, Math.ceil(ws.nthreads * this.options.saturation));
  }

  /** Where a ready task should run, or undefined to queue it here. */
  decideWorker(ts: SchedulerTask): SchedulerWorker | undefined {
    if (ts.forceWorker) {
      const ws = this.workers.get(ts.forceWorker);
      if (ws && !ws.paused && !ws.retiring) return ws;
    }
    let best: SchedulerWorker | undefined;
    let bestScore = Infinity;
    if (ts.dependencies.size === 0) {
      // Root task: only to a worker with a free slot; otherwise it waits in the queue.
      for (const ws of this.workers.values()) {
        if (ws.paused || ws.retiring || ws.processing.size >= this.slots(ws)) continue;
        const score = ws.processing.size / ws.nthreads;
        if (score < bestScore) { best = ws; bestScore = score; }
      }
      return best;
    }
    let total = 0;
    const local = new Map<SchedulerWorker, number>();
    for (const dep of ts.dependencies) {
      total += dep.nbytes;
      for (const ws of dep.whoHas) local.set(ws, (local.get(ws) ?? 0) + dep.nbytes + 1);
    }
    const consider = (ws: SchedulerWorker): void => {
      if (ws.paused || ws.retiring) return;
      // Bytes to move (1 MB ≈ one queued task) plus how busy it is.
      const score = (total - (local.get(ws) ?? 0)) / 1e6 + ws.processing.size / ws.nthreads;
      if (score < bestScore) { best = ws; bestScore = score; }
    };
    for (const ws of this.workers.values()) consider(ws);
    return best;
  }

  /** Used by transitions. */
  enqueue(ts: SchedulerTask): void {
    this.queued.push(ts);
  }
  dequeue(ts: SchedulerTask): void {
    this.queued.delete(ts);
  }
  remove(ts: SchedulerTask): void {
    this.tasks.delete(ts.key);
    this.queued.delete(ts);
  }

  // ---- events ----

  #graphSubmitted(client: ClientId, tasks: readonly Task[], keys: readonly Key[], retries: number, step: Step): void {
    this.clients.add(client);
    const fresh: SchedulerTask[] = [];
    const submitted = new Map<Key, Task>();
    for (const t of tasks) submitted.set(t.key, t);
    for (const t of tasks) {
      const existing = this.tasks.get(t.key);
      if (existing) {
        if (existing.state === "erred" && keys.includes(t.key)) {
          existing.retries = retries;
          step.recs.set(t.key, "released");
        }
        continue;
      }
      const ts: SchedulerTask = {
        key: t.key, spec: t, state: "released", priority: 0,
        dependencies: new Set(), dependents: new Set(), waitingOn: new Set(), waiters: new Set(),
        whoWants: new Set(), whoHas: new Set(), processingOn: undefined, nbytes: 0, retries,
        killedOn: [], failure: undefined, stealTo: undefined, forceWorker: undefined, memoryAt: 0, scratchLosses: 0,
      };
      this.tasks.set(t.key, ts);
      fresh.push(ts);
    }
    const missing: Array<[SchedulerTask, Key]> = [];
    for (const ts of fresh) {
      for (const d of depsOf(ts.spec)) {
        const dep = this.tasks.get(d);
        if (!dep) { missing.push([ts, d]); continue; }
        ts.dependencies.add(dep);
        dep.dependents.add(ts);
      }
    }
    // Priorities: order() over the new tasks, with edges to known tasks left out.
    const freshKeys = new Set(fresh.map((t) => t.key));
    const dependencies = new Map<Key, Key[]>();
    const dependents = new Map<Key, Key[]>();
    for (const ts of fresh) {
      dependencies.set(ts.key, [...ts.dependencies].filter((d) => freshKeys.has(d.key)).map((d) => d.key));
      dependents.set(ts.key, [...ts.dependents].filter((d) => freshKeys.has(d.key)).map((d) => d.key));
    }
    const graph = new Map(fresh.map((ts) => [ts.key, ts.spec] as const));
    const prio = order(graph, keys.filter((k) => freshKeys.has(k)), { dependencies, dependents });
    const base = ++this.#graphs * GRAPH_STRIDE;
    for (const ts of fresh) ts.priority = base + (prio.get(ts.key) ?? 0);

    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (!ts) {
        step.out.push({ type: "key-erred", client, key, origin: key, op: "", worker: "", error: { name: "GraphError", message: `key ${key} was requested but the graph has no task for it` } });
        continue;
      }
      ts.whoWants.add(client);
      if (ts.state === "memory") {
        step.out.push({ type: "key-in-memory", client, key, workers: [...ts.whoHas].map((w) => w.address) });
      } else if (ts.state === "erred" && !step.recs.has(key)) {
        const f = ts.failure!;
        step.out.push({ type: "key-erred", client, key, origin: f.origin, op: f.op, worker: f.worker, error: f.error });
      } else if (ts.state === "released") step.recs.set(key, "waiting");
    }
    for (const [ts, d] of missing) {
      step.recs.set(ts.key, "erred");
      ts.failure = {
        error: { name: "GraphError", message: `task ${ts.key} depends on ${d}, which the scheduler does not have (it was released, or never submitted); persist or submit it again` },
        worker: "", origin: ts.key, op: ts.spec.op,
      };
    }
    // Tasks nobody asked for and nothing reads (an unculled graph) are dropped at once.
    for (const ts of fresh) {
      if (ts.whoWants.size === 0 && ts.dependents.size === 0 && !step.recs.has(ts.key)) step.recs.set(ts.key, "forgotten");
    }
    for (const ts of fresh) {
      if (ts.spec.op === "tusk.remote" && ts.state === "released") {
        step.recs.set(ts.key, "erred");
        ts.failure = {
          error: { name: "GraphError", message: `the persisted result ${ts.key} is no longer on the cluster (it was released, or its client closed); persist it again` },
          worker: "", origin: ts.key, op: ts.spec.op,
        };
      }
    }
  }

  #releaseKeys(client: ClientId, keys: readonly Key[], step: Step): void {
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (!ts || !ts.whoWants.delete(client)) continue;
      if (ts.whoWants.size > 0 || ts.waiters.size > 0) continue;
      if (ts.state === "erred" || ts.state === "released") {
        if (ts.dependents.size === 0) step.recs.set(key, "forgotten");
      } else step.recs.set(key, "released");
    }
  }

  #workerLost(id: WorkerId, graceful: boolean, step: Step, sid: string): void {
    const ws = this.workers.get(id);
    if (!ws) return;
    this.workers.delete(id);
    this.#retiring.delete(ws);
    this.#lostAt.set(ws.address, this.eventCount);
    // Scratch files it held are gone: re-run their owners (and what they read from memory).
    for (const [owner, holders] of this.scratch) {
      if (!holders.delete(ws)) continue;
      if (holders.size === 0) this.scratch.delete(owner);
      const ts = this.tasks.get(owner);
      if (!ts) continue;
      if (ts.state === "memory" || ts.state === "processing") step.recs.set(owner, "released");
      if (ts.state !== "memory") for (const dep of ts.dependencies) if (dep.state === "memory") step.recs.set(dep.key, "released");
    }
    // Results only it held are lost: recompute them where still needed (lineage).
    for (const ts of ws.hasWhat) {
      ts.whoHas.delete(ws);
      if (ts.state === "memory" && ts.whoHas.size === 0) step.recs.set(ts.key, "released");
    }
    ws.hasWhat.clear();
    for (const ts of ws.processing) {
      ts.processingOn = undefined;
      ts.stealTo = undefined;
      ts.state = "waiting"; // its worker is gone: nothing to cancel there
      this.#record(ts.key, "processing", "waiting", sid);
      ts.waitingOn.clear();
      if (!graceful) ts.killedOn.push(ws.address);
      if (ts.killedOn.length >= this.options.allowedFailures) {
        step.recs.set(ts.key, "erred");
        ts.failure = {
          error: {
            name: "KilledWorkerError", code: "ERR_KILLED_WORKER",
            message: `Task ${ts.key} was running on ${ts.killedOn.length} workers that died (${ts.killedOn.join(", ")}). ` +
              `It probably kills its worker (out of memory, a native crash, process.exit). Fix: run it with scheduler "sync" to see the error, ` +
              `give workers more memory (--memory-limit), or split the work into smaller partitions.`,
          },
          worker: ws.address, origin: ts.key, op: ts.spec.op,
        };
        continue;
      }
      for (const dep of ts.dependencies) if (dep.whoHas.size === 0) ts.waitingOn.add(dep);
      if (ts.waitingOn.size === 0) step.recs.set(ts.key, "processing");
    }
    ws.processing.clear();
    ws.hasWhat.clear();
  }

  /** Starts retiring a worker: its tasks go elsewhere, its sole copies are copied. */
  #retire(id: WorkerId, step: Step): void {
    const ws = this.workers.get(id);
    if (!ws || ws.retiring) return;
    ws.retiring = true;
    this.#retiring.add(ws);
    for (const ts of ws.processing) step.recs.set(ts.key, "released");
    const targets = [...this.workers.values()].filter((w) => !w.retiring);
    if (targets.length === 0) return;
    const load = new Map(targets.map((w) => [w, w.nbytes] as const));
    const plan = new Map<SchedulerWorker, Key[]>();
    for (const ts of ws.hasWhat) {
      if (ts.state !== "memory" || this.#heldElsewhere(ts, ws)) continue;
      let best = targets[0]!;
      for (const w of targets) if (load.get(w)! < load.get(best)!) best = w;
      load.set(best, load.get(best)! + ts.nbytes);
      let keys = plan.get(best);
      if (!keys) plan.set(best, (keys = []));
      keys.push(ts.key);
    }
    for (const [w, keys] of plan) step.out.push({ type: "acquire-keys", worker: w.id, keys, from: ws.address });
  }

  #heldElsewhere(ts: SchedulerTask, ws: SchedulerWorker): boolean {
    for (const o of ts.whoHas) if (o !== ws && !o.retiring) return true;
    return false;
  }

  /** Lets retiring workers go once their results are safe (or nobody could take them). */
  #checkRetiring(step: Step): void {
    const anyTarget = [...this.workers.values()].some((w) => !w.retiring);
    for (const ws of this.#retiring) {
      let safe = true;
      if (anyTarget) for (const ts of ws.hasWhat) if (ts.state === "memory" && !this.#heldElsewhere(ts, ws)) { safe = false; break; }
      if (!safe) continue;
      this.#retiring.delete(ws);
      step.out.push({ type: "worker-retired", worker: ws.id });
    }
  }

  /**
   * Task `key` could not read `owner`'s scratch files on the worker at `from`. If that
   * worker was lost after `owner` was computed, the owner is being re-run already and
   * the report is stale: run the task again. Otherwise the files vanished from a live
   * worker: re-run the owner, at most `allowedFailures` times before the task errs.
   */
  #scratchLost(worker: WorkerId, key: Key, owner: Key, from: string, step: Step): void {
    const ts = this.tasks.get(key);
    if (!ts || ts.state !== "processing" || ts.processingOn?.id !== worker) return;
    const own = this.tasks.get(owner);
    const lostAt = this.#lostAt.get(from);
    if (!own || own.state !== "memory" || (lostAt !== undefined && own.memoryAt > lostAt)) {
      step.recs.set(key, "released");
      return;
    }
    if (++own.scratchLosses > this.options.allowedFailures) {
      step.recs.set(key, "erred");
      ts.failure = {
        error: {
          name: "ScratchLostError", code: "ERR_SCRATCH_LOST",
          message: `Task ${key} could not read the scratch files of ${owner} on the worker at ${from}, ${own.scratchLosses} times although that worker ` +
            `is connected to the scheduler. Check that workers can reach each other's data ports (--host, firewalls) and that nothing deletes their --local-directory.`,
        },
        worker: from, origin: key, op: ts.spec.op,
      };
      return;
    }
    step.recs.set(owner, "released");
  }

  /** Deletes the scratch files `ts` owns, on every worker holding some. */
  freeScratch(ts: SchedulerTask, step: Step): void {
    const holders = this.scratch.get(ts.key);
    if (!holders) return;
    this.scratch.delete(ts.key);
    for (const ws of holders) if (this.workers.get(ws.id) === ws) step.out.push({ type: "free-scratch", worker: ws.id, keys: [ts.key] });
  }

  // ---- engine ----

  #run(step: Step, sid: string, ts: SchedulerTask, to: SchedulerTaskStatus, args: TransitionArgs, viaData = false): void {
    const from = ts.state;
    const fn = viaData && from === "processing" ? TRANSITIONS["waiting->memory"] : TRANSITIONS[`${from}->${to}`];
    if (!fn) throw new InvalidTransitionError(ts.key, from, to, this.story(ts.key));
    fn(this, ts, step, args);
    this.#record(ts.key, from, ts.state, sid);
    if (this.options.validate) this.validateTask(ts);
  }

  #drain(step: Step, sid: string): void {
    let n = 0;
    // A Map iterator is live: it visits recommendations added while draining (deleting
    // the current entry is safe), without rescanning deleted slots from the start.
    for (const [key, to] of step.recs) {
      step.recs.delete(key);
      const ts = this.tasks.get(key);
      if (!ts || ts.state === to) continue;
      if (++n > this.options.maxTransitionsPerEvent) throw new Error(`scheduler: more than ${this.options.maxTransitionsPerEvent} transitions for one event (${sid})`);
      if (to === "processing" && ts.state !== "waiting" && ts.state !== "queued") continue;
      if (to === "processing" && ts.state === "waiting" && ts.waitingOn.size > 0) continue;
      const direct = TRANSITIONS[`${ts.state}->${to}`];
      if (direct) {
        this.#run(step, sid, ts, to, {});
      } else if (TRANSITIONS[`${ts.state}->released`] && TRANSITIONS[`released->${to}`]) {
        this.#run(step, sid, ts, "released", {});
        if (ts.state === "released" && this.tasks.has(key)) step.recs.set(key, to);
      } else {
        throw new InvalidTransitionError(key, ts.state, to, this.story(key));
      }
    }
  }

  /** Hands queued tasks to workers with free slots, most urgent first. */
  #fillSlots(step: Step, sid: string): void {
    while (this.queued.size > 0) {
      const ts = this.queued.peek()!;
      const ws = this.decideWorker(ts);
      if (!ws) break;
      this.queued.pop();
      this.#run(step, sid, ts, "processing", {});
      this.#drain(step, sid);
    }
  }

  /** An idle worker asks the busiest one to give up a task it has not started. O(workers). */
  #stealForIdle(step: Step): void {
    if (this.queued.size > 0 || this.workers.size < 2) return;
    const victims: SchedulerWorker[] = [];
    const thieves: SchedulerWorker[] = [];
    for (const ws of this.workers.values()) {
      if (ws.processing.size > ws.nthreads) victims.push(ws);
      else if (ws.processing.size === 0 && !ws.paused && !ws.retiring) thieves.push(ws);
    }
    if (victims.length === 0 || thieves.length === 0) return;
    victims.sort((a, b) => b.processing.size / b.nthreads - a.processing.size / a.nthreads);
    let v = 0;
    for (const thief of thieves) {
      // Skip victims whose surplus is already being stolen.
      let pick: SchedulerTask | undefined;
      while (v < victims.length && !pick) {
        const victim = victims[v]!;
        let stealing = 0;
        for (const ts of victim.processing) {
          if (ts.stealTo !== undefined) stealing++;
          else if (!pick || ts.priority > pick.priority) pick = ts;
        }
        if (!pick || victim.processing.size - stealing <= victim.nthreads) { pick = undefined; v++; }
      }
      if (!pick) return;
      pick.stealTo = thief.id;
      step.out.push({ type: "steal-request", worker: pick.processingOn!.id, key: pick.key });
    }
  }

  #record(key: Key, from: SchedulerTaskStatus, to: SchedulerTaskStatus, stimulusId: string): void {
    this.transitionCount++;
    if (this.options.logSize <= 0) return;
    if (this.#log.length >= this.options.logSize) this.#log.splice(0, Math.ceil(this.options.logSize / 10));
    this.#log.push({ key, from, to, stimulusId, seq: this.#seq++ });
  }

  // ---- invariants ----

  /** Checks the invariants of one task; throws with its story when one fails. */
  validateTask(ts: SchedulerTask): void {
    const bad = (what: string): never => {
      throw new Error(`scheduler invariant broken for ${ts.key} (${ts.state}): ${what}\nstory: ${JSON.stringify(this.story(ts.key).slice(-10))}`);
    };
    if (ts.state === "forgotten") {
      if (this.tasks.has(ts.key)) bad("forgotten but still in the task map");
      return;
    }
    if (this.tasks.get(ts.key) !== ts) bad("not in the task map");
    if (ts.state === "memory") {
      if (ts.whoHas.size === 0) bad("in memory on no worker");
      for (const ws of ts.whoHas) if (!ws.hasWhat.has(ts) || this.workers.get(ws.id) !== ws) bad(`held by unknown worker ${ws.id}`);
    } else if (ts.whoHas.size > 0) bad("not in memory but has holders");
    if (ts.state === "processing") {
      const ws = ts.processingOn;
      if (!ws || !ws.processing.has(ts) || this.workers.get(ws.id) !== ws) bad("processing on no (live) worker");
      for (const dep of ts.dependencies) if (dep.state !== "memory") bad(`processing while dependency ${dep.key} is ${dep.state}`);
    } else if (ts.processingOn) bad("has processingOn but is not processing");
    if (ts.state === "queued") {
      if (!this.queued.has(ts)) bad("queued but not in the queue");
      for (const dep of ts.dependencies) if (dep.state !== "memory") bad(`queued while dependency ${dep.key} is ${dep.state}`);
    } else if (this.queued.has(ts)) bad("in the queue but not queued");
    if (ts.state === "waiting") {
      for (const dep of ts.waitingOn) if (dep.state === "memory") bad(`waiting on ${dep.key}, which is in memory`);
    }
    if (ts.state === "erred" && !ts.failure) bad("erred without a failure");
    for (const dep of ts.dependencies) if (!dep.dependents.has(ts) || this.tasks.get(dep.key) !== dep) bad(`dependency ${dep.key} is not linked back`);
  }

  /** Checks every invariant of the whole state. */
  validate(): void {
    for (const ts of this.tasks.values()) {
      this.validateTask(ts);
      if (ts.state === "waiting") {
        const notReady = [...ts.dependencies].filter((d) => d.state !== "memory");
        if (notReady.length === 0) throw new Error(`scheduler invariant broken for ${ts.key}: waiting with every dependency in memory`);
      }
      for (const w of ts.waiters) {
        if (!ts.dependents.has(w)) throw new Error(`scheduler invariant broken for ${ts.key}: waiter ${w.key} is not a dependent`);
      }
    }
    for (const ws of this.workers.values()) {
      if (ws.retiring && ws.processing.size > 0) throw new Error(`worker ${ws.id} is retiring but processes ${[...ws.processing].map((t) => t.key).join(", ")}`);
      for (const ts of ws.processing) if (ts.processingOn !== ws) throw new Error(`worker ${ws.id} lists ${ts.key} as processing, but it is ${ts.state}`);
      for (const ts of ws.hasWhat) if (!ts.whoHas.has(ws)) throw new Error(`worker ${ws.id} lists ${ts.key} as held, but the task does not know it`);
    }
  }
}
