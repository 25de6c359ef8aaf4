/**
 * The sync executor: runs every task in the caller, one at a time, in priority order,
 * dropping each result when its last reader is done. For debugging: a task's exception
 * keeps its own stack (as the `cause` of the {@link TaskError}).
 */
import { CancelledError } from "../errors.js";
import { trySizeOf } from "./codec.js";
import { evaluate, taskError } from "./evaluate.js";
import { indexGraph } from "./indexed.js";
import { keyPrefix, type Key } from "./key.js";
import { LocalState } from "./local/state.js";
import "./builtin-ops.js";
import { importOpModules, opModules } from "./ops.js";
import { orderIndexed } from "./order.js";
import type { ComputeScheduler, RunRequest } from "./scheduler.js";
import { TaskEventBuffer, nowMs } from "./task-events.js";

/** Statistics of the last sync run (for tests). */
export interface SyncRunStats {
  /** Most results held between tasks at once. */
  peakResultsHeld: number;
}

let lastStats: SyncRunStats | undefined;

/** What the last sync computation held. */
export function lastSyncRunStats(): SyncRunStats | undefined {
  return lastStats;
}

/** Runs graphs in the calling thread. */
export const syncScheduler: ComputeScheduler = {
  name: "sync",
  async run(request: RunRequest): Promise<unknown[]> {
    const signal = request.signal;
    if (signal?.aborted) throw new CancelledError(undefined, { cause: signal.reason });
    await importOpModules(opModules());
    const g = indexGraph(request.graph);
    const state = new LocalState(g, orderIndexed(g, request.keys), request.keys);
    const values = new Array<unknown>(g.size);
    const get = (k: Key): unknown => values[g.index.get(k)!];
    const release: number[] = [];
    const onProgress = request.onProgress;
    const start = Date.now();
    let lastYield = start;
    let count = 0;
    let held = 0;
    const stats: SyncRunStats = { peakResultsHeld: 0 };
    lastStats = stats;
    // Task events only when somebody listens: otherwise not even a clock read per task.
    const events = request.onTaskEvents ? new TaskEventBuffer(request.onTaskEvents) : undefined;
    let startMs = 0;
    while (!state.finished) {
      if (signal?.aborted) throw new CancelledError(undefined, { cause: signal.reason });
      const i = state.popReadyIndex();
      if (i < 0) throw new Error("sync executor: no ready task but the graph is not finished (cycle?)");
      const task = g.tasks[i]!;
      let value: unknown;
      if (events) startMs = nowMs();
      try {
        value = evaluate(task, get, { key: task.key, signal });
        if (value instanceof Promise) value = await value;
      } catch (error) {
        events?.push({ key: task.key, group: keyPrefix(task.key), worker: "main", startMs, stopMs: nowMs(), status: "error" });
        throw taskError(task, error);
      }
      if (events) events.push({ key: task.key, group: keyPrefix(task.key), worker: "main", startMs, stopMs: nowMs(), status: "ok", nbytes: trySizeOf(value) });
      values[i] = value;
      held++;
      release.length = 0;
      state.finishIndex(i, release);
      for (const r of release) values[r] = undefined;
      held -= release.length;
      if (held > stats.peakResultsHeld) stats.peakResultsHeld = held;
      onProgress?.({ done: state.done, total: state.total, elapsedMs: Date.now() - start, key: task.key });
      if ((++count & 255) === 0) {
        if (Date.now() - lastYield > 50) {
          // Let timers, signals and I/O run during long synchronous stretches.
          await new Promise((r) => setImmediate(r));
          lastYield = Date.now();
        } else {
          // Let queued microtasks run (progress callbacks, an abort() they call), cheaply.
          await undefined;
        }
      }
    }
    return request.keys.map((k) => values[g.index.get(k)!]);
  },
};
