/**
 * The interface between collections and whatever runs their graphs: the sync and
 * threads executors here, or a distributed `Client`. Collections only ever call
 * `compute` (./compute.ts), which picks a scheduler from the options or the config.
 */
import type { Graph, LayeredGraph } from "./graph.js";
import type { Key } from "./key.js";
import type { TaskEvent } from "./task-events.js";

/** Progress of one computation. */
export interface ProgressEvent {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  /** The task that just finished, when known. */
  readonly key?: Key;
}

/** Called as tasks finish (throttled by the executor, always asynchronously). */
export type ProgressCallback = (event: ProgressEvent) => void;

/** One graph to run. */
export interface RunRequest {
  /** The optimized graph, culled to `keys`. */
  readonly graph: Graph;
  readonly keys: readonly Key[];
  readonly signal?: AbortSignal;
  readonly onProgress?: ProgressCallback;
  /** Set when somebody listens for task events (./task-events.ts); batches of finished tasks. */
  readonly onTaskEvents?: (events: readonly TaskEvent[]) => void;
  /** Bytes of results to hold before spilling to `localDirectory`. */
  readonly memoryLimit?: number;
  readonly localDirectory: string;
  readonly nthreads: number;
  readonly retries: number;
}

/** Something that runs graphs: an executor or a cluster client. */
export interface ComputeScheduler {
  readonly name: string;
  /** Computes `keys`, returning their values in order. */
  run(request: RunRequest): Promise<unknown[]>;
  /**
   * Computes `keys` and keeps them where they are (cluster memory); returns a graph
   * whose tasks stand for the kept results. Without it, `persist` brings the values
   * to the caller and embeds them in the graph.
   */
  persist?(request: RunRequest): Promise<LayeredGraph>;
}

/** Names of the built-in schedulers. */
export type SchedulerName = "sync" | "threads";
