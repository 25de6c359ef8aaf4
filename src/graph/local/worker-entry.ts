/**
 * The entry file of each worker thread of the threads executor: imports the op modules
 * a batch names, runs its tasks in order, and hands results back by transferring their
 * buffers (no copy).
 */
import { threadId } from "node:worker_threads";
import { Piscina } from "piscina";
import { decodeValue, encodeValue, ownsBuffers, transferList, type Encoded } from "../codec.js";
import { evaluate } from "../evaluate.js";
import type { Key } from "../key.js";
import "../builtin-ops.js";
import { importOpModules } from "../ops.js";
import type { BatchRequest, BatchResponse } from "./batch.js";

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

export default async function runBatch(request: BatchRequest): Promise<unknown> {
  await importOpModules(request.modules);
  const values = new Map<Key, unknown>();
  for (const [key, encoded] of request.inputs) values.set(key, decodeValue(encoded));
  const get = (k: Key): unknown => values.get(k);
  const results: Encoded[] = [];
  const durations: number[] = [];
  const transfer = new Set<ArrayBuffer>();
  for (const task of request.tasks) {
    const t0 = performance.now();
    let value: unknown;
    try {
      value = evaluate(task, get, { key: task.key });
      if (isPromise(value)) value = await value;
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const response: BatchResponse = {
        results: [],
        durations,
        failure: { key: task.key, op: task.op, message: err.message, stack: err.stack, name: err.name, worker: `thread ${threadId}` },
      };
      return response;
    }
    durations.push(performance.now() - t0);
    const encoded = encodeValue(value);
    if (ownsBuffers(encoded)) for (const b of transferList(encoded)) transfer.add(b);
    results.push(encoded);
  }
  const response: BatchResponse = { results, durations };
  if (transfer.size === 0) return response;
  return { [Piscina.transferableSymbol]: [...transfer], [Piscina.valueSymbol]: response };
}
