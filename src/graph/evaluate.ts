/**
 * Evaluation of one task: resolve its arguments (references from `get`, nested calls in
 * place), look its op up and call it. Stays synchronous unless an op returns a promise,
 * so trivial tasks cost a function call, not a microtask.
 */
import { TaskError, describeError } from "../errors.js";
import type { Key } from "./key.js";
import { getOp, type OpContext } from "./ops.js";
import type { Arg, Call, Task } from "./task.js";

/** A value, or a promise of one when some op was asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Computes a call; `get` returns the value of a dependency. */
export function evaluate(call: Call, get: (key: Key) => unknown, ctx: OpContext): MaybePromise<unknown> {
  const args = resolveArgs(call.args, get, ctx);
  if (isPromise(args)) return args.then((a) => invoke(call.op, a, ctx));
  return invoke(call.op, args, ctx);
}

function invoke(op: string, args: unknown[], ctx: OpContext): MaybePromise<unknown> {
  const entry = getOp(op);
  return entry.withContext ? entry.fn(ctx, ...args) : entry.fn(...args);
}

function resolveArgs(args: readonly Arg[], get: (key: Key) => unknown, ctx: OpContext): MaybePromise<unknown[]> {
  const out = new Array<unknown>(args.length);
  let pending = false;
  for (let i = 0; i < args.length; i++) {
    const v = resolveArg(args[i]!, get, ctx);
    if (isPromise(v)) pending = true;
    out[i] = v;
  }
  return pending ? Promise.all(out) : out;
}

function resolveArg(arg: Arg, get: (key: Key) => unknown, ctx: OpContext): unknown {
  if ("lit" in arg) return arg.lit;
  if ("ref" in arg) return get(arg.ref);
  if ("list" in arg) return resolveArgs(arg.list, get, ctx);
  return evaluate(arg.call, get, ctx);
}

/** Wraps whatever a task threw into a {@link TaskError} naming its key and op. */
export function taskError(task: Task, error: unknown, worker?: string): TaskError {
  if (error instanceof TaskError) return error;
  const stack = error instanceof Error ? error.stack : undefined;
  return new TaskError({ key: task.key, op: task.op, worker, message: describeError(error), remoteStack: stack, cause: error });
}
