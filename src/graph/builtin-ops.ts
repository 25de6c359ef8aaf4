/**
 * Ops every executor has: calling a shipped user function, holding a persisted value,
 * building plain containers. Imported by the executors themselves (and so by every
 * worker thread and cluster worker).
 */
import { decodeValue, type Encoded } from "./codec.js";
import { defineOp } from "./ops.js";
import { resolveFunction, type FnRef } from "./shipped-function.js";

/** Calls a user function shipped as source or module export: `fn(...args)`. */
defineOp("tusk.call", async (fn: FnRef, ...args: unknown[]) => (await resolveFunction(fn))(...args));

/** A value computed earlier and kept (by `persist`), as encoded buffers. */
defineOp("tusk.persisted", (encoded: Encoded) => decodeValue(encoded));

/** Its argument, unchanged. */
defineOp("tusk.identity", (x: unknown) => x);

/** A plain object from keys and values: `{ [keys[i]]: values[i] }`. */
defineOp("tusk.dict", (keys: string[], values: unknown[]) => {
  const out: Record<string, unknown> = {};
  keys.forEach((k, i) => { out[k] = values[i]; });
  return out;
});
