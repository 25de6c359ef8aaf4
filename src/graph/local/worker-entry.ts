/**
 * The entry file of each worker thread of the threads executor: imports the op modules
 * a batch names, runs its tasks in order, and hands results back by transferring their
 * buffers (no copy). A result's buffers are moved out of this thread: an op must not keep
 * using a whole ArrayBuffer it returned (views into a larger buffer are copied instead).
 */
import { threadId } from "node:worker_threads";
import { Piscina } from "piscina";
import { decodeValue, encodeValue, encodedSize, ownsBuffers, transferList, trySizeOf } from "../codec.js";
import { evaluate } from "../evaluate.js";
import { collectRefs } from "../indexed.js";
import type { Key } from "../key.js";
import "../builtin-ops.js";
import { importOpModules } from "../ops.js";
import { scratchService } from "./scratch-port.js";
import { nowMs } from "../task-events.js";
import type { BatchRequest, BatchResponse, BatchTimings } from "./batch.js";

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === "number" || t === "string" || t === "boolean" || t === "undefined" || t === "bigint";
}

/** Why postMessage would refuse `v` (a function or symbol inside), or undefined. */
function unsendable(v: unknown, path: string, depth: number): string | undefined {
  const t = typeof v;
  if (t === "function") return `a function at ${path || "the top"}`;
  if (t === "symbol") return `a symbol at ${path || "the top"}`;
  if (t !== "object" || v === null || depth > 64) return undefined;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Date || v instanceof RegExp || v instanceof Error) return undefined;
  if (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item = v[i];
      if (typeof item === "object" || typeof item === "function" || typeof item === "symbol") {
        const r = unsendable(item, `${path}[${i}]`, depth + 1);
        if (r) return r;
      }
    }
    return undefined;
  }
  if (v instanceof Map) {
    for (const [k, x] of v) { const r = unsendable(k, `${path}<key>`, depth + 1) ?? unsendable(x, `${path}.get(${String(k)})`, depth + 1); if (r) return r; }
    return undefined;
  }
  if (v instanceof Set) {
    for (const x of v) { const r = unsendable(x, `${path}<item>`, depth + 1); if (r) return r; }
    return undefined;
  }
  for (const k of Object.keys(v as object)) {
    const r = unsendable((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    if (r) return r;
  }
  return undefined;
}

export default async function runBatch(request: BatchRequest): Promise<unknown> {
  await importOpModules(request.modules);
  const scratch = request.scratch ? scratchService(request.scratch) : undefined;
  const values = new Map<Key, unknown>();
  for (const [key, encoded] of request.inputs) values.set(key, decodeValue(encoded));
  const get = (k: Key): unknown => values.get(k);
  const n = request.tasks.length;
  // Reads left per value within the batch: a value is dropped after its last one here.
  const reads = new Map<Key, number>();
  const depsOf = new Array<Key[] | undefined>(n);
  for (let i = 0; i < n; i++) {
    const task = request.tasks[i]!;
    if (task.args.length === 0) continue;
    const refs: Key[] = [];
    collectRefs(task.args, refs);
    if (refs.length === 0) continue;
    const unique = refs.length === 1 ? refs : [...new Set(refs)];
    depsOf[i] = unique;
    for (const d of unique) reads.set(d, (reads.get(d) ?? 0) + 1);
  }
  const results = new Array<unknown>(n);
  const encoded = new Uint8Array(n);
  const transfer = new Set<ArrayBuffer>();
  // Task timings only when somebody listens for task events.
  const times = request.timing ? new Float64Array(2 * n) : undefined;
  const sizes = times ? new Float64Array(n).fill(NaN) : undefined;
  const timings = (ran: number): BatchTimings | undefined => (times ? { thread: threadId, times, nbytes: sizes!, ran } : undefined);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const task = request.tasks[i]!;
    let value: unknown;
    if (times) times[2 * i] = nowMs();
    try {
      value = evaluate(task, get, scratch ? { key: task.key, scratch } : { key: task.key });
      if (isPromise(value)) value = await value;
    } catch (error) {
      if (times) times[2 * i + 1] = nowMs();
      const err = error instanceof Error ? error : new Error(String(error));
      const response: BatchResponse = {
        results: [], encoded: new Uint8Array(0), ms: performance.now() - t0, timings: timings(i + 1),
        failure: { key: task.key, op: task.op, message: err.message, stack: err.stack, name: err.name, worker: `thread ${threadId}` },
      };
      return response;
    }
    if (times) {
      times[2 * i + 1] = nowMs();
      if (!request.keep[i]) sizes![i] = (trySizeOf(value) ?? NaN);
    }
    const deps = depsOf[i];
    if (deps) {
      for (const d of deps) {
        const left = reads.get(d)! - 1;
        if (left === 0) { reads.delete(d); values.delete(d); } else reads.set(d, left);
      }
    }
    if (reads.has(task.key)) values.set(task.key, value);
    if (!request.keep[i]) continue;
    if (isPrimitive(value)) {
      results[i] = value;
      if (sizes) sizes[i] = (trySizeOf(value) ?? NaN);
      continue;
    }
    const e = encodeValue(value);
    const bad = e.codec === "plain" ? unsendable(e.meta, "", 0) : undefined;
    if (bad) {
      const response: BatchResponse = {
        results: [], encoded: new Uint8Array(0), ms: performance.now() - t0, timings: timings(i + 1),
        failure: {
          key: task.key, op: task.op, worker: `thread ${threadId}`, name: "DataCloneError",
          message: `it returned a value that cannot be sent between threads (${bad}). Return plain data, typed arrays, ` +
            `or a type with a codec registered with registerCodec in its op module`,
        },
      };
      return response;
    }
    if (e.buffers.length > 0 && ownsBuffers(e)) for (const b of transferList(e)) transfer.add(b);
    if (sizes) sizes[i] = encodedSize(e);
    results[i] = e;
    encoded[i] = 1;
  }
  const response: BatchResponse = times ? { results, encoded, ms: performance.now() - t0, timings: timings(n) } : { results, encoded, ms: performance.now() - t0 };
  if (transfer.size === 0) return response;
  // Piscina transfers (rather than copies) only what is wrapped by `move`.
  return Piscina.move({ [Piscina.transferableSymbol]: [...transfer], [Piscina.valueSymbol]: response } as never);
}
