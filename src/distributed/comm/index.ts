/** Connecting and listening by address: `ws://`, `wss://` or `inproc://`. */
import { ValidationError } from "../../errors.js";
import type { Comm, ConnectOptions, Listener } from "./comm.js";
import { connectInproc, listenInproc } from "./inproc.js";
import { connectWs, listenWs, type ListenOptions } from "./ws.js";

export type { Comm, ConnectOptions, Listener, CloseInfo } from "./comm.js";
export type { ListenOptions } from "./ws.js";

/** Connects to an address. */
export async function connect(address: string, options: ConnectOptions = {}): Promise<Comm> {
  if (address.startsWith("inproc://")) return connectInproc(address);
  if (address.startsWith("ws://") || address.startsWith("wss://")) return connectWs(address, options);
  throw new ValidationError(`address must start with ws://, wss:// or inproc://, got ${JSON.stringify(address)}`);
}

/** Listens: `{ inproc: name }` in process, otherwise a WebSocket server. */
export async function listen(options: ListenOptions & { inproc?: string | true }, onConnection: (comm: Comm) => void): Promise<Listener> {
  if (options.inproc !== undefined) return listenInproc(options.inproc === true ? undefined : options.inproc, onConnection);
  return listenWs(options, onConnection);
}
