/**
 * The threads executor (the default): ready tasks go to a piscina pool in small batches
 * in priority order. Design:
 * - One `pool.run()` costs ~45 µs, one trivial task ~0.15 µs: so ready tasks travel in
 *   batches, sized from the measured task durations to take ~{@link TARGET_BATCH_MS}
 *   each (one task per batch for heavy tasks, up to {@link MAX_BATCH} for trivial ones),
 *   and never more than an even share of what is ready, so every thread gets work.
 * - At most {@link INFLIGHT_PER_THREAD} batches per thread are in flight: with the
 *   static priorities this bounds the results alive at once.
 * - Results come back as encoded buffers (transferred, not copied) and wait in a
 *   {@link ResultStore}; a dependency travels to its last reader by transfer, to
 *   earlier readers by copy; a result is dropped when its last reader is done; above
 *   the memory limit the results needed last are spilled to disk.
 * - The first failing task rejects the computation with a {@link TaskError} naming its
 *   key and op with the thread's stack; nothing else is dispatched and results still in
 *   flight are ignored; the pool stays usable. An abort cancels queued and running
 *   batches (piscina stops a running thread and starts a fresh one).
 */
import { CancelledError, TaskError } from "../../errors.js";
import { decodeValue, transferList, type Encoded } from "../codec.js";
import { edges } from "../graph.js";
import type { Key } from "../key.js";
import { opModules } from "../ops.js";
import { order } from "../order.js";
import type { ComputeScheduler, RunRequest } from "../scheduler.js";
import type { Task } from "../task.js";
import type { BatchRequest, BatchResponse } from "./batch.js";
import { getPool } from "./pool.js";
import { ResultStore } from "./result-store.js";
import { LocalState } from "./state.js";

/** Aim for batches that run this long. */
export const TARGET_BATCH_MS = 10;
/** Never more tasks than this in one batch. */
export const MAX_BATCH = 2000;
/** Batches in flight per thread. */
export const INFLIGHT_PER_THREAD = 2;
/** Spill when results pass this fraction of the memory limit, down to the next one. */
const SPILL_ABOVE = 0.7;
const SPILL_DOWN_TO = 0.5;

/** Runs graphs on a pool of worker threads. */
export const threadsScheduler: ComputeScheduler = {
  name: "threads",
  run: runThreaded,
};

/** Statistics of the last threaded run (for benchmarks and tests). */
export interface ThreadsRunStats {
  peakResultBytes: number;
  peakResultsHeld: number;
  spilled: number;
  batches: number;
  spillDirectory: string | undefined;
}

let lastStats: ThreadsRunStats | undefined;

/** What the last threaded computation held and spilled. */
export function lastThreadsRunStats(): ThreadsRunStats | undefined {
  return lastStats;
}

async function runThreaded(request: RunRequest): Promise<unknown[]> {
  const { graph, keys, signal } = request;
  if (signal?.aborted) throw new CancelledError(undefined, { cause: signal.reason });
  const e = edges(graph);
  const state = new LocalState(graph, e, order(graph, keys, e), keys);
  const store = new ResultStore({ memoryLimit: request.memoryLimit, localDirectory: request.localDirectory });
  const pool = getPool(request.nthreads);
  const maxInflight = request.nthreads * INFLIGHT_PER_THREAD;
  const modules = opModules();
  const wanted = new Set(keys);
  const stats: ThreadsRunStats = { peakResultBytes: 0, peakResultsHeld: 0, spilled: 0, batches: 0, spillDirectory: undefined };
  const abort = new AbortController();
  const start = Date.now();
  let held = 0;
  let avgTaskMs = 1;
  let inflight = 0;

  try {
    return await new Promise<unknown[]>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        abort.abort(error);
        reject(error);
      };
      const onAbort = (): void => fail(new CancelledError(undefined, { cause: signal?.reason }));
      signal?.addEventListener("abort", onAbort, { once: true });

      const finishAll = (): void => {
        signal?.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        try {
          resolve(keys.map((k) => decodeValue(store.get(k))));
        } catch (error) {
          reject(error);
        }
      };

      const dispatch = (): void => {
        while (!settled && inflight < maxInflight && state.readyCount > 0) {
          const share = Math.ceil(state.readyCount / request.nthreads);
          const size = Math.max(1, Math.min(MAX_BATCH, share, Math.floor(TARGET_BATCH_MS / Math.max(avgTaskMs, 1e-4))));
          const tasks: Task[] = [];
          for (let i = 0; i < size; i++) {
            const t = state.popReady();
            if (!t) break;
            tasks.push(t);
          }
          send(tasks);
        }
        if (!settled && inflight === 0 && state.finished) finishAll();
      };

      const send = (tasks: Task[]): void => {
        const inputs: Array<readonly [Key, Encoded]> = [];
        const transfer: ArrayBuffer[] = [];
        const reads = new Map<Key, number>();
        for (const t of tasks) for (const d of e.dependencies.get(t.key)!) reads.set(d, (reads.get(d) ?? 0) + 1);
        for (const [dep, n] of reads) {
          // Transfer when this batch is the value's last reader and nobody asked for it.
          const last = state.readers(dep) === n && !wanted.has(dep);
          if (last) {
            const value = store.take(dep);
            held--;
            inputs.push([dep, value]);
            transfer.push(...transferList(value));
          } else {
            inputs.push([dep, store.get(dep)]);
          }
        }
        const message: BatchRequest = { modules, tasks, inputs };
        inflight++;
        stats.batches++;
        pool.run(message, { transferList: transfer, signal: abort.signal }).then(
          (response) => onResult(tasks, response),
          (error: unknown) => {
            inflight--;
            fail(settled ? error : new TaskError({ key: tasks[0]!.key, op: tasks[0]!.op, message: `worker thread failed: ${String(error)}`, cause: error }));
          },
        );
      };

      const onResult = (tasks: Task[], response: BatchResponse): void => {
        inflight--;
        if (settled) return;
        if (response.failure) {
          const f = response.failure;
          return fail(new TaskError({ key: f.key, op: f.op, worker: f.worker, message: f.message, remoteStack: f.stack }));
        }
        let ms = 0;
        for (const d of response.durations) ms += d;
        avgTaskMs = 0.5 * avgTaskMs + 0.5 * (ms / Math.max(1, tasks.length));
        for (let i = 0; i < tasks.length; i++) {
          const key = tasks[i]!.key;
          if (!store.has(key)) { store.put(key, response.results[i]!); held++; }
          for (const k of state.finish(key)) {
            if (store.has(k)) { store.delete(k); held--; }
          }
        }
        if (held > stats.peakResultsHeld) stats.peakResultsHeld = held;
        if (store.above(SPILL_ABOVE)) {
          store.spillTo(SPILL_DOWN_TO, (k) => (wanted.has(k) ? Infinity : state.nextUse(k)));
          stats.spilled = store.spilledCount;
          stats.spillDirectory = store.directory;
        }
        request.onProgress?.({ done: state.done, total: state.total, elapsedMs: Date.now() - start, key: tasks[tasks.length - 1]!.key });
        dispatch();
      };

      dispatch();
    });
  } finally {
    stats.peakResultBytes = store.peakMemoryBytes;
    lastStats = stats;
    store.close();
  }
}
