/**
 * WebSocket transport (`ws`, and `wss` with TLS). Every protocol frame is one binary
 * WebSocket message; a text message or a payload over the limit is a protocol error.
 * Listeners bind 127.0.0.1 unless told otherwise.
 */
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { ProtocolError } from "../../errors.js";
import { FramedComm, type Comm, type ConnectOptions, type Listener } from "./comm.js";

/** Largest WebSocket message accepted (headers of huge graphs; pieces are 4 MiB). */
const MAX_PAYLOAD = 512 * 2 ** 20;

/** Where and how to listen. */
export interface ListenOptions {
  readonly host?: string;
  readonly port?: number;
  /** PEM file paths: serve `wss://`. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /** An HTTP handler for plain requests on the same port (e.g. a status page). */
  readonly onRequest?: Parameters<typeof createHttpServer>[1];
}

function wrap(ws: WebSocket, peer: string): FramedComm {
  const comm = new FramedComm(peer, {
    sendFrames: (frames) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      for (const f of frames) ws.send(f, { binary: true });
    },
    closeTransport: (code, reason) => {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(code, reason);
      // Do not wait for the other side's close frame forever.
      setTimeout(() => ws.terminate(), 1000).unref();
    },
  });
  ws.on("message", (data, isBinary) => {
    if (!isBinary) return comm.protocolViolation(new ProtocolError("text frames are not part of the protocol"));
    const parts = Array.isArray(data) ? data : [data as Buffer | ArrayBuffer];
    for (const p of parts) comm.receiveFrame(p instanceof ArrayBuffer ? new Uint8Array(p) : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  });
  ws.on("close", (code, reason) => comm.transportClosed(`connection closed (${code}${reason.length ? `: ${reason.toString()}` : ""})`));
  ws.on("error", (error) => comm.transportClosed(`connection error: ${error.message}`));
  return comm;
}

/** Listens for WebSocket connections. */
export async function listenWs(options: ListenOptions, onConnection: (comm: Comm) => void): Promise<Listener> {
  const host = options.host ?? "127.0.0.1";
  const tls = Boolean(options.tlsCert && options.tlsKey);
  const server: HttpServer = tls
    ? createHttpsServer({ cert: readFileSync(options.tlsCert!), key: readFileSync(options.tlsKey!) }, options.onRequest)
    : createHttpServer(options.onRequest);
  const wss = new WebSocketServer({ server, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });
  wss.on("connection", (ws, req) => {
    const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    onConnection(wrap(ws, peer));
  });
  wss.on("error", () => { /* reported per connection */ });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => { server.off("error", reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    address: `${tls ? "wss" : "ws"}://${shownHost}:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

/** Connects to `ws://…` or `wss://…`. */
export function connectWs(address: string, options: ConnectOptions = {}): Promise<Comm> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address, { maxPayload: MAX_PAYLOAD, perMessageDeflate: false, ...(options.ca ? { ca: options.ca } : {}) });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new ProtocolError(`Could not connect to ${address} within ${options.timeoutMs ?? 10_000} ms; is the scheduler running there?`, { code: "ERR_CONNECT" }));
    }, options.timeoutMs ?? 10_000);
    ws.once("open", () => {
      clearTimeout(timer);
      ws.removeAllListeners("error");
      resolve(wrap(ws, address));
    });
    ws.once("error", (error) => {
      clearTimeout(timer);
      reject(new ProtocolError(`Could not connect to ${address}: ${error.message}`, { code: "ERR_CONNECT", cause: error }));
    });
  });
}
