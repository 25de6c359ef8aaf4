/**
 * The versioned handshake that opens every connection: the connecting side sends
 * `hello` (protocol version, role, token); the listening side checks the token in
 * constant time and answers `welcome` or an error and closes. Nothing else is read
 * from a connection before its hello is accepted, so nobody without the token gets a
 * task run.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ProtocolError, describeError } from "../errors.js";
import type { Comm } from "./comm/index.js";
import { PROTOCOL_VERSION, toRemoteError, type HelloMsg, type Role, type WelcomeMsg } from "./protocol/messages.js";
import { ACCEPTS, validateMessage } from "./protocol/validate.js";

/** Compares tokens in constant time (hashes first, so lengths do not leak either). */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Listening side: resolves with the accepted hello, or rejects after closing the comm. */
export function acceptHello(comm: Comm, options: { token: string; roles: readonly Role[]; timeoutMs?: number; id: (hello: HelloMsg) => string }): Promise<HelloMsg & { id: string }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const refuse = (error: ProtocolError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      comm.send({ type: "error", error: toRemoteError(error) });
      comm.close(error.message);
      reject(error);
    };
    const timer = setTimeout(() => refuse(new ProtocolError("no hello within the handshake timeout", { code: "ERR_HANDSHAKE" })), options.timeoutMs ?? 10_000);
    timer.unref?.();
    comm.onClose((info) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new ProtocolError(`connection closed during the handshake: ${info.reason}`, { code: "ERR_HANDSHAKE" }));
    });
    comm.onMessage((raw) => {
      if (done) return;
      let hello: HelloMsg;
      try {
        hello = validateMessage(raw, ACCEPTS.handshake);
      } catch (error) {
        return refuse(error instanceof ProtocolError ? error : new ProtocolError(describeError(error)));
      }
      if (hello.version !== PROTOCOL_VERSION) {
        return refuse(new ProtocolError(`protocol version ${hello.version} is not supported (this side speaks ${PROTOCOL_VERSION}); run the same tusk version everywhere`, { code: "ERR_VERSION" }));
      }
      if (!tokensEqual(hello.token, options.token)) {
        return refuse(new ProtocolError("authentication failed: wrong or missing token (pass --token or set TUSK_TOKEN to the scheduler's token)", { code: "ERR_AUTH" }));
      }
      if (!options.roles.includes(hello.role)) return refuse(new ProtocolError(`role ${hello.role} may not connect here (expected ${options.roles.join(" or ")})`));
      done = true;
      clearTimeout(timer);
      comm.onMessage(undefined); // hold what follows for the connection's owner
      const id = options.id(hello);
      comm.send({ type: "welcome", version: PROTOCOL_VERSION, id } satisfies WelcomeMsg);
      resolve({ ...hello, id });
    });
  });
}

/** Connecting side: sends hello and waits for welcome (or the refusal). */
export function sayHello(comm: Comm, hello: Omit<HelloMsg, "type" | "version">, timeoutMs = 10_000): Promise<WelcomeMsg> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new ProtocolError(`no answer to the handshake from ${comm.peer} within ${timeoutMs} ms`, { code: "ERR_HANDSHAKE" })), timeoutMs);
    timer.unref?.();
    const finish = (error?: Error, welcome?: WelcomeMsg): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        comm.close(error.message);
        reject(error);
      } else resolve(welcome!);
    };
    comm.onClose((info) => finish(new ProtocolError(`${comm.peer} closed the connection during the handshake: ${info.reason}`, { code: "ERR_HANDSHAKE" })));
    comm.onMessage((raw) => {
      try {
        const m = validateMessage(raw, ACCEPTS.handshakeReply);
        if (m.type === "error") {
          const code = m.error.code === "ERR_AUTH" || m.error.code === "ERR_VERSION" ? m.error.code : "ERR_HANDSHAKE";
          return finish(new ProtocolError(`${comm.peer} refused the connection: ${m.error.message}`, { code }));
        }
        comm.onMessage(undefined); // hold what follows for the connection's owner
        finish(undefined, m);
      } catch (error) {
        finish(error as Error);
      }
    });
    comm.send({ type: "hello", version: PROTOCOL_VERSION, ...hello });
  });
}
