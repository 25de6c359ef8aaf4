/**
 * The worker process: a thin shell around {@link WorkerState}. It connects to the
 * scheduler (handshake with the token), listens on its own port for peers fetching
 * data, runs tasks on its own thread pool (the threads executor's piscina pool and
 * batch protocol), keeps results in a {@link DataStore} that spills to disk above
 * ~65% of the memory limit and pauses new tasks above ~80%, and sends heartbeats.
 */
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { describeError } from "../../errors.js";
import { encodeValue, type Encoded } from "../../graph/codec.js";
import type { Key } from "../../graph/key.js";
import type { BatchRequest } from "../../graph/local/batch.js";
import { getPool } from "../../graph/local/pool.js";
import type { Task } from "../../graph/task.js";
import { connect, listen, type Comm, type Listener } from "../comm/index.js";
import { acceptHello, sayHello } from "../handshake.js";
import { createLogger, type Logger } from "../log.js";
import { PeerPool } from "../peer.js";
import { toRemoteError, type RemoteError, type WorkerToScheduler } from "../protocol/messages.js";
import { ACCEPTS, validateMessage } from "../protocol/validate.js";
import { WorkerState, type WorkerEvent, type WorkerInstruction } from "./state.js";
import { ScratchSpaces } from "./shards.js";
import { DataStore } from "./store.js";

/** Epoch milliseconds with sub-millisecond precision (the clock of task events). */
function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Fractions of the memory limit. */
export const SPILL_AT = 0.65;
export const SPILL_TO = 0.5;
export const PAUSE_AT = 0.8;

export interface WorkerServerOptions {
  /** The scheduler's address (`ws://host:8786`, `wss://…`, `inproc://…`). */
  scheduler: string;
  token: string;
  nthreads?: number;
  /** Bytes; default: a share of the machine's memory. */
  memoryLimit?: number;
  localDirectory?: string;
  name?: string;
  /** Host and port of the peer data port (default 127.0.0.1, any free port). */
  host?: string;
  peerPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  /** PEM of a CA to trust when connecting (scheduler, peers). */
  tlsCa?: string;
  /** Listen in process (tests). */
  inproc?: boolean;
  /** Only import op modules whose URL starts with one of these. */
  allowModules?: readonly string[];
  heartbeatMs?: number;
  logger?: Logger;
  /** How long to keep trying to re-register after losing the scheduler (default 60 s). */
  reconnectTimeoutMs?: number;
  /** Called when the worker stops (scheduler gone, close-worker). */
  onClose?: (reason: string) => void;
  validate?: boolean;
}

/** A running worker. */
export class WorkerServer {
  readonly #opts: WorkerServerOptions;
  readonly #log: Logger;
  #state: WorkerState;
  readonly store: DataStore;
  /** Files tasks leave for other workers (a shuffle's buckets). */
  readonly scratch: ScratchSpaces;
  readonly #peers: PeerPool;
  readonly #modules: string[] = [];
  readonly #refused: string[] = [];
  readonly #memoryLimit: number;
  #scheduler!: Comm;
  #listener!: Listener;
  #timer: NodeJS.Timeout | undefined;
  #id = "";
  #seq = 0;
  /** Bumped on re-registration: results of older work are ignored. */
  #epoch = 0;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Retiring: no reconnecting; `#retired` ends the wait for the scheduler's go. */
  #leaving = false;
  #retired: (() => void) | undefined;
  readonly #baselineRss = process.memoryUsage.rss();
  /** CPU time and wall clock at the last heartbeat (for its `cpu` figure). */
  #cpuMark = { usage: process.cpuUsage(), at: performance.now() };
  /** The run whose outcome is being handled: its times go on task-finished/erred. */
  #lastRun: { key: Key; startMs: number; stopMs: number } | undefined;

  private constructor(options: WorkerServerOptions) {
    this.#opts = options;
    this.#log = options.logger ?? createLogger("worker");
    const nthreads = options.nthreads ?? availableParallelism();
    this.#state = new WorkerState({ nthreads, validate: options.validate });
    this.#memoryLimit = options.memoryLimit ?? 0;
    const dir = join(options.localDirectory ?? tmpdir(), `tusk-worker-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
    this.store = new DataStore(dir);
    const self = this;
    this.scratch = new ScratchSpaces(`${dir}-scratch`, {
      get address() { return self.peerAddress; },
      announce: (owner) => { if (!this.#closed) this.#scheduler.send({ type: "scratch-added", keys: [owner as Key] }); },
      fetch: (address, owner, ranges) => this.#peers.getScratch(address, owner as Key, ranges),
    });
    this.#peers = new PeerPool({ token: options.token, role: "peer", connect: options.tlsCa ? { ca: options.tlsCa } : {} });
  }

  /** Starts the peer port, connects and registers with the scheduler. */
  static async start(options: WorkerServerOptions): Promise<WorkerServer> {
    const w = new WorkerServer(options);
    await w.#start();
    return w;
  }

  /** The worker's state machine (replaced when it re-registers with the scheduler). */
  get state(): WorkerState {
    return this.#state;
  }

  /** The id the scheduler gave this worker. */
  get id(): string {
    return this.#id;
  }

  /** Where peers fetch this worker's data. */
  get peerAddress(): string {
    return this.#listener.address;
  }

  async #start(): Promise<void> {
    const o = this.#opts;
    this.#listener = await listen({ host: o.host, port: o.peerPort ?? 0, tlsCert: o.tlsCert, tlsKey: o.tlsKey, inproc: o.inproc ? true : undefined }, (comm) => this.#onPeer(comm));
    try {
      await this.#register();
    } catch (error) {
      await this.#listener.close();
      throw error;
    }
    const every = o.heartbeatMs ?? 500;
    this.#timer = setInterval(() => this.#heartbeat(), every);
    this.#timer.unref();
    this.#log.info("worker started", { id: this.#id, scheduler: o.scheduler, peer: this.#listener.address, nthreads: this.#state.nthreads, memoryLimit: this.#memoryLimit || "none" });
  }

  /** Connects and says hello; wires the connection's handlers. */
  async #register(): Promise<void> {
    const o = this.#opts;
    const comm = await connect(o.scheduler, { timeoutMs: 10_000, ...(o.tlsCa ? { ca: o.tlsCa } : {}) });
    const welcome = await sayHello(comm, {
      role: "worker", token: o.token, name: o.name, nthreads: this.#state.nthreads,
      memoryLimit: this.#memoryLimit, peerAddress: this.#listener.address,
    });
    this.#scheduler = comm;
    this.#id = welcome.id;
    comm.onMessage((raw) => this.#onScheduler(raw));
    comm.onClose((info) => {
      if (!this.#closed && !this.#leaving && this.#scheduler === comm) void this.#reconnect(info.reason);
    });
  }

  /**
   * The scheduler closed the connection (it restarted, or thought this worker dead):
   * drop every task and result (the scheduler has already rescheduled them) and join
   * again as a fresh worker, retrying for a while before giving up.
   */
  async #reconnect(reason: string): Promise<void> {
    this.#log.warn("lost the connection to the scheduler; dropping work and reconnecting", { reason });
    this.#epoch++;
    this.#state = new WorkerState({ nthreads: this.#state.nthreads, validate: this.#opts.validate });
    for (const k of this.store.keys()) this.store.delete(k);
    this.scratch.clear();
    const deadline = Date.now() + (this.#opts.reconnectTimeoutMs ?? 60_000);
    while (!this.#closed && Date.now() < deadline) {
      try {
        await this.#register();
        this.#log.info("re-registered with the scheduler", { id: this.#id });
        return;
      } catch (error) {
        if ((error as { code?: string }).code === "ERR_AUTH") break;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    if (!this.#closed) {
      this.#log.error("could not reach the scheduler again; stopping", { scheduler: this.#opts.scheduler });
      await this.close(`lost the scheduler: ${reason}`, { notify: false });
    }
  }

  #sid(what: string): string {
    return `${what}-${++this.#seq}`;
  }

  #handle(event: WorkerEvent): void {
    let out: WorkerInstruction[];
    try {
      out = this.#state.handle(event);
    } catch (error) {
      this.#log.error("worker state machine failed", { event: event.type, error: (error as Error).stack ?? String(error) });
      return;
    }
    for (const i of out) {
      switch (i.type) {
        case "execute": this.#execute(i.key, i.task); break;
        case "gather": this.#gather(i.from, i.keys); break;
        case "send": if (!this.#closed) this.#scheduler.send(this.#withTimes(i.message)); break;
        case "release": this.store.delete(i.key); break;
      }
    }
  }

  /** Adds when the task ran to the report of the run being handled (the state machine keeps no clock). */
  #withTimes(m: WorkerToScheduler): WorkerToScheduler {
    const run = this.#lastRun;
    if (!run || (m.type !== "task-finished" && m.type !== "task-erred") || m.key !== run.key) return m;
    return { ...m, startMs: run.startMs, stopMs: run.stopMs };
  }

  /** Handles the outcome of running `key`, reporting when it ran. */
  #handleRun(event: WorkerEvent & { key: Key }, startMs: number): void {
    this.#lastRun = { key: event.key, startMs, stopMs: Math.max(startMs, epochMs()) };
    try {
      this.#handle(event);
    } finally {
      this.#lastRun = undefined;
    }
  }

  #onScheduler(raw: unknown): void {
    let m;
    try {
      m = validateMessage(raw, ACCEPTS.workerFromScheduler);
    } catch (error) {
      this.#log.error("bad message from the scheduler", { error: describeError(error) });
      return;
    }
    switch (m.type) {
      case "compute-task":
        this.#handle({ type: "compute-task", stimulusId: this.#sid("compute"), task: m.task, priority: m.priority, whoHas: m.whoHas });
        break;
      case "free-keys":
        this.#handle({ type: "free-keys", stimulusId: this.#sid("free"), keys: m.keys });
        break;
      case "steal-request":
        this.#handle({ type: "steal-request", stimulusId: this.#sid("steal"), key: m.key });
        break;
      case "import-modules":
        for (const url of m.modules) {
          const allow = this.#opts.allowModules;
          if (allow && !allow.some((prefix) => url.startsWith(prefix))) {
            if (!this.#refused.includes(url)) this.#refused.push(url);
            this.#log.warn("refused op module (not in --allow-modules)", { module: url });
          } else if (!this.#modules.includes(url)) this.#modules.push(url);
        }
        break;
      case "free-scratch":
        this.scratch.free(m.keys);
        break;
      case "acquire-keys":
        this.#acquire(m.from, m.keys);
        break;
      case "close-worker":
        if (this.#retired) { this.#retired(); break; }
        this.#log.info("asked to close", { reason: m.reason });
        void this.close(m.reason, { notify: false });
        break;
      case "error":
        this.#log.error("error from the scheduler", { error: m.error.message });
        break;
    }
  }

  #execute(key: Key, task: Task): void {
    const inputs: Array<readonly [Key, Encoded]> = [];
    const ts = this.#state.tasks.get(key);
    try {
      for (const dep of ts?.dependencies ?? []) {
        const v = this.store.get(dep.key);
        if (!v) throw new Error(`input ${dep.key} is not on this worker`);
        inputs.push([dep.key, v]);
      }
    } catch (error) {
      return this.#handle({ type: "execute-failure", stimulusId: this.#sid("exec-failed"), key, error: toRemoteError(error) });
    }
    const request: BatchRequest = { modules: this.#modules, tasks: [task], keep: new Uint8Array([1]), inputs };
    const epoch = this.#epoch;
    const startMs = epochMs();
    const scratch = this.scratch.forTask();
    const run = getPool(this.#state.nthreads).run({ ...request, scratch: scratch.spec });
    // A failed run may have reported lost scratch data just before it ended: let that message in first.
    const settled = run.then(async (r) => { if (r.failure && !scratch.lost) await new Promise((ok) => setImmediate(ok)); return r; });
    settled.finally(() => scratch.close()).then((response) => {
      if (!this.#closed && epoch === this.#epoch && response.failure && scratch.lost) {
        // It could not read another task's scratch files (their worker is gone): re-run it once they are redone.
        return this.#handle({ type: "execute-lost", stimulusId: this.#sid("exec-lost"), key, owner: scratch.lost.owner as Key, from: scratch.lost.address });
      }
      if (this.#closed || epoch !== this.#epoch) return;
      if (response.failure) {
        const f = response.failure;
        const error: RemoteError = { name: f.name ?? "Error", message: this.#explain(f.message), ...(f.stack ? { stack: f.stack } : {}) };
        return this.#handleRun({ type: "execute-failure", stimulusId: this.#sid("exec-failed"), key, error }, startMs);
      }
      // A plain scalar comes back without a wrapper (see BatchResponse).
      const result = response.encoded?.[0] === 1 ? (response.results[0] as Encoded) : encodeValue(response.results[0]);
      const nbytes = this.store.put(key, result);
      this.#handleRun({ type: "execute-success", stimulusId: this.#sid("exec-done"), key, nbytes }, startMs);
      this.#checkMemory();
    }, (error: unknown) => {
      if (this.#closed || epoch !== this.#epoch) return;
      this.#handleRun({ type: "execute-failure", stimulusId: this.#sid("exec-failed"), key, error: toRemoteError(error) }, startMs);
    });
  }

  #explain(message: string): string {
    if (this.#refused.length === 0 || !message.startsWith("Unknown op")) return message;
    return `${message}. This worker refused to import ${this.#refused.join(", ")} because it is not under --allow-modules (${(this.#opts.allowModules ?? []).join(", ")})`;
  }

  #gather(from: string, keys: Key[]): void {
    const epoch = this.#epoch;
    this.#peers.getData(from, keys).then((reply) => {
      if (this.#closed || epoch !== this.#epoch) return;
      const got: Array<[Key, number]> = [];
      for (const [k, v] of Object.entries(reply.values)) got.push([k as Key, this.store.put(k as Key, v)]);
      this.#handle({ type: "gather-success", stimulusId: this.#sid("gathered"), from, got, missing: reply.missing });
      this.#checkMemory();
    }, (error: unknown) => {
      if (this.#closed || epoch !== this.#epoch) return;
      this.#log.warn("could not fetch from a peer", { peer: from, keys: keys.length, error: describeError(error) });
      this.#handle({ type: "gather-failure", stimulusId: this.#sid("gather-failed"), from, keys });
    });
  }

  /** Copies a retiring worker's results here (the scheduler learns it through add-keys). */
  #acquire(from: string, keys: readonly Key[]): void {
    const epoch = this.#epoch;
    this.#peers.getData(from, keys).then((reply) => {
      if (this.#closed || epoch !== this.#epoch) return;
      const got: Key[] = [];
      const nbytes: number[] = [];
      for (const [k, v] of Object.entries(reply.values)) {
        got.push(k as Key);
        nbytes.push(this.store.put(k as Key, v));
      }
      this.#handle({ type: "data-received", stimulusId: this.#sid("acquired"), keys: got, nbytes });
      this.#checkMemory();
    }, (error: unknown) => {
      this.#log.warn("could not take over a retiring worker's results", { from, keys: keys.length, error: describeError(error) });
    });
  }

  #onPeer(comm: Comm): void {
    acceptHello(comm, { token: this.#opts.token, roles: ["peer", "client"], id: () => `peer-${++this.#seq}` }).then(() => {
      comm.onMessage((raw) => {
        try {
          const m = validateMessage(raw, ACCEPTS.peerServer);
          if (m.type === "get-scratch") {
            this.scratch.serve(m.owner, m.ranges).then(
              (data) => comm.send({ type: "scratch-data", id: m.id, data }),
              (error: unknown) => comm.send({ type: "error", id: m.id, error: toRemoteError(error) }),
            );
            return;
          }
          if (m.type === "get-data") {
            const values: Record<string, Encoded> = {};
            const missing: Key[] = [];
            for (const key of m.keys) {
              const v = this.#state.tasks.get(key)?.state === "memory" ? this.store.get(key) : undefined;
              if (v) values[key] = v;
              else missing.push(key);
            }
            comm.send({ type: "data", id: m.id, values, missing });
          } else {
            const keys: Key[] = [];
            const nbytes: number[] = [];
            for (const [k, v] of Object.entries(m.values)) {
              keys.push(k as Key);
              nbytes.push(this.store.put(k as Key, v));
            }
            this.#handle({ type: "data-received", stimulusId: this.#sid("put-data"), keys, nbytes });
            comm.send({ type: "put-data-ack", id: m.id });
            this.#checkMemory();
          }
        } catch (error) {
          comm.send({ type: "error", error: toRemoteError(error) });
          comm.close(`protocol error: ${describeError(error)}`);
        }
      });
    }, () => { /* refused: acceptHello already answered and closed */ });
  }

  /** Spills above SPILL_AT of the limit; pauses above PAUSE_AT. */
  #checkMemory(): void {
    const limit = this.#memoryLimit;
    if (!limit) return;
    if (this.store.memoryBytes > limit * SPILL_AT) {
      const n = this.store.spillDownTo(limit * SPILL_TO);
      if (n > 0) this.#log.debug("spilled to disk", { values: n, memory: this.store.memoryBytes });
    }
    // Pause when managed data cannot be spilled below 80%, or when the whole process is
    // above 80% (only meaningful when the limit is well above what the process needs empty).
    const rss = process.memoryUsage.rss();
    const rssGuard = limit > 2 * this.#baselineRss && rss > limit * PAUSE_AT;
    const pause = this.store.memoryBytes > limit * PAUSE_AT || rssGuard;
    if (pause !== this.#state.paused) {
      this.#log.info(pause ? "pausing: memory above 80% of the limit" : "resuming", { managed: this.store.memoryBytes, rss, limit });
      this.#handle({ type: pause ? "pause" : "unpause", stimulusId: this.#sid("memory") });
    }
  }

  #heartbeat(): void {
    if (this.#closed) return;
    this.#checkMemory();
    const now = performance.now();
    const used = process.cpuUsage(this.#cpuMark.usage);
    const cpu = now > this.#cpuMark.at ? ((used.user + used.system) / 1000 / (now - this.#cpuMark.at)) * 100 : 0;
    this.#cpuMark = { usage: process.cpuUsage(), at: now };
    this.#scheduler.send({
      type: "heartbeat", memory: process.memoryUsage.rss(), managed: this.store.memoryBytes,
      spilled: this.store.spilledBytes, paused: this.#state.paused, cpu, executing: this.#state.executing,
    });
  }

  /**
   * Stops the worker. With `notify` (the default) it first tells the scheduler it is
   * leaving, so its results are recomputed elsewhere without counting against the tasks
   * it was running. With `handOff` (SIGTERM, SIGINT) it first retires: the scheduler has
   * other workers copy the results only it holds, then lets it go; after
   * `handOffTimeoutMs` (default 30 s) it leaves anyway.
   * @example await worker.close("scaling down", { handOff: true });
   */
  close(reason = "closing", options: { notify?: boolean; handOff?: boolean; handOffTimeoutMs?: number } = {}): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = (async () => {
      if (options.handOff && !this.#closed && !this.#scheduler.closed) await this.#handOff(reason, options.handOffTimeoutMs ?? 30_000);
      if (!this.#closed && (options.notify ?? true) && !this.#scheduler.closed) {
        this.#scheduler.send({ type: "worker-leaving", reason });
      }
      this.#closed = true;
      if (this.#timer) clearInterval(this.#timer);
      this.#scheduler.close(reason);
      this.#peers.close();
      await this.#listener.close();
      this.store.close();
      this.scratch.close();
      this.#log.info("worker stopped", { id: this.#id, reason });
      this.#opts.onClose?.(reason);
    })();
    return this.#closing;
  }

  /** Retires: waits until the scheduler says its results are held elsewhere (bounded). */
  async #handOff(reason: string, timeoutMs: number): Promise<void> {
    this.#leaving = true;
    const comm = this.#scheduler;
    const started = Date.now();
    const how = await new Promise<string>((resolve) => {
      const done = (how: string): void => {
        clearTimeout(timer);
        this.#retired = undefined;
        resolve(how);
      };
      const timer = setTimeout(() => done("timed out"), timeoutMs);
      this.#retired = () => done("done");
      comm.onClose(() => done("the scheduler closed the connection"));
      comm.send({ type: "worker-retiring", reason });
    });
    if (how === "done") this.#log.info("handed off its results", { ms: Date.now() - started });
    else this.#log.warn("hand-off incomplete; leaving (the scheduler recomputes what only this worker held)", { reason: how, ms: Date.now() - started });
  }
}
