/**
 * Ops for the graph tests (a module of its own: worker threads import it before running
 * tasks). Counters are Int32Arrays over SharedArrayBuffers passed as literals: a
 * SharedArrayBuffer crosses postMessage shared, not copied, so an increment in any
 * worker thread is seen by the test.
 */
import { isMainThread, threadId } from "node:worker_threads";
import { defineOp, registerOpModule } from "../../src/graph/ops.js";

/** Elementwise sum of arrays of any lengths (missing entries count as 0). */
function add(...xs: Float64Array[]): Float64Array {
  const out = new Float64Array(Math.max(0, ...xs.map((x) => x.length)));
  for (const x of xs) for (let i = 0; i < x.length; i++) out[i]! += x[i]!;
  return out;
}

defineOp("test.leaf", (seed: number, length: number) => Float64Array.from({ length }, (_, i) => seed * 1.5 + i));
defineOp("test.add", add);
defineOp("test.scale", (x: Float64Array, k: number) => x.map((v) => v * k));
defineOp("test.concat", (xs: Float64Array[]) => {
  const out = new Float64Array(xs.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of xs) { out.set(x, o); o += x.length; }
  return out.subarray(0, 64).slice();
});
defineOp("test.asyncAdd", async (...xs: Float64Array[]) => {
  await new Promise((r) => setTimeout(r, 0));
  return add(...xs);
});

defineOp("test.inc", (x: number) => x + 1);
defineOp("test.sum", (xs: number[]) => xs.reduce((a, b) => a + b, 0));
/** Increments counter `slot` of `counts` and returns `value`. */
defineOp("test.count", (counts: Int32Array, slot: number, value: unknown) => {
  Atomics.add(counts, slot, 1);
  return value;
});

/** A buffer of `bytes` bytes filled with `fill`. */
defineOp("test.bytes", (fill: number, bytes: number) => new Uint8Array(bytes).fill(fill));
/** Sum of the first byte of each buffer. */
defineOp("test.firstBytes", (xs: Uint8Array[]) => xs.reduce((s, x) => s + x[0]!, 0));
/** A new buffer: elementwise max of two. */
defineOp("test.maxBytes", (a: Uint8Array, b: Uint8Array) => a.map((v, i) => Math.max(v, b[i]!)));

defineOp("test.fail", (message: string) => {
  throw new RangeError(message);
});
/** Returns something postMessage cannot carry. */
defineOp("test.unsendable", () => ({ f: () => 1 }));
defineOp("test.where", () => ({ isMainThread, threadId }));

/** Spins (without yielding) until `flag[0]` is set, at most `maxMs`; increments flag[1] when it starts. */
defineOp("test.spin", (flag: Int32Array, maxMs: number) => {
  Atomics.add(flag, 1, 1);
  const end = Date.now() + maxMs;
  while (Atomics.load(flag, 0) === 0 && Date.now() < end) { /* busy */ }
  return 1;
});

// Transfer check: `test.keep` returns a buffer and keeps a reference to it in this thread;
// `test.keptDetached` (a later batch, same thread) reports whether that buffer was
// detached, i.e. moved to the caller rather than copied.
let kept: Uint8Array | undefined;
defineOp("test.keep", (bytes: number) => {
  kept = new Uint8Array(bytes).fill(7);
  return kept;
});
defineOp("test.keptDetached", (_dep: unknown) => ({ detached: kept !== undefined && kept.buffer.byteLength === 0, keptLength: kept?.byteLength ?? -1 }));

registerOpModule(import.meta.url);
defineOp("test.copyBytes", (a: Uint8Array) => a.slice());
/** Ends its worker thread (process.exit in a worker stops only that thread). */
defineOp("test.exit", () => process.exit(3));
defineOp("test.failWith", (_inputs: unknown[], message: string) => {
  throw new Error(message);
});
