/** The messages between the threads executor and its worker threads. */
import type { Encoded } from "../codec.js";
import type { Key } from "../key.js";
import type { Task } from "../task.js";

/** A batch of ready tasks, with the values of their dependencies. */
export interface BatchRequest {
  /** Op modules to import before running (see ../ops.ts). */
  readonly modules: readonly string[];
  readonly tasks: readonly Task[];
  readonly inputs: ReadonlyArray<readonly [Key, Encoded]>;
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

/** Results of a batch, in task order; or the first failure. */
export interface BatchResponse {
  readonly results: readonly Encoded[];
  /** Milliseconds each task took. */
  readonly durations: readonly number[];
  readonly failure?: RemoteFailure;
}
