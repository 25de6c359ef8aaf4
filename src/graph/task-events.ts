/**
 * Task events: which worker ran which task, when. Executors (sync, threads) and the
 * cluster client report them through `RunRequest.onTaskEvents` when somebody listens;
 * diagnostics (performance reports, the notebook, the dashboard) subscribe here.
 * Nothing is recorded when nobody listens.
 */
import type { Key } from "./key.js";

/** One task run. Times are epoch milliseconds (`performance.timeOrigin + performance.now()`). */
export interface TaskEvent {
  readonly key: Key;
  /** The task group: the key's prefix (e.g. "read-csv", "groupby-agg"). */
  readonly group: string;
  /** Where it ran: "main", "thread-N" or a cluster worker's name. */
  readonly worker: string;
  readonly startMs: number;
  readonly stopMs: number;
  readonly status: "ok" | "error";
  /** Size of the result in bytes, when known. */
  readonly nbytes?: number;
}

/** Receives task events in batches, always asynchronously to the executor's loop. */
export type TaskEventListener = (events: readonly TaskEvent[]) => void;

const listeners = new Set<TaskEventListener>();

/** Subscribes to task events of every computation in this process; returns the unsubscribe. */
export function addTaskEventListener(listener: TaskEventListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether anybody listens (executors skip recording otherwise). */
export function hasTaskEventListeners(): boolean {
  return listeners.size > 0;
}

/** Now, in epoch milliseconds with sub-millisecond precision (comparable across threads). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Collects the events of one run and hands them to `deliver` in batches, on a
 * microtask: never synchronously from inside an executor's loop, so a listener cannot
 * re-enter it, and a synchronous stretch of tasks costs one delivery, not one per task.
 * A batch pushed before the run's promise settles is delivered before its awaiter resumes.
 */
export class TaskEventBuffer {
  #pending: TaskEvent[] = [];
  #scheduled = false;
  readonly #deliver: (events: readonly TaskEvent[]) => void;

  constructor(deliver: (events: readonly TaskEvent[]) => void) {
    this.#deliver = deliver;
  }

  push(event: TaskEvent): void {
    this.#pending.push(event);
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    try {
      this.#deliver(batch);
    } catch {
      // a diagnostics listener must never break a computation
    }
  };
}

/** Delivers a batch to every listener; a listener that throws does not stop the others. */
export function emitTaskEvents(events: readonly TaskEvent[]): void {
  if (events.length === 0) return;
  for (const l of [...listeners]) {
    try {
      l(events);
    } catch {
      // a diagnostics listener must never break a computation
    }
  }
}
