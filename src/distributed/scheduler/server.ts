/**
 * The scheduler process: a thin network shell around {@link SchedulerState}. It accepts
 * connections (handshake with the token first), turns validated messages into events,
 * routes the instructions to workers and clients, watches heartbeats, and serves a small
 * dashboard. A bad message gets an error reply and its connection closed; the scheduler
 * keeps running.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ProtocolError, describeError } from "../../errors.js";
import { listen, type Comm, type Listener } from "../comm/index.js";
import { acceptHello } from "../handshake.js";
import { createLogger, type Logger } from "../log.js";
import { toRemoteError, type SchedulerToClient, type SchedulerToWorker } from "../protocol/messages.js";
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
}

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
  #dashboard: Server | undefined;
  #dashboardUrl: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #seq = 0;
  #closed = false;
  #lastCheck = Date.now();

  private constructor(options: SchedulerServerOptions) {
    this.#opts = options;
    this.#log = options.logger ?? createLogger("scheduler");
    this.state = new SchedulerState(options.state);
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

  get dashboardUrl(): string | undefined {
    return this.#dashboardUrl;
  }

  async #start(): Promise<void> {
    const o = this.#opts;
    this.#listener = await listen({ host: o.host, port: o.port ?? 8786, tlsCert: o.tlsCert, tlsKey: o.tlsKey, inproc: o.inproc }, (comm) => this.#onConnection(comm));
    if (o.dashboardPort !== null && o.inproc === undefined) {
      this.#dashboard = createServer((req, res) => this.#serveDashboard(req, res));
      await new Promise<void>((resolve, reject) => {
        this.#dashboard!.once("error", reject);
        this.#dashboard!.listen(o.dashboardPort ?? 8787, o.host ?? "127.0.0.1", () => resolve());
      });
      const port = (this.#dashboard.address() as AddressInfo).port;
      this.#dashboardUrl = `http://${o.host ?? "127.0.0.1"}:${port}/`;
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
            if (this.state.workers.get(worker)?.paused !== m.paused) {
              this.#log.info(m.paused ? "worker paused (memory)" : "worker resumed", { id: worker, memory: m.memory });
              this.#event({ type: "worker-status", stimulusId: this.#stimulus("heartbeat"), worker, paused: m.paused });
            }
            break;
          case "task-finished":
            this.#event({ type: "task-finished", stimulusId: this.#stimulus("task-finished"), worker, key: m.key, nbytes: m.nbytes });
            break;
          case "task-erred":
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
        case "steal-request":
          this.#toWorker(i.worker, { type: "steal-request", key: i.key });
          break;
        case "key-in-memory":
          this.#toClient(i.client, { type: "key-in-memory", key: i.key, workers: i.workers });
          break;
        case "key-erred":
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
      this.#log.info("client disconnected", { id: peer.id });
      this.#event({ type: "client-removed", stimulusId: this.#stimulus("client-removed"), client: peer.id });
    }
  }

  #dropWorker(peer: Peer, reason: string, graceful: boolean): void {
    if (this.#workers.get(peer.id) !== peer) return;
    this.#workers.delete(peer.id);
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

  /** A JSON summary (what the dashboard shows). */
  status(): Record<string, unknown> {
    const counts: Record<string, number> = {};
    for (const ts of this.state.tasks.values()) counts[ts.state] = (counts[ts.state] ?? 0) + 1;
    return {
      address: this.#listener?.address,
      workers: [...this.state.workers.values()].map((w) => ({ id: w.id, address: w.address, nthreads: w.nthreads, processing: w.processing.size, keys: w.hasWhat.size, nbytes: w.nbytes, paused: w.paused })),
      clients: this.#clients.size,
      tasks: counts,
      queued: this.state.queued.size,
      transitions: this.state.transitionCount,
    };
  }

  #serveDashboard(req: IncomingMessage, res: ServerResponse): void {
    const status = this.status();
    if (req.url?.startsWith("/json")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(status));
      return;
    }
    const esc = (s: unknown): string => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const rows = (status.workers as Array<Record<string, unknown>>).map((w) => `<tr>${["id", "address", "nthreads", "processing", "keys", "nbytes", "paused"].map((k) => `<td>${esc(w[k])}</td>`).join("")}</tr>`).join("");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><meta http-equiv="refresh" content="2"><title>tusk scheduler</title><h1>tusk scheduler ${esc(status.address)}</h1>` +
      `<p>tasks: ${esc(JSON.stringify(status.tasks))} · queued ${esc(status.queued)} · clients ${esc(status.clients)} · transitions ${esc(status.transitions)}</p>` +
      `<table border=1 cellpadding=4><tr><th>worker</th><th>address</th><th>threads</th><th>processing</th><th>keys</th><th>bytes</th><th>paused</th></tr>${rows}</table>`);
  }

  /** Asks workers to close, then stops listening. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const w of this.#workers.values()) {
      w.comm.send({ type: "close-worker", reason: "the scheduler is shutting down" });
      w.comm.close("scheduler closing");
    }
    for (const c of this.#clients.values()) {
      c.comm.send({ type: "error", error: { name: "CancelledError", message: "the scheduler is shutting down", code: "ERR_SCHEDULER_CLOSED" } });
      c.comm.close("scheduler closing");
    }
    await this.#listener?.close();
    await new Promise<void>((resolve) => (this.#dashboard ? this.#dashboard.close(() => resolve()) : resolve()));
    this.#dashboard?.closeAllConnections?.();
  }
}
