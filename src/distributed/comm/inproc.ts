/**
 * In-process transport for tests: `inproc://name` listeners in a registry; frames go
 * through the same encoder, decoder and validation as on a socket, delivered on a
 * later tick (never synchronously).
 */
import { ProtocolError } from "../../errors.js";
import { FramedComm, type Comm, type Listener } from "./comm.js";

const listeners = new Map<string, (comm: Comm) => void>();
let nextId = 0;

/** Listens on `inproc://<name>` (a fresh name when none is given). */
export function listenInproc(name: string | undefined, onConnection: (comm: Comm) => void): Listener {
  const address = `inproc://${name ?? `listener-${process.pid}-${nextId++}`}`;
  if (listeners.has(address)) throw new ProtocolError(`${address} is already in use`);
  listeners.set(address, onConnection);
  return {
    address,
    close: async () => { listeners.delete(address); },
  };
}

/** Connects to an in-process listener. */
export async function connectInproc(address: string): Promise<Comm> {
  const accept = listeners.get(address);
  if (!accept) throw new ProtocolError(`Nothing listens on ${address}`, { code: "ERR_CONNECT" });
  const [a, b] = inprocPair(address);
  setImmediate(() => accept(b));
  return a;
}

/** Two connected ends; `raw` sends raw frames (for hostile-input tests). */
export function inprocPair(name = "pair"): [FramedComm & { raw(frames: Uint8Array[]): void }, FramedComm] {
  let left!: FramedComm;
  let right!: FramedComm;
  const link = (other: () => FramedComm) => ({
    sendFrames: (frames: Uint8Array[]) => {
      setImmediate(() => { for (const f of frames) other().receiveFrame(f); });
    },
    closeTransport: (_code: number, reason: string) => {
      setImmediate(() => other().transportClosed(`peer closed: ${reason}`));
    },
  });
  left = new FramedComm(`${name}#server`, link(() => right));
  right = new FramedComm(`${name}#client`, link(() => left));
  const raw = (frames: Uint8Array[]): void => {
    setImmediate(() => { for (const f of frames) right.receiveFrame(f); });
  };
  return [Object.assign(left, { raw }), right];
}
