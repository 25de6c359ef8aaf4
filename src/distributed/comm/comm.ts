/**
 * A connection carrying protocol messages, whatever the transport (WebSocket or
 * in-process). Messages sent in one tick travel together as one list in one header
 * frame (so 10,000 small task messages cost a few frames, not 10,000), followed by the
 * buffers of their values as separate binary frames (./../protocol/wire.ts). Incoming
 * frames are reassembled and decoded here; a frame that breaks the wire format closes
 * the connection with a reason (after an error reply), it never throws into the
 * process. Messages are handed on undecided: the owner validates them for its role.
 */
import { ProtocolError } from "../../errors.js";
import { toRemoteError, type Message } from "../protocol/messages.js";
import { DEFAULT_LIMITS, encodeFrames, finishMessage, readHeader, type PendingMessage, type WireLimits } from "../protocol/wire.js";

/** Why a connection closed. */
export interface CloseInfo {
  readonly reason: string;
  /** True when this side closed it on purpose. */
  readonly local: boolean;
}

/** One end of a connection. */
export interface Comm {
  /** Where the other end is (for logs and messages). */
  readonly peer: string;
  readonly closed: boolean;
  /** Queues a message; messages of one tick travel together. */
  send(message: Message): void;
  /**
   * Called with each decoded (not yet validated) message, in order. `undefined` holds
   * later messages until a handler is set again (used after a handshake, so messages
   * arriving right behind it reach the next owner).
   */
  onMessage(handler: ((message: unknown) => void) | undefined): void;
  /** Called once when the connection closes, for whatever reason. */
  onClose(handler: (info: CloseInfo) => void): void;
  close(reason?: string): void;
}

/** Frames in, frames out: the part of a transport that differs. */
export interface FrameSink {
  sendFrames(frames: Uint8Array[]): void;
  closeTransport(code: number, reason: string): void;
}

/** Shared machinery of both transports: batching, framing, decoding, closing. */
export class FramedComm implements Comm {
  readonly peer: string;
  #sink: FrameSink;
  #limits: WireLimits;
  #outbox: Message[] = [];
  #flushScheduled = false;
  #pending: PendingMessage | undefined;
  #frames: Uint8Array[] = [];
  #onMessage: ((m: unknown) => void) | undefined;
  #early: unknown[] = [];
  #closeHandlers: Array<(info: CloseInfo) => void> = [];
  #closed = false;

  constructor(peer: string, sink: FrameSink, limits: WireLimits = DEFAULT_LIMITS) {
    this.peer = peer;
    this.#sink = sink;
    this.#limits = limits;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(message: Message): void {
    if (this.#closed) return;
    this.#outbox.push(message);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends what is queued now. */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#outbox.length === 0) return;
    const batch = this.#outbox;
    this.#outbox = [];
    let frames: Uint8Array[];
    try {
      frames = encodeFrames(batch);
    } catch (error) {
      // A value msgpack cannot carry: report it instead of dropping the batch silently.
      this.#closeWith(`could not encode an outgoing message: ${(error as Error).message}`, true, 1011);
      return;
    }
    this.#sink.sendFrames(frames);
  }

  onMessage(handler: ((message: unknown) => void) | undefined): void {
    this.#onMessage = handler;
    if (!handler) return;
    while (this.#early.length > 0 && this.#onMessage === handler && !this.#closed) handler(this.#early.shift());
  }

  onClose(handler: (info: CloseInfo) => void): void {
    this.#closeHandlers.push(handler);
  }

  close(reason = "closed"): void {
    this.flush();
    this.#closeWith(reason, true, 1000);
  }

  /** Transport: one frame arrived. */
  receiveFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    try {
      if (!this.#pending) {
        const pending = readHeader(frame, this.#limits);
        if (pending.frameCount === 0) return this.#deliver(finishMessage(pending, [], this.#limits));
        this.#pending = pending;
        this.#frames = [];
        return;
      }
      this.#frames.push(frame);
      if (this.#frames.length === this.#pending.frameCount) {
        const pending = this.#pending;
        const frames = this.#frames;
        this.#pending = undefined;
        this.#frames = [];
        this.#deliver(finishMessage(pending, frames, this.#limits));
      }
    } catch (error) {
      this.protocolViolation(error);
    }
  }

  /** Replies with an error and closes: the peer broke the protocol. */
  protocolViolation(error: unknown): void {
    if (this.#closed) return;
    const e = error instanceof ProtocolError ? error : new ProtocolError(String((error as Error)?.message ?? error), { cause: error });
    try {
      this.#sink.sendFrames(encodeFrames([{ type: "error", error: toRemoteError(e) }]));
    } catch { /* the transport may already be gone */ }
    this.#closeWith(`protocol error: ${e.message}`, true, 1002);
  }

  #deliver(batch: unknown): void {
    if (!Array.isArray(batch)) throw new ProtocolError("a frame must carry a list of messages");
    for (const m of batch) {
      if (this.#closed) return;
      if (this.#onMessage) this.#onMessage(m);
      else this.#early.push(m);
    }
  }

  /** Transport: the connection went away. */
  transportClosed(reason: string): void {
    this.#closeWith(reason, false);
  }

  #closeWith(reason: string, local: boolean, code = 1000): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox = [];
    if (local) {
      try { this.#sink.closeTransport(code, reason.slice(0, 120)); } catch { /* already closed */ }
    }
    const handlers = this.#closeHandlers;
    this.#closeHandlers = [];
    for (const h of handlers) {
      try { h({ reason, local }); } catch { /* a close handler must not break the others */ }
    }
  }
}

/** Listens for connections. */
export interface Listener {
  /** The address peers connect to, e.g. `ws://127.0.0.1:8786`. */
  readonly address: string;
  close(): Promise<void>;
}

/** TLS settings of a connecting side. */
export interface ConnectOptions {
  /** PEM of a CA to trust (for self-signed certificates). */
  readonly ca?: string | Buffer;
  /** Give up after this many milliseconds. */
  readonly timeoutMs?: number;
}
