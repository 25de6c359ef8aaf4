/**
 * The scheduler process: a thin network shell around {@link SchedulerState}. It accepts
 * connections (handshake with the token first), turns validated messages into events,
 * routes the instructions to workers and clients, watches heartbeats, and serves the
 * dashboard (../dashboard/). It records what the dashboard shows — the workers' last
 * heartbeats, a bounded stream of finished tasks, progress per task group — and sends
 * `task-events` to clients that asked for them. A bad message gets an error reply and
 * its connection closed; the scheduler keeps running.
 */
import { ProtocolError, describeError } from "../../errors.js";
import { keyPrefix, type Key } from "../../graph/key.js";
import { listen, type Comm, type Listener } from "../comm/index.js";
import { acceptHello } from "../handshake.js";
import { createLogger, type Logger } from "../log.js";
import type { DashboardSnapshot } from "../dashboard/model.js";
import { DashboardRecorder } from "../dashboard/recorder.js";
import { DashboardServer } from "../dashboard/server.js";
import { toRemoteError, type SchedulerToClient, type SchedulerToWorker, type TaskEventWire } from "../protocol/messages.js";
import { ACCEPTS, validateMessage } from "../protocol/validate.js";
import { SchedulerState } from "./state.js";
import type { SchedulerEvent, SchedulerInstruction, SchedulerStateOptions } from "./types.js";

export interface SchedulerServerOptions {
  host?: string;
  port?: number;
  /** Port of the HTTP dashboard; `null` for none. */
  dashboardPort?: number | null;
  token: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Listen in process (`inproc://…`) instead of on a socket (tests). */
  inproc?: string | true;
  /** A worker that sends nothing for this long is declared dead (default 10 s). */
  heartbeatTimeoutMs?: number;
  logger?: Logger;
  state?: SchedulerStateOptions;
  /** Finished tasks kept for the dashboard's task stream (default 10,000). */
  taskStreamSize?: number;
}

/** Task events waiting to go to a client that asked for them. */
interface EventSubscription {
  /** Keys of its graphs (pruned of forgotten keys as it grows). */
  readonly keys: Set<Key>;
  pruneAt: number;
  pending: TaskEventWire[];
  timer: NodeJS.Timeout | undefined;
}

/** Task events go to clients in batches of at most this many, or every 100 ms. */
const EVENT_BATCH = 1000;

interface Peer {
  readonly id: string;
  readonly comm: Comm;
  readonly role: "client" | "worker";
  lastSeen: number;
  address?: string;
}

/** A running scheduler. */
export class SchedulerServer {
  readonly state: SchedulerState;
  readonly #opts: SchedulerServerOptions;
  readonly #log: Logger;
  readonly #workers = new Map<string, Peer>();
  readonly #clients = new Map<string, Peer>();
  readonly #modules: string[] = [];
  #listener: Listener | undefined;
  #dashboard: DashboardServer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #groupTimer: NodeJS.Timeout | undefined;
  readonly #recorder: DashboardRecorder;
  readonly #subs = new Map<string, EventSubscription>();
  #seq = 0;
  #closed = false;
  #lastCheck = Date.now();

  private constructor(options: SchedulerServerOptions) {
    this.#opts = options;
    this.#log = options.logger ?? createLogger("scheduler");
    this.state = new SchedulerState(options.state);
    this.#recorder = new DashboardRecorder(this.state, options.taskStreamSize ?? 10_000);
  }

  /** Starts listening. */
  static async start(options: SchedulerServerOptions): Promise<SchedulerServer> {
    const server = new SchedulerServer(options);
    await server.#start();
    return server;
  }

  /** The address workers and clients connect to. */
  get address(): string {
    return this.#listener!.address;
  }

  /** Where the dashboard is (it needs the token: `?token=` once, or `Authorization: Bearer`). */
  get dashboardUrl(): string | undefined {
    return this.#dashboard?.url;
  }

  async #start(): Promise<void> {
    const o = this.#opts;
    this.#listener = await listen({ host: o.host, port: o.port ?? 8786, tlsCert: o.tlsCert, tlsKey: o.tlsKey, inproc: o.inproc }, (comm) => this.#onConnection(comm));
    if (o.dashboardPort !== null && o.inproc === undefined) {
      try {
        this.#dashboard = await DashboardServer.start({
          host: o.host ?? "127.0.0.1", port: o.dashboardPort ?? 8787, token: o.token, logger: this.#log,
          snapshot: (since) => this.dashboardSnapshot(since),
        });
      } catch (error) {
        await this.#listener.close();
        throw error;
      }
      // Progress bars need the groups counted even while nobody looks (a finished group
      // starts a fresh bar when its tasks come back).
      this.#groupTimer = setInterval(() => this.#recorder.observe(Date.now()), 1000);
      this.#groupTimer.unref();
    }
    const timeout = o.heartbeatTimeoutMs ?? 10_000;
    this.#timer = setInterval(() => this.#checkHeartbeats(timeout), Math.min(1000, timeout / 2));
    this.#timer.unref();
  }

  #stimulus(what: string): string {
    return `${what}-${++this.#seq}`;
  }

  #onConnection(comm: Comm): void {
    acceptHello(comm, {
      token: this.#opts.token,
      roles: ["client", "worker"],
      id: (hello) => (hello.role === "worker" ? this.#workerId(hello.name) : `client-${++this.#seq}`),
    }).then((hello) => {
      const peer: Peer = { id: hello.id, comm, role: hello.role as "client" | "worker", lastSeen: Date.now() };
      if (peer.role === "worker") {
        if (!hello.peerAddress || !hello.nthreads) {
          comm.send({ type: "error", error: toRemoteError(new ProtocolError("a worker's hello must carry nthreads and peerAddress")) });
          comm.close("bad worker hello");
          return;
        }
        peer.address = hello.peerAddress;
        this.#workers.set(peer.id, peer);
        this.#log.info("worker joined", { id: peer.id, address: hello.peerAddress, nthreads: hello.nthreads });
        if (this.#modules.length > 0) comm.send({ type: "import-modules", modules: [...this.#modules] });
        this.#event({ type: "worker-added", stimulusId: this.#stimulus("worker-added"), worker: peer.id, address: hello.peerAddress, nthreads: hello.nthreads, memoryLimit: hello.memoryLimit ?? 0 });
      } else {
        this.#clients.set(peer.id, peer);
        this.#log.info("client connected", { id: peer.id, from: comm.peer });
        this.#event({ type: "client-added", stimulusId: this.#stimulus("client-added"), client: peer.id });
      }
      comm.onMessage((raw) => this.#onMessage(peer, raw));
      comm.onClose((info) => this.#onClose(peer, info.reason));
    }, (error: unknown) => {
      this.#log.warn("connection refused", { from: comm.peer, reason: describeError(error) });
    });
  }

  #workerId(name: string | undefined): string {
    const base = name && name.length > 0 ? name : `worker-${this.#seq + 1}`;
    let id = base;
    for (let i = 2; this.#workers.has(id) || this.state.workers.has(id); i++) id = `${base}-${i}`;
    this.#seq++;
    return id;
  }

  #onMessage(peer: Peer, raw: unknown): void {
    peer.lastSeen = Date.now();
    try {
      if (peer.role === "client") {
        const m = validateMessage(raw, ACCEPTS.schedulerFromClient);
        switch (m.type) {
          case "update-graph": {
            const fresh = m.modules.filter((u) => !this.#modules.includes(u));
            if (fresh.length > 0) {
              this.#modules.push(...fresh);
              for (const w of this.#workers.values()) w.comm.send({ type: "import-modules", modules: fresh });
            }
            if (m.taskEvents) this.#subscribe(peer.id, m.tasks.map((t) => t.key));
            this.#event({ type: "graph-submitted", stimulusId: this.#stimulus("update-graph"), client: peer.id, tasks: m.tasks, keys: m.keys, retries: m.retries });
            break;
          }
          case "release-keys":
            this.#event({ type: "keys-released", stimulusId: this.#stimulus("release"), client: peer.id, keys: m.keys });
            break;
          case "who-has": {
            const who: Record<string, string[]> = {};
            for (const key of m.keys) {
              const ts = this.state.tasks.get(key);
              who[key] = ts ? [...ts.whoHas].map((w) => w.address) : [];
            }
            peer.comm.send({ type: "who-has-reply", id: m.id, who });
            break;
          }
        }
      } else {
        const m = validateMessage(raw, ACCEPTS.schedulerFromWorker);
        const worker = peer.id;
        switch (m.type) {
          case "heartbeat":
            this.#recorder.heartbeat(worker, { rss: m.memory, managed: m.managed, spilled: m.spilled, cpu: m.cpu, executing: m.executing, atMs: Date.now() });
            if (this.state.workers.get(worker)?.paused !== m.paused) {
              this.#log.info(m.paused ? "worker paused (memory)" : "worker resumed", { id: worker, memory: m.memory });
              this.#event({ type: "worker-status", stimulusId: this.#stimulus("heartbeat"), worker, paused: m.paused });
            }
            break;
          case "task-finished":
            this.#taskRan(worker, m.key, "ok", m.startMs, m.stopMs, m.nbytes);
            this.#event({ type: "task-finished", stimulusId: this.#stimulus("task-finished"), worker, key: m.key, nbytes: m.nbytes });
            break;
          case "task-erred":
            this.#taskRan(worker, m.key, "error", m.startMs, m.stopMs);
            this.#event({ type: "task-erred", stimulusId: this.#stimulus("task-erred"), worker, key: m.key, error: m.error });
            break;
          case "missing-data":
            this.#event({ type: "missing-data", stimulusId: this.#stimulus("missing-data"), worker, key: m.key, missing: m.missing, from: m.from });
            break;
          case "steal-response":
            this.#event({ type: "steal-response", stimulusId: this.#stimulus("steal"), worker, key: m.key, accepted: m.accepted });
            break;
          case "add-keys":
            this.#event({ type: "keys-added", stimulusId: this.#stimulus("add-keys"), worker, keys: m.keys, nbytes: m.nbytes });
            break;
          case "worker-retiring":
            this.#log.info("worker retiring: moving its results to other workers", { id: worker, reason: m.reason });
            this.#event({ type: "worker-retiring", stimulusId: this.#stimulus("retiring"), worker });
            break;
          case "scratch-added":
            this.#event({ type: "scratch-added", stimulusId: this.#stimulus("scratch-added"), worker, keys: m.keys });
            break;
          case "scratch-lost":
            this.#event({ type: "scratch-lost", stimulusId: this.#stimulus("scratch-lost"), worker, key: m.key, owner: m.owner, from: m.from });
            break;
          case "worker-leaving":
            this.#log.info("worker leaving", { id: worker, reason: m.reason });
            this.#dropWorker(peer, m.reason, true);
            break;
        }
      }
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#log.warn("bad message; closing the connection", { from: peer.id, error: error.message });
        peer.comm.send({ type: "error", error: toRemoteError(error) });
        peer.comm.close(`protocol error: ${error.message}`);
      } else {
        // A bug in the state machine must not take the cluster down: log it with context.
        this.#log.error("internal error while handling a message", { from: peer.id, error: (error as Error).stack ?? String(error) });
      }
    }
  }

  #event(event: SchedulerEvent): void {
    let out: SchedulerInstruction[];
    try {
      out = this.state.handle(event);
    } catch (error) {
      this.#log.error("scheduler state machine failed", { event: event.type, stimulusId: event.stimulusId, error: (error as Error).stack ?? String(error) });
      return;
    }
    this.#route(out);
  }

  #route(out: SchedulerInstruction[]): void {
    for (const i of out) {
      switch (i.type) {
        case "compute":
          this.#toWorker(i.worker, { type: "compute-task", task: i.task, priority: i.priority, whoHas: i.whoHas });
          break;
        case "free-keys":
          this.#toWorker(i.worker, { type: "free-keys", keys: i.keys });
          break;
        case "free-scratch":
          this.#toWorker(i.worker, { type: "free-scratch", keys: i.keys });
          break;
        case "acquire-keys":
          this.#toWorker(i.worker, { type: "acquire-keys", keys: i.keys, from: i.from });
          break;
        case "worker-retired": {
          const peer = this.#workers.get(i.worker);
          if (!peer) break;
          this.#log.info("worker retired: its results are held by other workers", { id: i.worker });
          peer.comm.send({ type: "close-worker", reason: "retired: its results are held by other workers" });
          this.#dropWorker(peer, "retired", true);
          break;
        }
        case "steal-request":
          this.#toWorker(i.worker, { type: "steal-request", key: i.key });
          break;
        case "key-in-memory":
          this.#flushEvents(i.client); // the client sees a result's task events before the result
          this.#toClient(i.client, { type: "key-in-memory", key: i.key, workers: i.workers });
          break;
        case "key-erred":
          this.#flushEvents(i.client);
          this.#toClient(i.client, { type: "key-erred", key: i.key, origin: i.origin, op: i.op, worker: i.worker, error: i.error });
          break;
      }
    }
  }

  #toWorker(id: string, m: SchedulerToWorker): void {
    this.#workers.get(id)?.comm.send(m);
  }

  #toClient(id: string, m: SchedulerToClient): void {
    this.#clients.get(id)?.comm.send(m);
  }

  #onClose(peer: Peer, reason: string): void {
    if (peer.role === "worker") {
      if (this.#workers.get(peer.id) === peer) {
        this.#log.warn("worker lost", { id: peer.id, reason });
        this.#dropWorker(peer, reason, false);
      }
    } else if (this.#clients.get(peer.id) === peer) {
      this.#clients.delete(peer.id);
      const sub = this.#subs.get(peer.id);
      if (sub?.timer) clearTimeout(sub.timer);
      this.#subs.delete(peer.id);
      this.#log.info("client disconnected", { id: peer.id });
      this.#event({ type: "client-removed", stimulusId: this.#stimulus("client-removed"), client: peer.id });
    }
  }

  #dropWorker(peer: Peer, reason: string, graceful: boolean): void {
    if (this.#workers.get(peer.id) !== peer) return;
    this.#workers.delete(peer.id);
    this.#recorder.workerGone(peer.id);
    this.#event({ type: "worker-lost", stimulusId: this.#stimulus("worker-lost"), worker: peer.id, graceful });
    if (!peer.comm.closed) peer.comm.close(reason);
  }

  #checkHeartbeats(timeoutMs: number): void {
    const now = Date.now();
    const sinceLast = now - this.#lastCheck;
    this.#lastCheck = now;
    if (sinceLast > timeoutMs / 2) {
      // This process was stalled (a huge graph, a loaded machine): the workers' messages
      // are still queued behind this timer. Give them a full timeout from now.
      this.#log.warn("scheduler was busy; not counting missed heartbeats this round", { stalledMs: sinceLast });
      for (const peer of this.#workers.values()) peer.lastSeen = now;
      return;
    }
    for (const peer of [...this.#workers.values()]) {
      if (now - peer.lastSeen > timeoutMs) {
        this.#log.warn("worker missed its heartbeats; declaring it dead", { id: peer.id, silentMs: now - peer.lastSeen });
        this.#dropWorker(peer, `no heartbeat for ${now - peer.lastSeen} ms`, false);
      }
    }
  }

  // ---- what the dashboard and clients' task events read ----

  /** A worker reported a run: into the task stream, the group's progress and subscribed clients. */
  #taskRan(worker: string, key: Key, status: "ok" | "error", startMs: number | undefined, stopMs: number | undefined, nbytes?: number): void {
    const group = keyPrefix(key);
    const event: TaskEventWire | undefined = startMs === undefined || stopMs === undefined ? undefined
      : { key, group, worker, startMs, stopMs, status, ...(nbytes !== undefined ? { nbytes } : {}) };
    this.#recorder.taskRan(worker, key, group, status, this.#dashboard ? event : undefined);
    if (!event) return;
    for (const [client, sub] of this.#subs) {
      if (!sub.keys.has(key)) continue;
      sub.pending.push(event);
      if (sub.pending.length >= EVENT_BATCH) this.#flushEvents(client);
      else sub.timer ??= setTimeout(() => this.#flushEvents(client), 100);
    }
  }

  /** A client wants task events for these keys (it listens for them). */
  #subscribe(client: string, keys: readonly Key[]): void {
    let sub = this.#subs.get(client);
    if (!sub) this.#subs.set(client, (sub = { keys: new Set(), pruneAt: 10_000, pending: [], timer: undefined }));
    for (const k of keys) sub.keys.add(k);
    if (sub.keys.size > sub.pruneAt) {
      for (const k of sub.keys) if (!this.state.tasks.has(k)) sub.keys.delete(k);
      sub.pruneAt = Math.max(10_000, 2 * sub.keys.size);
    }
  }

  #flushEvents(client: string): void {
    const sub = this.#subs.get(client);
    if (!sub) return;
    if (sub.timer) clearTimeout(sub.timer);
    sub.timer = undefined;
    if (sub.pending.length === 0) return;
    const events = sub.pending;
    sub.pending = [];
    this.#toClient(client, { type: "task-events", events });
  }

  /**
   * What the dashboard shows, with task stream entries after `since`. The O(tasks) part
   * is computed at most every 250 ms, however many pages poll.
   */
  dashboardSnapshot(since = 0): DashboardSnapshot {
    return this.#recorder.snapshot(since, { address: this.#listener?.address ?? "", clients: this.#clients.size, now: Date.now() });
  }

  /** A JSON summary (the dashboard's snapshot without the task stream). */
  status(): DashboardSnapshot {
    return this.dashboardSnapshot(Number.MAX_SAFE_INTEGER);
  }

  /** Asks workers to close, then stops listening. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#groupTimer) clearInterval(this.#groupTimer);
    for (const sub of this.#subs.values()) if (sub.timer) clearTimeout(sub.timer);
    for (const w of this.#workers.values()) {
      w.comm.send({ type: "close-worker", reason: "the scheduler is shutting down" });
      w.comm.close("scheduler closing");
    }
    for (const c of this.#clients.values()) {
      c.comm.send({ type: "error", error: { name: "CancelledError", message: "the scheduler is shutting down", code: "ERR_SCHEDULER_CLOSED" } });
      c.comm.close("scheduler closing");
    }
    await this.#listener?.close();
    await this.#dashboard?.close();
  }
}
