/**
 * `Client`: the user's connection to a cluster. It implements `ComputeScheduler`, so
 * once connected it is the default scheduler and `df.compute()`, `tk.compute(...)` and
 * `persist()` run on the cluster unchanged; it also offers Dask's futures API
 * (`submit`, `map`, `scatter`, `gather`, `Future.result()`, `asCompleted`).
 *
 * Results are fetched straight from the workers that hold them (the scheduler only
 * says where). Keys are reference-counted here: a key stays on the cluster while a
 * Future, a running computation or a persisted collection of this client holds it, and
 * is released (its data freed) when the last one lets go.
 */
import { CancelledError, KilledWorkerError, ProtocolError, TaskError, TuskError, ValidationError } from "../errors.js";
import { decodeValue, encodeValue } from "../graph/codec.js";
import { TUSK, isCollection, type Collection } from "../graph/collection.js";
import { setDefaultScheduler } from "../graph/compute.js";
import { markUnfusable } from "../graph/fuse.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { makeKey, makeName, tokenize, type Key } from "../graph/key.js";
import { defineOp, opModules } from "../graph/ops.js";
import type { ComputeScheduler, RunRequest } from "../graph/scheduler.js";
import type { TaskEvent } from "../graph/task-events.js";
import { shipFunction } from "../graph/shipped-function.js";
import { lit, ref, task, type Arg, type Task } from "../graph/task.js";
import "../graph/builtin-ops.js";
import { connect, type Comm } from "./comm/index.js";
import { sayHello } from "./handshake.js";
import { PeerPool } from "./peer.js";
import type { KeyErredMsg } from "./protocol/messages.js";
import { ACCEPTS, validateMessage } from "./protocol/validate.js";

/** A result kept on the cluster by `persist`: the graph names it, workers hold it. */
defineOp("tusk.remote", (key: string) => {
  throw new ValidationError(`${key} was persisted on a cluster; compute it with the Client that persisted it (it is not in this process)`);
});
markUnfusable("tusk.remote");

/** Options of {@link Client.connect}. */
export interface ClientOptions {
  /** The cluster's token (default: `TUSK_TOKEN`). */
  token?: string;
  /** PEM of a CA to trust for `wss://` with a self-signed certificate. */
  tlsCa?: string | Buffer;
  timeoutMs?: number;
  /** Make this client the default scheduler (default true). */
  setAsDefault?: boolean;
}

interface KeyState {
  refs: number;
  status: "pending" | "memory" | "erred";
  workers: readonly string[];
  error: Error | undefined;
  waiters: Array<{ resolve: () => void; reject: (e: Error) => void }>;
}

/**
 * A connection to a `tusk scheduler`.
 * @example
 * const client = await tk.Client.connect("ws://127.0.0.1:8786", { token });
 * await df.groupby(["a"]).sum().compute();   // runs on the cluster
 * const f = client.submit((x: number) => x + 1, 41);
 * await f.result(); // 42
 * await client.close();
 */
export class Client implements ComputeScheduler {
  readonly name = "client";
  readonly address: string;
  readonly #comm: Comm;
  readonly #peers: PeerPool;
  readonly #keys = new Map<Key, KeyState>();
  readonly #whoHas = new Map<number, (who: Readonly<Record<string, readonly string[]>>) => void>();
  /** Keys kept by `persist`, with how many persisted collections hold each. */
  readonly #persisted = new Map<Key, number>();
  /** Running computations that listen for task events: the scheduler sends them for these graphs' keys. */
  readonly #eventSinks = new Set<{ readonly graph: ReadonlyMap<Key, unknown>; readonly deliver: (events: readonly TaskEvent[]) => void }>();
  #lost: Error | undefined;
  #seq = 0;
  #closed = false;
  /** The id the scheduler gave this client. */
  readonly id: string;

  private constructor(address: string, comm: Comm, peers: PeerPool, id: string) {
    this.address = address;
    this.#comm = comm;
    this.#peers = peers;
    this.id = id;
    comm.onMessage((raw) => this.#onMessage(raw));
    comm.onClose((info) => this.#onLost(info.reason));
  }

  /** Connects (handshake with the token) and, by default, becomes the default scheduler. */
  static async connect(address: string, options: ClientOptions = {}): Promise<Client> {
    const token = options.token ?? process.env.TUSK_TOKEN ?? "";
    const connectOptions = { timeoutMs: options.timeoutMs ?? 10_000, ...(options.tlsCa ? { ca: options.tlsCa } : {}) };
    const comm = await connect(address, connectOptions);
    const welcome = await sayHello(comm, { role: "client", token }, options.timeoutMs ?? 10_000);
    const client = new Client(address, comm, new PeerPool({ token, role: "client", connect: connectOptions }), welcome.id);
    if (options.setAsDefault ?? true) setDefaultScheduler(client);
    return client;
  }

  // ---- ComputeScheduler ----

  async run(request: RunRequest): Promise<unknown[]> {
    if (request.signal?.aborted) throw new CancelledError(undefined, { cause: request.signal.reason });
    const keys = [...new Set(request.keys)];
    // Progress counts every task of the graph (from task events), not only the results asked for.
    const progress = request.onProgress ? progressCounter(request) : undefined;
    this.#submit([...request.graph.values()], keys, request.retries, request.onTaskEvents !== undefined || progress !== undefined);
    const sink = this.#listen(request, progress);
    const onAbort = (): void => {
      const error = new CancelledError(undefined, { cause: request.signal?.reason });
      for (const k of keys) this.#fail(k, error);
    };
    request.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await Promise.all(keys.map((k) => this.#wait(k).then(() => progress?.finished(k))));
      const values = await this.#gather(keys);
      return request.keys.map((k) => values.get(k));
    } finally {
      request.signal?.removeEventListener("abort", onAbort);
      if (sink) this.#eventSinks.delete(sink);
      this.#release(keys);
    }
  }

  async persist(request: RunRequest): Promise<LayeredGraph> {
    const keys = [...new Set(request.keys)];
    this.#submit([...request.graph.values()], keys, request.retries, request.onTaskEvents !== undefined);
    const sink = this.#listen(request);
    try {
      await Promise.all(keys.map((k) => this.#wait(k)));
    } catch (error) {
      this.#release(keys);
      throw error;
    } finally {
      if (sink) this.#eventSinks.delete(sink);
    }
    for (const k of keys) this.#persisted.set(k, (this.#persisted.get(k) ?? 0) + 1);
    const tasks = keys.map((k) => task(k, "tusk.remote", lit(k)));
    return new LayeredGraph([layer(makeName("persisted-remote", keys), tasks)]);
  }

  /**
   * Lets go of collections returned by `persist`: their results are freed on the
   * workers (unless another persisted collection or a Future holds them). Computing
   * such a collection afterwards is an error that says to persist it again.
   * @example const [df2] = await tk.persist(df); …; await client.unpersist(df2);
   */
  async unpersist(...collections: readonly Collection[]): Promise<void> {
    const gone: Key[] = [];
    for (const c of collections) {
      if (!isCollection(c)) throw new ValidationError(`unpersist takes collections returned by persist(), got ${typeof c}`);
      for (const t of c[TUSK]().graph.asGraph().values()) {
        const held = t.op === "tusk.remote" ? this.#persisted.get(t.key) : undefined;
        if (held === undefined) continue;
        if (held > 1) this.#persisted.set(t.key, held - 1);
        else this.#persisted.delete(t.key);
        gone.push(t.key);
      }
    }
    this.#release(gone);
  }

  // ---- futures ----

  /**
   * Runs `fn(...args)` on the cluster. Arguments may be Futures (their values are
   * passed). `fn` must not read variables from around it (pass them as arguments).
   * @example const f = client.submit((a: number, b: number) => a + b, 1, 2); await f.result(); // 3
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: { [K in keyof A]: A[K] | Future<A[K]> }): Future<Awaited<R>> {
    const ref0 = shipFunction(fn, "the function given to client.submit", "client.submit((x, k) => x * k, x, k)");
    const argList: Arg[] = args.map((a) => (a instanceof Future ? ref(a.key) : lit(a)));
    const prefix = ((fn as { name?: string }).name || "submit").replace(/[^A-Za-z0-9_]/g, "") || "submit";
    const key = makeKey(`${prefix}-${tokenize(ref0, args.map((a) => (a instanceof Future ? { future: a.key } : a)))}`);
    this.#submit([task(key, "tusk.call", lit(ref0), ...argList)], [key], 0);
    return new Future<Awaited<R>>(this, key);
  }

  /** `submit` for each item. */
  map<T, R>(fn: (item: T) => R, items: readonly T[]): Array<Future<Awaited<R>>> {
    const ref0 = shipFunction(fn, "the function given to client.map", "client.map((x) => x * 2, items)");
    const prefix = ((fn as { name?: string }).name || "map").replace(/[^A-Za-z0-9_]/g, "") || "map";
    const name = `${prefix}-${tokenize(ref0)}`;
    const tasks: Task[] = items.map((item) => {
      const arg = item instanceof Future ? ref(item.key) : lit(item);
      return task(makeKey(name, [Number.parseInt(tokenize(item instanceof Future ? { future: item.key } : item).slice(0, 12), 16)]), "tusk.call", lit(ref0), arg);
    });
    const keys = tasks.map((t) => t.key);
    this.#submit(tasks, [...new Set(keys)], 0);
    // #submit counted each distinct key once; add a reference per extra duplicate.
    const seen = new Set<Key>();
    for (const k of keys) { if (seen.has(k)) this.#keys.get(k)!.refs++; seen.add(k); }
    return keys.map((k) => new Future<Awaited<R>>(this, k));
  }

  /** Puts values on the cluster; returns a Future for each. */
  scatter<T>(values: readonly T[]): Array<Future<T>> {
    const tasks = values.map((v) => {
      const encoded = encodeValue(v);
      return task(makeKey(`scatter-${tokenize(encoded.codec, encoded.meta, encoded.buffers)}`), "tusk.persisted", lit(encoded));
    });
    const keys = tasks.map((t) => t.key);
    this.#submit(tasks, [...new Set(keys)], 0);
    const seen = new Set<Key>();
    for (const k of keys) { if (seen.has(k)) this.#keys.get(k)!.refs++; seen.add(k); }
    return keys.map((k) => new Future<T>(this, k));
  }

  /** The values of several futures, in order. */
  async gather<T>(futures: ReadonlyArray<Future<T>>): Promise<T[]> {
    const keys = futures.map((f) => f.key);
    await Promise.all(keys.map((k) => this.#wait(k)));
    const values = await this.#gather(keys);
    return keys.map((k) => values.get(k) as T);
  }

  /** Closes the connection; everything this client held is released. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    setDefaultSchedulerIfMine(this);
    for (const k of this.#keys.keys()) this.#fail(k, new CancelledError("the client was closed"));
    this.#peers.close();
    this.#comm.close("client closed");
  }

  /** True once the connection is gone (closed, or lost). */
  get closed(): boolean {
    return this.#closed || this.#lost !== undefined;
  }

  // ---- internals (used by Future) ----

  /** @internal */
  waitKey(key: Key): Promise<void> {
    return this.#wait(key);
  }

  /** @internal */
  async resultOf(key: Key): Promise<unknown> {
    await this.#wait(key);
    return (await this.#gather([key])).get(key);
  }

  /** @internal */
  releaseKey(key: Key, reason?: Error): void {
    const st = this.#keys.get(key);
    if (!st) return;
    if (reason) for (const w of st.waiters.splice(0)) w.reject(reason);
    this.#release([key]);
  }

  /** @internal */
  statusOf(key: Key): "pending" | "finished" | "error" | "released" {
    const st = this.#keys.get(key);
    if (!st) return "released";
    return st.status === "memory" ? "finished" : st.status === "erred" ? "error" : "pending";
  }

  /** Registers a run's `onTaskEvents` (when set): events of its graph's tasks go there. */
  #listen(request: RunRequest, progress?: ProgressCounter): { graph: ReadonlyMap<Key, unknown>; deliver: (events: readonly TaskEvent[]) => void } | undefined {
    const onEvents = request.onTaskEvents;
    if (!onEvents && !progress) return undefined;
    const deliver = (events: readonly TaskEvent[]): void => {
      if (progress) for (const e of events) if (e.status === "ok") progress.finished(e.key);
      onEvents?.(events);
    };
    const sink = { graph: request.graph, deliver };
    this.#eventSinks.add(sink);
    return sink;
  }

  #submit(tasks: Task[], keys: readonly Key[], retries: number, taskEvents = false): void {
    if (this.#closed) throw new ValidationError("this Client is closed; connect a new one");
    if (this.#lost) throw this.#lost;
    for (const k of keys) {
      let st = this.#keys.get(k);
      if (!st) this.#keys.set(k, (st = { refs: 0, status: "pending", workers: [], error: undefined, waiters: [] }));
      st.refs++;
    }
    this.#comm.send({ type: "update-graph", tasks, keys: [...keys], modules: opModules(), retries, ...(taskEvents ? { taskEvents } : {}) });
  }

  #release(keys: readonly Key[], reason?: Error): void {
    const gone: Key[] = [];
    for (const k of keys) {
      const st = this.#keys.get(k);
      if (!st) continue;
      if (reason) for (const w of st.waiters.splice(0)) w.reject(reason);
      if (--st.refs <= 0) {
        this.#keys.delete(k);
        gone.push(k);
      }
    }
    if (gone.length > 0 && !this.#comm.closed) this.#comm.send({ type: "release-keys", keys: gone });
  }

  #wait(key: Key): Promise<void> {
    if (this.#lost) return Promise.reject(this.#lost);
    const st = this.#keys.get(key);
    if (!st) return Promise.reject(new ValidationError(`${key} is not held by this client (it was released or cancelled)`));
    if (st.status === "memory") return Promise.resolve();
    if (st.status === "erred") return Promise.reject(st.error);
    return new Promise((resolve, reject) => st.waiters.push({ resolve, reject }));
  }

  #onMessage(raw: unknown): void {
    let m;
    try {
      m = validateMessage(raw, ACCEPTS.clientFromScheduler);
    } catch (error) {
      this.#comm.close(`bad message from the scheduler: ${(error as Error).message}`);
      return;
    }
    switch (m.type) {
      case "key-in-memory": {
        const st = this.#keys.get(m.key);
        if (!st) return;
        st.status = "memory";
        st.workers = m.workers;
        for (const w of st.waiters.splice(0)) w.resolve();
        break;
      }
      case "key-erred": {
        const st = this.#keys.get(m.key);
        if (!st) return;
        st.status = "erred";
        st.error = remoteTaskError(m);
        for (const w of st.waiters.splice(0)) w.reject(st.error);
        break;
      }
      case "task-events":
        // Sent before the results they led to, so a run sees all its events before it resolves.
        for (const sink of this.#eventSinks) {
          const mine = m.events.filter((e) => sink.graph.has(e.key));
          if (mine.length === 0) continue;
          try {
            sink.deliver(mine);
          } catch {
            // a diagnostics listener must never break a computation
          }
        }
        break;
      case "who-has-reply":
        this.#whoHas.get(m.id)?.(m.who);
        this.#whoHas.delete(m.id);
        break;
      case "error":
        this.#lost = new TuskError(m.error.code ?? "ERR_SCHEDULER", `The scheduler at ${this.address} reported: ${m.error.message}`);
        break;
    }
  }

  #fail(key: Key, error: Error): void {
    const st = this.#keys.get(key);
    if (!st) return;
    for (const w of st.waiters.splice(0)) w.reject(error);
  }

  #onLost(reason: string): void {
    setDefaultSchedulerIfMine(this);
    if (this.#closed) return;
    const base = this.#lost ? `${this.#lost.message}; ` : "";
    this.#lost = new TuskError(
      "ERR_SCHEDULER_LOST",
      `${base}Lost the connection to the scheduler at ${this.address} (${reason}). If the scheduler restarted, the tasks and results it held are gone: ` +
        `connect a new Client (await tk.Client.connect(address)) and compute again.`,
    );
    for (const k of this.#keys.keys()) this.#fail(k, this.#lost);
    this.#peers.close();
  }

  #askWhoHas(keys: readonly Key[]): Promise<Readonly<Record<string, readonly string[]>>> {
    const id = ++this.#seq;
    return new Promise((resolve) => {
      this.#whoHas.set(id, resolve);
      this.#comm.send({ type: "who-has", id, keys: [...keys] });
    });
  }

  /** Fetches values from the workers holding them; retries through who-has or a fresh report when a holder is gone. */
  async #gather(keys: readonly Key[]): Promise<Map<Key, unknown>> {
    const out = new Map<Key, unknown>();
    let todo = [...new Set(keys)];
    for (let attempt = 0; todo.length > 0; attempt++) {
      if (this.#lost) throw this.#lost;
      if (attempt > 20) throw new ProtocolError(`could not fetch ${todo.slice(0, 3).join(", ")} from any worker after ${attempt} attempts`);
      const byWorker = new Map<string, Key[]>();
      for (const k of todo) {
        const st = this.#keys.get(k);
        const w = st?.workers[attempt % Math.max(1, st.workers.length)];
        if (!st || !w) continue;
        let list = byWorker.get(w);
        if (!list) byWorker.set(w, (list = []));
        list.push(k);
      }
      const failed: Key[] = [];
      await Promise.all([...byWorker].map(async ([w, ks]) => {
        try {
          const reply = await this.#peers.getData(w, ks);
          for (const [k, v] of Object.entries(reply.values)) out.set(k as Key, decodeValue(v));
          failed.push(...reply.missing);
        } catch {
          failed.push(...ks);
        }
      }));
      todo = todo.filter((k) => !out.has(k));
      if (todo.length === 0) break;
      // Holders gone: ask where the keys are now; if nowhere, wait for the recomputed result.
      const who = await this.#askWhoHas(todo);
      await Promise.all(todo.map(async (k) => {
        const st = this.#keys.get(k);
        if (!st) return;
        const now = who[k] ?? [];
        if (now.length > 0) st.workers = now;
        else {
          st.status = "pending";
          st.workers = [];
          await this.#wait(k);
        }
      }));
    }
    return out;
  }
}

/** A closed or lost client stops being the default scheduler (back to threads). */
function setDefaultSchedulerIfMine(_client: Client): void {
  setDefaultScheduler(undefined);
}

function remoteTaskError(m: KeyErredMsg): Error {
  if (m.error.name === "KilledWorkerError") return new KilledWorkerError(m.origin, m.error.message);
  const dep = m.origin !== m.key ? ` (needed by ${m.key})` : "";
  return new TaskError({
    key: m.origin, op: m.op, worker: m.worker || undefined, message: `${m.error.message}${dep}`,
    remoteStack: m.error.stack,
  });
}

/** A result on the cluster (Dask's `Future`). */
export class Future<T = unknown> {
  readonly key: Key;
  readonly #client: Client;
  #released = false;

  /** @internal */
  constructor(client: Client, key: Key) {
    this.#client = client;
    this.key = key;
  }

  /** "pending", "finished", "error" or "released". */
  get status(): "pending" | "finished" | "error" | "released" {
    return this.#released ? "released" : this.#client.statusOf(this.key);
  }

  /** Waits for the task and fetches its value; rejects with its TaskError. */
  result(): Promise<T> {
    if (this.#released) return Promise.reject(new CancelledError(`future ${this.key} was released or cancelled`));
    return this.#client.resultOf(this.key) as Promise<T>;
  }

  /** Resolves when the task is done (in memory or erred), without fetching. */
  async wait(): Promise<this> {
    await this.#client.waitKey(this.key).catch(() => undefined);
    return this;
  }

  /** Stops waiting: `result()` rejects with CancelledError; the cluster forgets it if nobody else holds it. */
  cancel(): void {
    if (this.#released) return;
    this.#released = true;
    this.#client.releaseKey(this.key, new CancelledError(`future ${this.key} was cancelled`));
  }

  /** Lets go of the result (its data is freed when nothing else holds it). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#client.releaseKey(this.key);
  }
}

/**
 * Yields futures as they finish (in memory or erred), in completion order.
 * @example for await (const f of tk.asCompleted(futures)) console.log(await f.result());
 */
export async function* asCompleted<T>(futures: Iterable<Future<T>>): AsyncGenerator<Future<T>> {
  const done: Array<Future<T>> = [];
  let wake: (() => void) | undefined;
  let left = 0;
  for (const f of futures) {
    left++;
    void f.wait().then(() => {
      done.push(f);
      wake?.();
    });
  }
  while (left > 0) {
    if (done.length === 0) await new Promise<void>((r) => { wake = r; });
    wake = undefined;
    while (done.length > 0) {
      left--;
      yield done.shift()!;
    }
  }
}

/** Counts a run's finished tasks once each, reporting them to its `onProgress`. */
interface ProgressCounter {
  finished(key: Key): void;
}

function progressCounter(request: RunRequest): ProgressCounter {
  const seen = new Set<Key>();
  const start = Date.now();
  const total = request.graph.size;
  return {
    finished(key) {
      if (seen.has(key) || !request.graph.has(key)) return;
      seen.add(key);
      request.onProgress?.({ done: seen.size, total, elapsedMs: Date.now() - start, key });
    },
  };
}
