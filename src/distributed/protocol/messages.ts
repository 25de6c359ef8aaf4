/**
 * Every message of the distributed protocol, as discriminated unions (one vocabulary for
 * scheduler, worker and client). A message is plain data; values travel as
 * {@link Encoded} (codec name + meta + raw buffers), whose buffers the wire format moves
 * as separate binary frames (./wire.ts). Incoming messages are checked by ./validate.ts
 * before anything reads them.
 */
import type { Encoded } from "../../graph/codec.js";
import type { Key } from "../../graph/key.js";
import type { Task } from "../../graph/task.js";
import type { TaskEvent } from "../../graph/task-events.js";

/** Version of this protocol; the handshake rejects a peer speaking another one. */
export const PROTOCOL_VERSION = 1;

/** Who is on the other end of a connection. */
export type Role = "client" | "worker" | "peer";

/** An error as it crosses the wire (a task's exception keeps its remote stack). */
export interface RemoteError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
}

// ---- handshake (first message on every connection) ----

export interface HelloMsg {
  readonly type: "hello";
  readonly version: number;
  readonly role: Role;
  readonly token: string;
  /** Worker: its name, threads, memory limit and the address where peers fetch data. */
  readonly name?: string;
  readonly nthreads?: number;
  readonly memoryLimit?: number;
  readonly peerAddress?: string;
}
export interface WelcomeMsg {
  readonly type: "welcome";
  readonly version: number;
  /** The id the scheduler gave this connection (client or worker id). */
  readonly id: string;
}

// ---- client -> scheduler ----

export interface UpdateGraphMsg {
  readonly type: "update-graph";
  readonly tasks: readonly Task[];
  /** Keys this client wants (holds) until it releases them. */
  readonly keys: readonly Key[];
  /** Op modules workers import before running these tasks. */
  readonly modules: readonly string[];
  readonly retries: number;
  /** Send this client `task-events` for these tasks (when it listens for them). */
  readonly taskEvents?: boolean;
}
export interface ReleaseKeysMsg {
  readonly type: "release-keys";
  readonly keys: readonly Key[];
}
export interface WhoHasMsg {
  readonly type: "who-has";
  readonly id: number;
  readonly keys: readonly Key[];
}

// ---- scheduler -> client ----

export interface KeyInMemoryMsg {
  readonly type: "key-in-memory";
  readonly key: Key;
  /** Peer addresses of the workers holding it. */
  readonly workers: readonly string[];
}
export interface KeyErredMsg {
  readonly type: "key-erred";
  readonly key: Key;
  /** The task that raised (this key, or a dependency of it). */
  readonly origin: Key;
  readonly op: string;
  readonly worker: string;
  readonly error: RemoteError;
}
/** Finished tasks of this client's graphs (when it asked with `taskEvents`). */
export interface TaskEventsMsg {
  readonly type: "task-events";
  readonly events: readonly TaskEventWire[];
}
/** One task run as it crosses the wire: graph/task-events' TaskEvent, as is. */
export type TaskEventWire = TaskEvent;
export interface WhoHasReplyMsg {
  readonly type: "who-has-reply";
  readonly id: number;
  readonly who: Readonly<Record<string, readonly string[]>>;
}

// ---- scheduler -> worker ----

export interface ComputeTaskMsg {
  readonly type: "compute-task";
  readonly task: Task;
  readonly priority: number;
  /** For each dependency: the peer addresses holding it. */
  readonly whoHas: Readonly<Record<string, readonly string[]>>;
}
export interface FreeKeysMsg {
  readonly type: "free-keys";
  readonly keys: readonly Key[];
}
export interface StealRequestMsg {
  readonly type: "steal-request";
  readonly key: Key;
}
export interface ImportModulesMsg {
  readonly type: "import-modules";
  readonly modules: readonly string[];
}
/** Delete this worker's scratch spaces owned by these keys (they were released). */
export interface FreeScratchMsg {
  readonly type: "free-scratch";
  readonly keys: readonly Key[];
}
/** Fetch these keys from the worker at `from` and keep them (it is retiring). */
export interface AcquireKeysMsg {
  readonly type: "acquire-keys";
  readonly keys: readonly Key[];
  readonly from: string;
}
export interface CloseWorkerMsg {
  readonly type: "close-worker";
  readonly reason: string;
}

// ---- worker -> scheduler ----

export interface HeartbeatMsg {
  readonly type: "heartbeat";
  readonly memory: number;
  readonly managed: number;
  readonly spilled: number;
  readonly paused: boolean;
  /** CPU use of the worker process since the last heartbeat, in % of one core (may exceed 100). */
  readonly cpu: number;
  /** Tasks running on its threads now. */
  readonly executing: number;
}
export interface TaskFinishedMsg {
  readonly type: "task-finished";
  readonly key: Key;
  readonly nbytes: number;
  /** When it ran (epoch ms); absent when the worker reports a result it already held. */
  readonly startMs?: number;
  readonly stopMs?: number;
}
export interface TaskErredMsg {
  readonly type: "task-erred";
  readonly key: Key;
  readonly error: RemoteError;
  readonly startMs?: number;
  readonly stopMs?: number;
}
export interface MissingDataMsg {
  readonly type: "missing-data";
  /** The task that needed it, the key that could not be fetched, the peer that lacked it. */
  readonly key: Key;
  readonly missing: Key;
  readonly from: string;
}
export interface StealResponseMsg {
  readonly type: "steal-response";
  readonly key: Key;
  readonly accepted: boolean;
}
export interface AddKeysMsg {
  readonly type: "add-keys";
  readonly keys: readonly Key[];
  readonly nbytes: readonly number[];
}
/** The worker holds files of the scratch spaces owned by these keys. */
export interface ScratchAddedMsg {
  readonly type: "scratch-added";
  readonly keys: readonly Key[];
}
/** Task `key` could not read scratch space `owner`'s files on the worker at `from`. */
export interface ScratchLostMsg {
  readonly type: "scratch-lost";
  readonly key: Key;
  readonly owner: Key;
  readonly from: string;
}
/** The worker wants to leave once its results are held by other workers (SIGTERM). */
export interface WorkerRetiringMsg {
  readonly type: "worker-retiring";
  readonly reason: string;
}
export interface WorkerLeavingMsg {
  readonly type: "worker-leaving";
  readonly reason: string;
}

// ---- peer data (worker <-> worker, client -> worker) ----

export interface GetDataMsg {
  readonly type: "get-data";
  readonly id: number;
  readonly keys: readonly Key[];
}
export interface DataMsg {
  readonly type: "data";
  readonly id: number;
  readonly values: Readonly<Record<string, Encoded>>;
  readonly missing: readonly Key[];
}
/** Hand-off on graceful shutdown: a leaving worker pushes its data to a peer. */
export interface PutDataMsg {
  readonly type: "put-data";
  readonly id: number;
  readonly values: Readonly<Record<string, Encoded>>;
}
export interface PutDataAckMsg {
  readonly type: "put-data-ack";
  readonly id: number;
}
/** Byte ranges of files in the scratch space of `owner` (a shuffle's buckets). */
export interface GetScratchMsg {
  readonly type: "get-scratch";
  readonly id: number;
  readonly owner: Key;
  readonly ranges: ReadonlyArray<{ readonly name: string; readonly offset: number; readonly length: number }>;
}
export interface ScratchDataMsg {
  readonly type: "scratch-data";
  readonly id: number;
  /** One buffer per range, in order. */
  readonly data: readonly Uint8Array[];
}

// ---- any direction ----

export interface ErrorMsg {
  readonly type: "error";
  readonly error: RemoteError;
  /** Set when the error answers a request with an id. */
  readonly id?: number;
}

export type ClientToScheduler = UpdateGraphMsg | ReleaseKeysMsg | WhoHasMsg;
export type SchedulerToClient = KeyInMemoryMsg | KeyErredMsg | WhoHasReplyMsg | TaskEventsMsg | ErrorMsg;
export type SchedulerToWorker = ComputeTaskMsg | FreeKeysMsg | StealRequestMsg | ImportModulesMsg | CloseWorkerMsg | FreeScratchMsg | AcquireKeysMsg | ErrorMsg;
export type WorkerToScheduler = HeartbeatMsg | TaskFinishedMsg | TaskErredMsg | MissingDataMsg | StealResponseMsg | AddKeysMsg | WorkerLeavingMsg | WorkerRetiringMsg | ScratchAddedMsg | ScratchLostMsg;
export type PeerMsg = GetDataMsg | DataMsg | PutDataMsg | PutDataAckMsg | GetScratchMsg | ScratchDataMsg | ErrorMsg;

/** Every message. */
export type Message =
  | HelloMsg | WelcomeMsg
  | ClientToScheduler | SchedulerToClient
  | SchedulerToWorker | WorkerToScheduler
  | PeerMsg;

export type MessageType = Message["type"];

/** Turns any thrown value into a {@link RemoteError}. */
export function toRemoteError(error: unknown): RemoteError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}), ...(typeof code === "string" ? { code } : {}) };
  }
  return { name: "Error", message: String(error) };
}
