/**
 * The threads executor (the default): ready tasks go to a piscina pool in small batches
 * in priority order. Design:
 * - One `pool.run()` costs ~45 µs, one trivial task ~0.15 µs: so ready tasks travel in
 *   batches, sized from the measured task durations to take ~{@link TARGET_BATCH_MS}
 *   each (one task per batch for heavy tasks, up to {@link MAX_BATCH} for trivial ones),
 *   and never more than an even share of what is ready, so every thread gets work. The
 *   first batch of a computation has one task (nothing is measured yet), and a batch's
 *   expected result bytes stay under {@link BATCH_BYTES}, so big results never pile up
 *   inside a batch.
 * - The graph is handled in integer form (../indexed.ts) and plain results (numbers,
 *   strings) cross threads without a codec wrapper: the per-task cost of scheduling is
 *   a few array operations.
 * - A batch is closed over its own results: while it is built, a task whose inputs are
 *   all computed or earlier in the batch joins it (in priority order), so a chain or a
 *   subtree runs in one message; the worker drops intermediates after their last reader
 *   in the batch and sends back only what is read outside it (or was asked for).
 * - At most {@link INFLIGHT_PER_THREAD} batches per thread are in flight: with the
 *   static priorities this bounds the results alive at once to O(threads + tree depth)
 *   (test/graph/order.test.ts states and checks the bound).
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
import { decodeValue, encodedSize, ownsBuffers, transferList, type Encoded } from "../codec.js";
import { indexGraph } from "../indexed.js";
import { keyPrefix, type Key } from "../key.js";
import { opModulesFor } from "../ops.js";
import { orderIndexed } from "../order.js";
import type { ComputeScheduler, RunRequest } from "../scheduler.js";
import type { Task } from "../task.js";
import { TaskEventBuffer } from "../task-events.js";
import type { BatchRequest, BatchResponse } from "./batch.js";
import { getPool } from "./pool.js";
import { ResultStore } from "./result-store.js";
import { LocalState } from "./state.js";

/** Aim for batches that run this long. */
export const TARGET_BATCH_MS = 10;
/** Never more tasks than this in one batch. */
export const MAX_BATCH = 2000;
/** Expected result bytes of one batch at most (at least one task per batch). */
export const BATCH_BYTES = 32 * 2 ** 20;
/**
 * Batches in flight per thread: two hide the round trip for short tasks; tasks longer
 * than a batch target get one (the round trip is then negligible, and fewer big results
 * are in transit at once).
 */
export const INFLIGHT_PER_THREAD = 2;
/** Spill when results pass this fraction of the memory limit, down to the next one. */
const SPILL_ABOVE = 0.7;
const SPILL_DOWN_TO = 0.5;

const EMPTY: readonly Uint8Array[] = Object.freeze([]) as readonly Uint8Array[];

/** Runs graphs on a pool of worker threads. */
export const threadsScheduler: ComputeScheduler = {
  name: "threads",
  run: runThreaded,
};

/** Statistics of the last threaded run (for benchmarks and tests). */
export interface ThreadsRunStats {
  /** Most bytes of results held between tasks at once. */
  peakResultBytes: number;
  /** Most results held between tasks at once. */
  peakResultsHeld: number;
  /** Results written to spill files. */
  spilled: number;
  batches: number;
  /** The spill folder (removed when the computation ends), if one was made. */
  spillDirectory: string | undefined;
  /** Inputs with buffers sent to a thread by transfer (moved, no copy). */
  inputsMoved: number;
  /** Inputs with buffers sent by copy (structured clone), and their bytes. */
  inputsCopied: number;
  copiedBytes: number;
  /** Inputs sent as views of shared memory (no copy). */
  inputsShared: number;
  /** Results copied once into shared memory because several batches read them, and their bytes. */
  sharedResults: number;
  sharedBytes: number;
}

let lastStats: ThreadsRunStats | undefined;

/** What the last threaded computation held and spilled. */
export function lastThreadsRunStats(): ThreadsRunStats | undefined {
  return lastStats;
}

async function runThreaded(request: RunRequest): Promise<unknown[]> {
  const { keys, signal } = request;
  if (signal?.aborted) throw new CancelledError(undefined, { cause: signal.reason });
  const g = indexGraph(request.graph);
  const state = new LocalState(g, orderIndexed(g, keys), keys);
  const wanted = state.wanted;
  const store = new ResultStore({ memoryLimit: request.memoryLimit, localDirectory: request.localDirectory });
  const pool = getPool(request.nthreads);
  const modules = opModulesFor(g.tasks);
  const stats: ThreadsRunStats = {
    peakResultBytes: 0, peakResultsHeld: 0, spilled: 0, batches: 0, spillDirectory: undefined,
    inputsMoved: 0, inputsCopied: 0, copiedBytes: 0, inputsShared: 0, sharedResults: 0, sharedBytes: 0,
  };
  const abort = new AbortController();
  const start = Date.now();
  const reads = new Int32Array(g.size);
  const member = new Int32Array(g.size);
  let batchSerial = 0;
  const release: number[] = [];
  let avgTaskMs = -1;
  let avgBytes = 0;
  let inflight = 0;
  // Task events only when somebody listens: the threads then time each task.
  const events = request.onTaskEvents ? new TaskEventBuffer(request.onTaskEvents) : undefined;

  /** The events of a batch's tasks that ran (the last one failed when `failed`). */
  const report = (batch: number[], response: BatchResponse, failed: boolean): void => {
    const t = response.timings;
    if (!events || !t) return;
    const worker = `thread-${t.thread}`;
    for (let b = 0; b < t.ran; b++) {
      const key = g.keys[batch[b]!]!;
      const error = failed && b === t.ran - 1;
      const nbytes = t.nbytes[b]!;
      events.push({
        key, group: keyPrefix(key), worker, startMs: t.times[2 * b]!, stopMs: t.times[2 * b + 1]!,
        status: error ? "error" : "ok", ...(error || Number.isNaN(nbytes) ? {} : { nbytes }),
      });
    }
  };

  try {
    return await new Promise<unknown[]>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
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

      const batchSize = (): number => {
        if (avgTaskMs < 0) return 1;
        let size = Math.min(MAX_BATCH, Math.floor(TARGET_BATCH_MS / Math.max(avgTaskMs, 1e-4)));
        if (avgBytes > 0) size = Math.min(size, Math.floor(BATCH_BYTES / avgBytes));
        return Math.max(1, size);
      };

      const dispatch = (): void => {
        try {
          dispatchReady();
        } catch (error) {
          fail(error);
        }
      };

      const dispatchReady = (): void => {
        const maxInflight = avgTaskMs > TARGET_BATCH_MS ? request.nthreads : request.nthreads * INFLIGHT_PER_THREAD;
        while (!settled && inflight < maxInflight && state.readyCount > 0) {
          const size = batchSize();
          // An even share of what is ready now, so every thread gets work; tasks made
          // runnable by the batch itself join it up to the batch size.
          const share = Math.max(1, Math.ceil(state.readyCount / request.nthreads));
          state.beginBatch();
          let fromReady = 0;
          for (let i = 0; i < size; i++) {
            const t = state.takeForBatch(fromReady < share);
            if (t < 0) break;
            if (state.lastFromReady) fromReady++;
          }
          const { tasks, keep } = state.endBatch();
          send(tasks, keep);
          if (avgTaskMs < 0) break; // one probe batch until something is measured
        }
        if (!settled && inflight === 0 && state.finished) finishAll();
      };

      const send = (batch: number[], keep: Uint8Array): void => {
        const inputs: Array<readonly [Key, Encoded]> = [];
        const movable = new Set<ArrayBuffer>();
        const deps: number[] = [];
        const tasks = new Array<Task>(batch.length);
        const serial = ++batchSerial;
        for (const t of batch) member[t] = serial;
        for (let b = 0; b < batch.length; b++) {
          const t = batch[b]!;
          tasks[b] = g.tasks[t]!;
          for (let q = g.depStart[t]!; q < g.depStart[t + 1]!; q++) {
            const d = g.deps[q]!;
            if (member[d] === serial) continue; // computed earlier in this batch
            if (reads[d]++ === 0) deps.push(d);
          }
        }
        for (const d of deps) {
          const key = g.keys[d]!;
          // Move the value when this batch is its last reader and nobody asked for it.
          const last = state.readersOf(d) === reads[d] && !wanted[d];
          reads[d] = 0;
          let value = last ? store.take(key) : store.get(key);
          // Read by later batches too: put it in shared memory once, so neither this reader
          // nor the later ones get a copy of their own (a wanted value stays as it is: the
          // caller gets ordinary buffers).
          if (!last && !wanted[d] && value.buffers.length > 0) {
            const shared = store.share(key);
            if (shared) {
              value = shared;
              stats.sharedResults++;
              stats.sharedBytes += encodedSize(shared);
            }
          }
          inputs.push([key, value]);
          if (last && value.buffers.length > 0 && ownsBuffers(value)) for (const b of transferList(value)) movable.add(b);
        }
        // A buffer another held value still views is copied, not moved (moving would detach it).
        const transfer = [...movable].filter((b) => !store.references(b));
        countInputs(inputs, transfer);
        const message: BatchRequest = events ? { modules, tasks, keep, inputs, timing: true } : { modules, tasks, keep, inputs };
        inflight++;
        stats.batches++;
        pool.run(message, { transferList: transfer, signal: abort.signal }).then(
          (response) => onResult(batch, keep, response),
          (error: unknown) => {
            inflight--;
            if (settled) return;
            const first = g.tasks[batch[0]!]!;
            const unsendable = (error as { name?: string } | null)?.name === "DataCloneError";
            const message = unsendable
              ? `${batch.length === 1 ? "it" : `one of the ${batch.length} tasks of its batch (${batch.slice(0, 5).map((i) => g.keys[i]).join(", ")}${batch.length > 5 ? ", …" : ""})`} ` +
                `returned a value that cannot be sent between threads (${String(error)}). Return plain data, typed arrays, ` +
                `or a type with a codec registered with registerCodec in its op module`
              : `worker thread failed: ${error instanceof Error ? error.message : (error as { message?: string } | null)?.message ?? String(error)}`;
            fail(new TaskError({ key: first.key, op: first.op, message, cause: error }));
          },
        );
      };

      /** Counts how the inputs of a batch travel: moved, shared, or copied. */
      const countInputs = (inputs: ReadonlyArray<readonly [Key, Encoded]>, transfer: readonly ArrayBuffer[]): void => {
        const moved = new Set<ArrayBufferLike>(transfer);
        for (const [, e] of inputs) {
          if (e.buffers.length === 0) continue;
          let copied = 0, shared = 0, allMoved = true;
          for (const b of e.buffers) {
            if (moved.has(b.buffer)) continue;
            allMoved = false;
            if (b.buffer instanceof ArrayBuffer) copied += b.byteLength;
            else shared++;
          }
          if (copied > 0) { stats.inputsCopied++; stats.copiedBytes += copied; }
          else if (shared > 0) stats.inputsShared++;
          else if (allMoved) stats.inputsMoved++;
        }
      };

      const handleResult = (batch: number[], keep: Uint8Array, response: BatchResponse): void => {
        inflight--;
        if (settled) return;
        report(batch, response, response.failure !== undefined);
        if (response.failure) {
          const f = response.failure;
          return fail(new TaskError({ key: f.key, op: f.op, worker: f.worker, message: f.message, remoteStack: f.stack }));
        }
        const n = batch.length;
        avgTaskMs = avgTaskMs < 0 ? response.ms / n : 0.5 * avgTaskMs + 0.5 * (response.ms / n);
        let bytes = 0;
        for (let b = 0; b < n; b++) {
          const t = batch[b]!;
          if (keep[b]) {
            const r = response.results[b];
            const e: Encoded = response.encoded[b] ? (r as Encoded) : { codec: "plain", meta: r, buffers: EMPTY };
            if (e.buffers.length > 0) bytes += encodedSize(e);
            store.put(g.keys[t]!, e);
          }
          release.length = 0;
          state.completeIndex(t, release);
          for (const r2 of release) store.delete(g.keys[r2]!);
        }
        avgBytes = 0.5 * avgBytes + 0.5 * (bytes / n);
        const held = store.count;
        if (held > stats.peakResultsHeld) stats.peakResultsHeld = held;
        if (store.above(SPILL_ABOVE)) {
          store.spillTo(SPILL_DOWN_TO, (k) => {
            const i = g.index.get(k)!;
            return wanted[i] ? Infinity : state.nextUseIndex(i);
          });
          stats.spilled = store.spilledCount;
          stats.spillDirectory = store.directory;
        }
        request.onProgress?.({ done: state.done, total: state.total, elapsedMs: Date.now() - start, key: g.keys[batch[n - 1]!]! });
        dispatch();
      };

      const onResult = (batch: number[], keep: Uint8Array, response: BatchResponse): void => {
        try {
          handleResult(batch, keep, response);
        } catch (error) {
          fail(error);
        }
      };

      dispatch();
    });
  } finally {
    stats.peakResultBytes = store.peakMemoryBytes;
    lastStats = stats;
    store.close();
  }
}
