/**
 * Ops for the shared-input tests (a module of its own: worker threads import it).
 * Every op checks its inputs: a held value whose buffer was detached (moved away while
 * still viewed) would arrive empty, and the op throws instead of computing on it.
 */
import { defineOp, registerOpModule } from "../../../src/graph/ops.js";

function intact(x: Float64Array, what: string): Float64Array {
  if (!(x instanceof Float64Array)) throw new TypeError(`${what}: not a Float64Array`);
  if (x.buffer.byteLength === 0 && x.length === 0) throw new Error(`${what}: buffer detached`);
  return x;
}

/** `length` values from `seed` (length ≥ 1, so an empty input means a detached one). */
defineOp("shared.leaf", (seed: number, length: number) => Float64Array.from({ length }, (_, i) => seed + i * 0.5));
/** Returns its input itself (its result views the same buffer). */
defineOp("shared.alias", (x: Float64Array) => intact(x, "alias input"));
/** A new array: x[i] * k + sum of the other inputs' first values. */
defineOp("shared.mix", (k: number, x: Float64Array, ...ys: Float64Array[]) => {
  intact(x, "mix input");
  let extra = 0;
  for (const y of ys) extra += intact(y, "mix input")[0]!;
  return x.map((v) => v * k + extra);
});
/** A small summary of its inputs: [sum, length] per input, flattened. */
defineOp("shared.summary", (...xs: Float64Array[]) => Float64Array.from(xs.flatMap((x, i) => {
  intact(x, `summary input ${i}`);
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j]!;
  return [s, x.length];
})));

registerOpModule(import.meta.url);
