/**
 * Ops for bench/scheduler.ts (a module of its own so worker threads import only these,
 * not the benchmark). Trivial ops for the overhead figures; buffer ops for the memory check.
 */
import { defineOp, registerOpModule } from "../src/graph/ops.js";

defineOp("bench.inc", (x: number) => x + 1);
defineOp("bench.add", (a: number, b: number) => a + b);
defineOp("bench.sum", (xs: number[]) => { let s = 0; for (const x of xs) s += x; return s; });
/** A buffer of `bytes` bytes, every byte `i % 251` (filled, so its pages are really resident). */
defineOp("bench.buffer", (i: number, bytes: number) => new Uint8Array(bytes).fill(i % 251));
/** A new buffer copied from the one with the larger first byte (a reduction step that keeps the size). */
defineOp("bench.max", (a: Uint8Array, b: Uint8Array) => (a[0]! >= b[0]! ? a : b).slice());
/** One number from a buffer: the sum of its bytes at a stride (cheap, but reads it). */
defineOp("bench.checksum", (a: Uint8Array) => { let s = 0; for (let i = 0; i < a.length; i += 4096) s += a[i]!; return s; });

registerOpModule(import.meta.url);
