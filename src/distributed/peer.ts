/**
 * Connections to workers' data ports, shared by workers (fetching inputs from peers)
 * and clients (gathering results): one connection per address, opened on first use
 * with the token, requests matched to replies by id. A failed or closed connection
 * rejects its pending requests and is opened again on next use.
 */
import { ProtocolError } from "../errors.js";
import type { Encoded } from "../graph/codec.js";
import type { Key } from "../graph/key.js";
import { connect, type Comm, type ConnectOptions } from "./comm/index.js";
import { sayHello } from "./handshake.js";
import type { DataMsg, GetScratchMsg, ScratchDataMsg } from "./protocol/messages.js";
import { ACCEPTS, validateMessage } from "./protocol/validate.js";

interface Conn {
  comm: Comm;
  pending: Map<number, { resolve: (m: unknown) => void; reject: (e: Error) => void }>;
}

/** Data connections to workers. */
export class PeerPool {
  readonly #conns = new Map<string, Promise<Conn>>();
  readonly #token: string;
  readonly #role: "peer" | "client";
  readonly #connectOptions: ConnectOptions;
  #seq = 0;
  #closed = false;

  constructor(options: { token: string; role: "peer" | "client"; connect?: ConnectOptions }) {
    this.#token = options.token;
    this.#role = options.role;
    this.#connectOptions = options.connect ?? {};
  }

  /** Asks a worker for keys; resolves with what it has and what it lacks. */
  async getData(address: string, keys: readonly Key[]): Promise<{ values: Readonly<Record<string, Encoded>>; missing: readonly Key[] }> {
    const reply = (await this.#request(address, (id) => ({ type: "get-data", id, keys }))) as DataMsg;
    return { values: reply.values, missing: reply.missing };
  }

  /** Pushes values to a worker (hand-off); resolves when it has stored them. */
  async putData(address: string, values: Record<string, Encoded>): Promise<void> {
    await this.#request(address, (id) => ({ type: "put-data", id, values }));
  }

  /**
   * Reads byte ranges of a worker's scratch space (a shuffle's buckets). A task waits
   * for this on one of its worker's threads: with no reply within `timeoutMs` (a frozen
   * peer) the connection is dropped and the read rejects, instead of holding the thread.
   */
  async getScratch(address: string, owner: Key, ranges: GetScratchMsg["ranges"], timeoutMs = 120_000): Promise<Uint8Array[]> {
    const reply = (await this.#request(address, (id) => ({ type: "get-scratch", id, owner, ranges }), timeoutMs)) as ScratchDataMsg;
    if (reply.data.length !== ranges.length) throw new ProtocolError(`${address} sent ${reply.data.length} scratch ranges for ${ranges.length}`);
    return [...reply.data];
  }

  async #request(address: string, make: (id: number) => import("./protocol/messages.js").Message, timeoutMs?: number): Promise<unknown> {
    if (this.#closed) throw new ProtocolError("peer pool is closed");
    const conn = await this.#conn(address);
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        conn.comm.close(`no reply within ${timeoutMs} ms`);
        reject(new ProtocolError(`no reply from ${address} within ${timeoutMs} ms`, { code: "ERR_TIMEOUT" }));
      }, timeoutMs);
      timer?.unref();
      const settle = <T>(f: (v: T) => void) => (v: T): void => { if (timer) clearTimeout(timer); f(v); };
      conn.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      conn.comm.send(make(id));
    });
  }

  #conn(address: string): Promise<Conn> {
    let p = this.#conns.get(address);
    if (!p) {
      p = this.#open(address);
      this.#conns.set(address, p);
      p.catch(() => this.#conns.delete(address));
    }
    return p;
  }

  async #open(address: string): Promise<Conn> {
    const comm = await connect(address, { timeoutMs: 5000, ...this.#connectOptions });
    await sayHello(comm, { role: this.#role, token: this.#token });
    const conn: Conn = { comm, pending: new Map() };
    comm.onMessage((raw) => {
      try {
        const m = validateMessage(raw, ACCEPTS.peerClient);
        const id = m.id;
        const waiter = id === undefined ? undefined : conn.pending.get(id);
        if (!waiter) return;
        conn.pending.delete(id!);
        if (m.type === "error") waiter.reject(new ProtocolError(`${address}: ${m.error.message}`));
        else waiter.resolve(m);
      } catch (error) {
        comm.close(`bad reply: ${(error as Error).message}`);
      }
    });
    comm.onClose((info) => {
      if (this.#conns.get(address) !== undefined) this.#conns.delete(address);
      for (const w of conn.pending.values()) w.reject(new ProtocolError(`connection to ${address} closed: ${info.reason}`, { code: "ERR_CONNECT" }));
      conn.pending.clear();
    });
    return conn;
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#conns.values()) p.then((c) => c.comm.close("closing"), () => {});
    this.#conns.clear();
  }
}
