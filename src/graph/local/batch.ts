/** The messages between the threads executor and its worker threads. */
import type { Encoded } from "../codec.js";
import type { Key } from "../key.js";
import type { Task } from "../task.js";
import type { ScratchPortSpec } from "./scratch-port.js";

/** A batch of ready tasks, with the values of their dependencies. */
export interface BatchRequest {
  /** Op modules to import before running (see ../ops.ts). */
  readonly modules: readonly string[];
  /** In order: a task's dependencies are inputs or earlier tasks of the batch. */
  readonly tasks: readonly Task[];
  /** 1 where a task's value must be sent back (read outside the batch, or wanted). */
  readonly keep: Uint8Array;
  readonly inputs: ReadonlyArray<readonly [Key, Encoded]>;
  /** On a cluster worker: its scratch service (ops see it as `ctx.scratch`). */
  readonly scratch?: ScratchPortSpec;
  /** Record each task's start and stop (only when somebody listens for task events). */
  readonly timing?: boolean;
}

/** Per-task timings of a batch, when the request asked for them. */
export interface BatchTimings {
  /** The worker thread's id (`threadId`). */
  readonly thread: number;
  /** Start and stop of task i at [2i] and [2i+1], epoch milliseconds; only tasks that ran. */
  readonly times: Float64Array;
  /** Result bytes of task i (NaN when unknown). */
  readonly nbytes: Float64Array;
  /** How many tasks ran (the last one failed when the response has a failure). */
  readonly ran: number;
}

/** A task that threw, as it crosses back to the caller. */
export interface RemoteFailure {
  readonly key: Key;
  readonly op: string;
  readonly message: string;
  readonly stack?: string;
  readonly name?: string;
  readonly worker: string;
}

/**
 * Results of a batch, in task order (undefined where not kept); or the first failure. A result is an
 * {@link Encoded} where `encoded[i]` is 1, else the plain value itself (numbers, strings,
 * booleans, null, undefined, bigints: the common trivial case, sent without a wrapper).
 */
export interface BatchResponse {
  readonly results: readonly unknown[];
  readonly encoded: Uint8Array;
  /** Milliseconds the batch's tasks took, in total. */
  readonly ms: number;
  readonly failure?: RemoteFailure;
  readonly timings?: BatchTimings;
}
