/**
 * Hostile input for servers: random and malformed frames over raw WebSockets, in
 * bursts on fresh connections (a protocol error closes a connection, so each burst
 * reaches a live parser). Returns how many frames were sent.
 */
import { encode } from "@msgpack/msgpack";
import { WebSocket } from "ws";
import { PROTOCOL_VERSION } from "../../src/distributed/protocol/messages.js";
import { WIRE_VERSION, encodeFrames } from "../../src/distributed/protocol/wire.js";

const TYPES = ["hello", "update-graph", "release-keys", "who-has", "heartbeat", "task-finished", "task-erred", "missing-data",
  "steal-response", "add-keys", "worker-leaving", "get-data", "put-data", "data", "error", "compute-task", "bogus",
  "get-scratch", "scratch-data", "scratch-added", "scratch-lost", "free-scratch", "worker-retiring", "acquire-keys"];

export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
}

function junk(r: () => number, depth = 0): unknown {
  const k = Math.floor(r() * 9);
  if (depth > 3) return Math.floor(r() * 100);
  switch (k) {
    case 0: return Math.floor(r() * 2 ** 40) * (r() < 0.5 ? -1 : 1);
    case 1: return "x".repeat(Math.floor(r() * 20));
    case 2: return null;
    case 3: return r() < 0.5;
    case 4: return Array.from({ length: Math.floor(r() * 4) }, () => junk(r, depth + 1));
    case 5: return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, (_, i) => [`f${i}`, junk(r, depth + 1)]));
    case 6: return new Uint8Array(Math.floor(r() * 2000));
    case 7: return { ref: junk(r, depth + 1) };
    default: return r() * 1e6;
  }
}

/** One burst of frames for a connection. */
export function burst(r: () => number, token: string): Array<Uint8Array | string> {
  const out: Array<Uint8Array | string> = [];
  const authed = r() < 0.5;
  if (authed) out.push(...encodeFrames([{ type: "hello", version: PROTOCOL_VERSION, role: r() < 0.5 ? "client" : "peer", token }]));
  const n = 1 + Math.floor(r() * 60);
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(r() * 8);
    if (kind === 0) out.push(Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
    else if (kind === 1) out.push(encode([WIRE_VERSION, [Math.floor(r() * 2 ** 36)], new Uint8Array(0)]));
    else if (kind === 2) {
      // A hand-made map with a prototype-polluting key inside a valid header.
      const key = r() < 0.5 ? "__proto__" : "constructor";
      const body = new Uint8Array([0x91, 0x82, 0xa4, ...new TextEncoder().encode("type"), 0xa4, ...new TextEncoder().encode("heal"), 0xa0 + key.length, ...new TextEncoder().encode(key), 0x80]);
      out.push(encode([WIRE_VERSION, [], body]));
    } else if (kind === 3) {
      const frames = encodeFrames([{ type: TYPES[Math.floor(r() * TYPES.length)], ...(junk(r) as object) }]);
      out.push(...frames);
    } else if (kind === 4) {
      const frames = encodeFrames([{ type: "update-graph", tasks: [junk(r)], keys: [junk(r)], modules: [], retries: 0 }]);
      out.push(frames[0]!.subarray(0, Math.floor(r() * frames[0]!.byteLength)));
    } else if (kind === 5) out.push("a text frame");
    else if (kind === 6) out.push(...encodeFrames([{ type: "hello", version: 999, role: "client", token: "nope" }]));
    else out.push(...encodeFrames([{ type: "get-data", id: Math.floor(r() * 100), keys: [String(junk(r))] }]));
  }
  return out;
}

/** Sends about `total` frames to `address` in bursts over `parallel` connections at a time; resolves with the number sent. */
export async function fuzz(address: string, total: number, token: string, seed: number, parallel = 6): Promise<number> {
  const r = rng(seed);
  let sent = 0;
  const lane = async (): Promise<void> => {
    while (sent < total) {
      const frames = burst(r, token);
      sent += frames.length;
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(address);
        const timer = setTimeout(() => { ws.terminate(); resolve(); }, 300);
        ws.on("open", () => {
          for (const f of frames) ws.send(f, { binary: typeof f !== "string" });
          setTimeout(() => ws.terminate(), 30);
        });
        ws.on("close", () => { clearTimeout(timer); resolve(); });
        ws.on("error", () => { clearTimeout(timer); resolve(); });
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return sent;
}
