/**
 * Vocabulary of the scheduler state machine: task and worker records, the events it
 * accepts and the instructions it emits. Pure data; no I/O.
 */
import type { Key } from "../../graph/key.js";
import type { Task } from "../../graph/task.js";
import type { RemoteError } from "../protocol/messages.js";

export type WorkerId = string;
export type ClientId = string;

/** States of a task on the scheduler (Dask's, minus `no-worker`: unassigned ready tasks are `queued`). */
export type SchedulerTaskStatus = "released" | "waiting" | "queued" | "processing" | "memory" | "erred" | "forgotten";

/** Why a task erred, and where. */
export interface TaskFailure {
  readonly error: RemoteError;
  /** The worker it failed on ("" when it failed because a dependency did). */
  readonly worker: string;
  /** The key that actually raised (this one, or a dependency). */
  readonly origin: Key;
  readonly op: string;
}

/** What the scheduler knows about one task. */
export interface SchedulerTask {
  readonly key: Key;
  spec: Task;
  state: SchedulerTaskStatus;
  priority: number;
  readonly dependencies: Set<SchedulerTask>;
  readonly dependents: Set<SchedulerTask>;
  /** Dependencies not in memory, while waiting. */
  readonly waitingOn: Set<SchedulerTask>;
  /** Dependents that still need this result (waiting, queued or processing). */
  readonly waiters: Set<SchedulerTask>;
  readonly whoWants: Set<ClientId>;
  readonly whoHas: Set<SchedulerWorker>;
  processingOn: SchedulerWorker | undefined;
  nbytes: number;
  retries: number;
  /** Workers that died while running it. */
  readonly killedOn: string[];
  failure: TaskFailure | undefined;
  /** A steal in flight: the worker it should move to. */
  stealTo: WorkerId | undefined;
  /** Set by a steal: the next placement goes here. */
  forceWorker: WorkerId | undefined;
  /** `SchedulerState.eventCount` when it last reached memory. */
  memoryAt: number;
  /** Times readers found its scratch files gone from a live worker (it was re-run). */
  scratchLosses: number;
}

/** What the scheduler knows about one worker. */
export interface SchedulerWorker {
  readonly id: WorkerId;
  /** Where peers and clients fetch its data. */
  readonly address: string;
  readonly nthreads: number;
  readonly memoryLimit: number;
  readonly processing: Set<SchedulerTask>;
  readonly hasWhat: Set<SchedulerTask>;
  paused: boolean;
  /** Leaving gracefully: gets no new tasks; its results are copied to other workers first. */
  retiring: boolean;
  /** Bytes of results it holds. */
  nbytes: number;
}

export type SchedulerEvent =
  | { type: "client-added"; stimulusId: string; client: ClientId }
  | { type: "client-removed"; stimulusId: string; client: ClientId }
  | { type: "worker-added"; stimulusId: string; worker: WorkerId; address: string; nthreads: number; memoryLimit?: number }
  | { type: "worker-lost"; stimulusId: string; worker: WorkerId; graceful?: boolean }
  | { type: "worker-status"; stimulusId: string; worker: WorkerId; paused: boolean }
  /** The worker wants to leave once its results are safe on other workers (SIGTERM). */
  | { type: "worker-retiring"; stimulusId: string; worker: WorkerId }
  | { type: "graph-submitted"; stimulusId: string; client: ClientId; tasks: readonly Task[]; keys: readonly Key[]; retries?: number }
  | { type: "keys-released"; stimulusId: string; client: ClientId; keys: readonly Key[] }
  | { type: "task-finished"; stimulusId: string; worker: WorkerId; key: Key; nbytes: number }
  | { type: "task-erred"; stimulusId: string; worker: WorkerId; key: Key; error: RemoteError }
  | { type: "missing-data"; stimulusId: string; worker: WorkerId; key: Key; missing: Key; from: string }
  | { type: "steal-response"; stimulusId: string; worker: WorkerId; key: Key; accepted: boolean }
  | { type: "keys-added"; stimulusId: string; worker: WorkerId; keys: readonly Key[]; nbytes: readonly number[] }
  /** The worker holds scratch files owned by these keys. */
  | { type: "scratch-added"; stimulusId: string; worker: WorkerId; keys: readonly Key[] }
  /** Task `key` could not read `owner`'s scratch files on the worker at `from`. */
  | { type: "scratch-lost"; stimulusId: string; worker: WorkerId; key: Key; owner: Key; from: string };

export type SchedulerEventType = SchedulerEvent["type"];

export type SchedulerInstruction =
  | { type: "compute"; worker: WorkerId; task: Task; priority: number; whoHas: Record<string, string[]> }
  | { type: "free-keys"; worker: WorkerId; keys: Key[] }
  | { type: "free-scratch"; worker: WorkerId; keys: Key[] }
  /** Fetch these keys from the worker at `from` and keep them (a retiring worker's results). */
  | { type: "acquire-keys"; worker: WorkerId; keys: Key[]; from: string }
  /** Every result of this retiring worker is held elsewhere: it may go. */
  | { type: "worker-retired"; worker: WorkerId }
  | { type: "steal-request"; worker: WorkerId; key: Key }
  | { type: "key-in-memory"; client: ClientId; key: Key; workers: string[] }
  | { type: "key-erred"; client: ClientId; key: Key; origin: Key; op: string; worker: string; error: RemoteError };

/** One entry of the transition log. */
export interface TransitionRecord {
  readonly key: Key;
  readonly from: SchedulerTaskStatus;
  readonly to: SchedulerTaskStatus;
  readonly stimulusId: string;
  readonly seq: number;
}

/** Options of the state machine. */
export interface SchedulerStateOptions {
  /** Check every invariant after every transition (tests). */
  validate?: boolean;
  /** Root tasks given to a worker at once, per thread (Dask's `worker-saturation`). */
  saturation?: number;
  /** Deaths while running a task before it is erred. */
  allowedFailures?: number;
  /** Entries kept in the transition log. */
  logSize?: number;
  /** Stop a runaway event after this many transitions (a bug guard). */
  maxTransitionsPerEvent?: number;
}
