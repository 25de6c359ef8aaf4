/**
 * The sync executor: runs every task in the caller, one at a time, in priority order,
 * dropping each result when its last reader is done. For debugging: a task's exception
 * keeps its own stack (as the `cause` of the {@link TaskError}).
 */
import { CancelledError } from "../errors.js";
import { evaluate, taskError } from "./evaluate.js";
import { edges } from "./graph.js";
import type { Key } from "./key.js";
import { LocalState } from "./local/state.js";
import "./builtin-ops.js";
import { importOpModules, opModules } from "./ops.js";
import { order } from "./order.js";
import type { ComputeScheduler, RunRequest } from "./scheduler.js";

/** Runs graphs in the calling thread. */
export const syncScheduler: ComputeScheduler = {
  name: "sync",
  async run(request: RunRequest): Promise<unknown[]> {
    await importOpModules(opModules());
    const e = edges(request.graph);
    const state = new LocalState(request.graph, e, order(request.graph, request.keys, e), request.keys);
    const values = new Map<Key, unknown>();
    const get = (k: Key): unknown => values.get(k);
    const signal = request.signal;
    let lastYield = Date.now();
    while (!state.finished) {
      if (signal?.aborted) throw new CancelledError(undefined, { cause: signal.reason });
      const task = state.popReady();
      if (!task) throw new Error("sync executor: no ready task but the graph is not finished (cycle?)");
      let value: unknown;
      try {
        value = evaluate(task, get, { key: task.key, signal });
        if (value instanceof Promise) value = await value;
      } catch (error) {
        throw taskError(task, error);
      }
      values.set(task.key, value);
      for (const k of state.finish(task.key)) values.delete(k);
      request.onProgress?.({ done: state.done, total: state.total, elapsedMs: 0, key: task.key });
      if (Date.now() - lastYield > 50) {
        // Let timers, signals and I/O run during long synchronous stretches.
        await new Promise((r) => setImmediate(r));
        lastYield = Date.now();
      }
    }
    return request.keys.map((k) => values.get(k));
  },
};
