/**
 * The worker as a pure state machine: events in (from the scheduler, the thread pool,
 * peer fetches, the memory monitor), instructions out. No I/O; ./server.ts carries out
 * the instructions.
 *
 * A task the scheduler asks for goes `waiting` (inputs missing) → `ready` → `executing`
 * → `memory` (or `error`). An input that lives on another worker goes `fetch` →
 * `flight` (being fetched from a peer, several keys per request) → `memory`; if no
 * holder has it any more it is reported `missing-data` so the scheduler recomputes it.
 * At most `nthreads` tasks execute at once, most urgent first; none start while the
 * worker is paused (memory above ~80% of its limit). Fetched inputs are dropped when
 * the last local task that reads them is done; results the scheduler knows about are
 * dropped only when it says `free-keys`.
 */
import { InvalidTransitionError } from "../../errors.js";
import type { Key } from "../../graph/key.js";
import { dependencies as depsOf, type Task } from "../../graph/task.js";
import type { RemoteError, WorkerToScheduler } from "../protocol/messages.js";

export type WorkerTaskStatus = "released" | "waiting" | "ready" | "executing" | "fetch" | "flight" | "memory" | "error" | "cancelled";

/** A task (or a fetched input) on a worker. */
export interface WorkerTask {
  readonly key: Key;
  state: WorkerTaskStatus;
  /** Set when the scheduler asked this worker to compute it. */
  task: Task | undefined;
  priority: number;
  readonly dependencies: Set<WorkerTask>;
  readonly dependents: Set<WorkerTask>;
  readonly waitingFor: Set<WorkerTask>;
  /** Peers that hold it (for inputs). */
  readonly whoHas: Set<string>;
  nbytes: number;
  /** The scheduler knows this worker holds it (computed here or handed off). */
  reported: boolean;
}

export type WorkerEvent =
  | { type: "compute-task"; stimulusId: string; task: Task; priority: number; whoHas: Readonly<Record<string, readonly string[]>> }
  | { type: "free-keys"; stimulusId: string; keys: readonly Key[] }
  | { type: "steal-request"; stimulusId: string; key: Key }
  | { type: "execute-success"; stimulusId: string; key: Key; nbytes: number }
  | { type: "execute-failure"; stimulusId: string; key: Key; error: RemoteError }
  /** The run failed because scratch files of `owner` on the worker at `from` were gone. */
  | { type: "execute-lost"; stimulusId: string; key: Key; owner: Key; from: string }
  | { type: "gather-success"; stimulusId: string; from: string; got: ReadonlyArray<readonly [Key, number]>; missing: readonly Key[] }
  | { type: "gather-failure"; stimulusId: string; from: string; keys: readonly Key[] }
  | { type: "data-received"; stimulusId: string; keys: readonly Key[]; nbytes: readonly number[] }
  | { type: "pause"; stimulusId: string }
  | { type: "unpause"; stimulusId: string };

export type WorkerInstruction =
  | { type: "execute"; key: Key; task: Task }
  | { type: "gather"; from: string; keys: Key[] }
  | { type: "send"; message: WorkerToScheduler }
  | { type: "release"; key: Key };

export interface WorkerStateOptions {
  nthreads: number;
  /** Concurrent fetches from peers. */
  maxGathers?: number;
  /** Keys asked of one peer at once. */
  maxKeysPerGather?: number;
  validate?: boolean;
  logSize?: number;
}

interface Step { out: WorkerInstruction[] }

/** A worker's state. */
export class WorkerState {
  readonly tasks = new Map<Key, WorkerTask>();
  readonly nthreads: number;
  readonly #ready: WorkerTask[] = [];
  readonly #fetch = new Set<WorkerTask>();
  readonly #busyPeers = new Set<string>();
  readonly #opts: Required<WorkerStateOptions>;
  readonly #log: Array<{ key: Key; from: WorkerTaskStatus; to: WorkerTaskStatus; stimulusId: string }> = [];
  executing = 0;
  gathers = 0;
  paused = false;

  constructor(options: WorkerStateOptions) {
    this.nthreads = options.nthreads;
    this.#opts = { maxGathers: 8, maxKeysPerGather: 200, validate: false, logSize: 10_000, ...options };
  }

  /** Applies one event. */
  handle(event: WorkerEvent): WorkerInstruction[] {
    const step: Step = { out: [] };
    const sid = event.stimulusId;
    switch (event.type) {
      case "compute-task": this.#computeTask(event.task, event.priority, event.whoHas, step, sid); break;
      case "free-keys": for (const k of event.keys) this.#free(k, step, sid); break;
      case "steal-request": {
        const ts = this.tasks.get(event.key);
        const accepted = !!ts && ts.task !== undefined && (ts.state === "waiting" || ts.state === "ready");
        if (accepted) {
          ts.reported = false;
          this.#release(ts!, step, sid);
        }
        step.out.push({ type: "send", message: { type: "steal-response", key: event.key, accepted } });
        break;
      }
      case "execute-success": {
        const ts = this.tasks.get(event.key);
        if (!ts) break;
        this.executing--;
        if (ts.state === "cancelled") {
          this.#move(ts, "released", sid);
          this.#forgetIfUnused(ts, step, sid, true);
          break;
        }
        if (ts.state !== "executing") break;
        ts.nbytes = event.nbytes;
        ts.reported = true;
        this.#move(ts, "memory", sid);
        step.out.push({ type: "send", message: { type: "task-finished", key: ts.key, nbytes: ts.nbytes } });
        this.#inMemory(ts, step, sid);
        this.#doneReading(ts, step, sid);
        break;
      }
      case "execute-failure":
      case "execute-lost": {
        const ts = this.tasks.get(event.key);
        if (!ts) break;
        this.executing--;
        if (ts.state === "cancelled") {
          this.#move(ts, "released", sid);
          this.#forgetIfUnused(ts, step, sid, false);
          break;
        }
        if (ts.state !== "executing") break;
        this.#move(ts, "error", sid);
        step.out.push({
          type: "send",
          message: event.type === "execute-lost"
            ? { type: "scratch-lost", key: ts.key, owner: event.owner, from: event.from }
            : { type: "task-erred", key: ts.key, error: event.error },
        });
        this.#doneReading(ts, step, sid);
        break;
      }
      case "gather-success":
      case "gather-failure": {
        this.gathers--;
        this.#busyPeers.delete(event.from);
        const got = event.type === "gather-success" ? event.got : [];
        const missing = event.type === "gather-success" ? event.missing : event.keys;
        for (const [key, nbytes] of got) {
          const ts = this.tasks.get(key);
          if (!ts) { step.out.push({ type: "release", key }); continue; }
          if (ts.state !== "flight") continue;
          ts.nbytes = nbytes;
          this.#move(ts, "memory", sid);
          this.#inMemory(ts, step, sid);
          if (ts.dependents.size === 0) this.#forgetIfUnused(ts, step, sid, true);
        }
        for (const key of missing) {
          const ts = this.tasks.get(key);
          if (!ts || ts.state !== "flight") continue;
          ts.whoHas.delete(event.from);
          if (event.type === "gather-failure") for (const t of this.tasks.values()) t.whoHas.delete(event.from);
          if (ts.whoHas.size > 0) {
            this.#move(ts, "fetch", sid);
            this.#fetch.add(ts);
            continue;
          }
          this.#move(ts, "released", sid);
          for (const dependent of ts.dependents) {
            step.out.push({ type: "send", message: { type: "missing-data", key: dependent.key, missing: ts.key, from: event.from } });
          }
        }
        break;
      }
      case "data-received": {
        event.keys.forEach((key, i) => {
          let ts = this.tasks.get(key);
          if (!ts) { ts = this.#newTask(key); }
          if (ts.state === "memory") return;
          if (ts.state === "executing") this.executing--;
          this.#fetch.delete(ts);
          ts.nbytes = event.nbytes[i] ?? 0;
          ts.reported = true;
          this.#move(ts, "memory", sid);
          this.#inMemory(ts, step, sid);
        });
        if (event.keys.length > 0) step.out.push({ type: "send", message: { type: "add-keys", keys: [...event.keys], nbytes: [...event.nbytes] } });
        break;
      }
      case "pause": this.paused = true; break;
      case "unpause": this.paused = false; break;
    }
    this.#startExecuting(step, sid);
    this.#startGathering(step, sid);
    if (this.#opts.validate) this.validate();
    return step.out;
  }

  /** Transitions of one key (bounded log). */
  story(key: Key): ReadonlyArray<{ from: WorkerTaskStatus; to: WorkerTaskStatus; stimulusId: string }> {
    return this.#log.filter((r) => r.key === key);
  }

  /** Keys this worker holds whose existence the scheduler knows (for hand-off). */
  heldKeys(): Key[] {
    return [...this.tasks.values()].filter((t) => t.state === "memory").map((t) => t.key);
  }

  get readyCount(): number {
    return this.#ready.length;
  }

  #newTask(key: Key): WorkerTask {
    const ts: WorkerTask = {
      key, state: "released", task: undefined, priority: 0, dependencies: new Set(), dependents: new Set(),
      waitingFor: new Set(), whoHas: new Set(), nbytes: 0, reported: false,
    };
    this.tasks.set(key, ts);
    return ts;
  }

  #computeTask(task: Task, priority: number, whoHas: Readonly<Record<string, readonly string[]>>, step: Step, sid: string): void {
    let ts = this.tasks.get(task.key);
    if (ts && (ts.state === "memory")) {
      ts.reported = true;
      step.out.push({ type: "send", message: { type: "task-finished", key: ts.key, nbytes: ts.nbytes } });
      return;
    }
    if (ts && (ts.state === "executing" || ts.state === "ready")) return;
    if (ts && ts.state === "cancelled") {
      // Asked again while the cancelled run is still going: let it count.
      ts.task = task;
      this.#move(ts, "executing", sid);
      return;
    }
    if (!ts) ts = this.#newTask(task.key);
    if (ts.state === "fetch" || ts.state === "flight") this.#fetch.delete(ts);
    ts.task = task;
    ts.priority = priority;
    ts.waitingFor.clear();
    for (const k of depsOf(task)) {
      const dep = this.tasks.get(k) ?? this.#newTask(k);
      ts.dependencies.add(dep);
      dep.dependents.add(ts);
      for (const w of whoHas[k] ?? []) dep.whoHas.add(w);
      if (dep.state === "memory") continue;
      ts.waitingFor.add(dep);
      if (dep.state === "released" || dep.state === "error") {
        this.#move(dep, "fetch", sid);
        this.#fetch.add(dep);
      }
    }
    if (ts.waitingFor.size === 0) this.#makeReady(ts, sid);
    else this.#move(ts, "waiting", sid);
  }

  #makeReady(ts: WorkerTask, sid: string): void {
    this.#move(ts, "ready", sid);
    const r = this.#ready;
    r.push(ts);
    let i = r.length - 1;
    while (i > 0 && r[i - 1]!.priority < ts.priority) { r[i] = r[i - 1]!; i--; }
    r[i] = ts;
  }

  #inMemory(ts: WorkerTask, _step: Step, sid: string): void {
    for (const dependent of ts.dependents) {
      if (dependent.state !== "waiting") continue;
      dependent.waitingFor.delete(ts);
      if (dependent.waitingFor.size === 0) this.#makeReady(dependent, sid);
    }
  }

  /** A computed task is done with its inputs: drop fetched inputs nobody else reads. */
  #doneReading(ts: WorkerTask, step: Step, sid: string): void {
    for (const dep of ts.dependencies) {
      dep.dependents.delete(ts);
      this.#forgetIfUnused(dep, step, sid, dep.state === "memory");
    }
    ts.dependencies.clear();
  }

  #forgetIfUnused(ts: WorkerTask, step: Step, sid: string, hasData: boolean): void {
    if (ts.dependents.size > 0 || ts.reported || ts.task !== undefined && ts.state !== "released") return;
    if (hasData) step.out.push({ type: "release", key: ts.key });
    this.#fetch.delete(ts);
    if (ts.state === "flight") return; // dropped when the fetch comes back
    if (ts.state !== "released") this.#log.push({ key: ts.key, from: ts.state, to: "released", stimulusId: sid });
    this.tasks.delete(ts.key);
  }

  #free(key: Key, step: Step, sid: string): void {
    const ts = this.tasks.get(key);
    if (!ts) return;
    ts.reported = false;
    this.#release(ts, step, sid);
  }

  #release(ts: WorkerTask, step: Step, sid: string): void {
    switch (ts.state) {
      case "executing":
        this.#move(ts, "cancelled", sid);
        this.#doneReading(ts, step, sid);
        return;
      case "ready": {
        const i = this.#ready.indexOf(ts);
        if (i >= 0) this.#ready.splice(i, 1);
        break;
      }
      case "fetch": this.#fetch.delete(ts); break;
      case "cancelled": case "flight": return;
    }
    const hadData = ts.state === "memory";
    this.#move(ts, "released", sid);
    ts.task = undefined;
    ts.waitingFor.clear();
    this.#doneReading(ts, step, sid);
    this.#forgetIfUnused(ts, step, sid, hadData);
    if (hadData && this.tasks.has(ts.key)) {
      // Still read by a local task: keep the data but the scheduler no longer counts it.
      return;
    }
  }

  #startExecuting(step: Step, sid: string): void {
    while (!this.paused && this.executing < this.nthreads && this.#ready.length > 0) {
      const ts = this.#ready.pop()!;
      this.executing++;
      this.#move(ts, "executing", sid);
      step.out.push({ type: "execute", key: ts.key, task: ts.task! });
    }
  }

  #startGathering(step: Step, sid: string): void {
    if (this.#fetch.size === 0) return;
    const byPeer = new Map<string, WorkerTask[]>();
    for (const ts of [...this.#fetch].sort((a, b) => minPriority(a) - minPriority(b))) {
      if (ts.whoHas.size === 0) {
        this.#fetch.delete(ts);
        this.#move(ts, "released", sid);
        for (const dependent of ts.dependents) {
          step.out.push({ type: "send", message: { type: "missing-data", key: dependent.key, missing: ts.key, from: "" } });
        }
        continue;
      }
      const holders = [...ts.whoHas];
      const peer = holders.find((p) => !this.#busyPeers.has(p) && (byPeer.get(p)?.length ?? 0) < this.#opts.maxKeysPerGather) ?? undefined;
      if (!peer) continue;
      let list = byPeer.get(peer);
      if (!list) {
        if (this.gathers + byPeer.size >= this.#opts.maxGathers) continue;
        byPeer.set(peer, (list = []));
      }
      list.push(ts);
    }
    for (const [peer, list] of byPeer) {
      this.gathers++;
      this.#busyPeers.add(peer);
      for (const ts of list) {
        this.#fetch.delete(ts);
        this.#move(ts, "flight", sid);
      }
      step.out.push({ type: "gather", from: peer, keys: list.map((t) => t.key) });
    }
  }

  #move(ts: WorkerTask, to: WorkerTaskStatus, sid: string): void {
    const from = ts.state;
    if (from === to) return;
    if (!ALLOWED.has(`${from}->${to}`)) throw new InvalidTransitionError(ts.key, from, to, this.story(ts.key));
    ts.state = to;
    if (this.#opts.logSize > 0) {
      if (this.#log.length >= this.#opts.logSize) this.#log.splice(0, Math.ceil(this.#opts.logSize / 10));
      this.#log.push({ key: ts.key, from, to, stimulusId: sid });
    }
  }

  /** Checks the invariants; throws on the first broken one. */
  validate(): void {
    let executing = 0;
    for (const ts of this.tasks.values()) {
      if (ts.state === "executing" || ts.state === "cancelled") executing++;
      if (ts.state === "waiting") {
        if (ts.waitingFor.size === 0) throw new Error(`worker invariant: ${ts.key} waiting for nothing`);
        for (const d of ts.waitingFor) if (d.state === "memory") throw new Error(`worker invariant: ${ts.key} waiting for ${d.key}, which is in memory`);
      }
      if (ts.state === "ready" && !this.#ready.includes(ts)) throw new Error(`worker invariant: ${ts.key} ready but not queued`);
      if (ts.state === "fetch" && !this.#fetch.has(ts)) throw new Error(`worker invariant: ${ts.key} to fetch but not in the fetch set`);
      for (const d of ts.dependencies) if (!d.dependents.has(ts)) throw new Error(`worker invariant: ${d.key} does not list dependent ${ts.key}`);
    }
    if (executing !== this.executing) throw new Error(`worker invariant: ${executing} tasks executing, counter says ${this.executing}`);
    if (this.executing > this.nthreads) throw new Error(`worker invariant: ${this.executing} executing on ${this.nthreads} threads`);
  }
}

function minPriority(ts: WorkerTask): number {
  let p = Infinity;
  for (const d of ts.dependents) p = Math.min(p, d.priority);
  return p;
}

/** The worker's transition table. */
const ALLOWED = new Set<string>([
  "released->waiting", "released->ready", "released->fetch", "released->memory",
  "waiting->ready", "waiting->released", "waiting->memory",
  "ready->executing", "ready->released", "ready->memory",
  "executing->memory", "executing->error", "executing->cancelled",
  "cancelled->released", "cancelled->executing", "cancelled->memory",
  "fetch->flight", "fetch->released", "fetch->memory", "fetch->waiting", "fetch->ready",
  "flight->memory", "flight->fetch", "flight->released",
  "memory->released",
  "error->released", "error->fetch", "error->waiting", "error->ready",
]);
