/**
 * Tasks are plain data: an op name from the registry (./ops.ts) and tagged arguments.
 * An argument is a literal (never scanned for keys), a reference to another task's key,
 * a list of arguments, or a nested call computed in place (what fusion produces).
 * Plain objects round-trip through structuredClone and msgpack unchanged.
 */
import type { Key } from "./key.js";

/** One argument of a task. */
export type Arg =
  | { readonly ref: Key }
  | { readonly lit: unknown }
  | { readonly list: readonly Arg[] }
  | { readonly call: Call };

/** An op applied to arguments, computed in place inside a fused task. */
export interface Call {
  readonly op: string;
  readonly args: readonly Arg[];
}

/** A node of a graph: the op that computes `key` from `args`. */
export interface Task extends Call {
  readonly key: Key;
}

/** A reference to another task's result. */
export function ref(key: Key): Arg {
  return { ref: key };
}

/** A literal argument, passed to the op as it is. */
export function lit(value: unknown): Arg {
  return { lit: value };
}

/** A list argument whose items are resolved (the op receives an array). */
export function list(items: readonly Arg[]): Arg {
  return { list: items };
}

/** Turns plain values into arguments: keys given as `{ ref }` stay references. */
export function lits(values: readonly unknown[]): Arg[] {
  return values.map(lit);
}

/** Makes a task. */
export function task(key: Key, op: string, ...args: Arg[]): Task {
  return { key, op, args };
}

/** The keys a task (or call, or argument) refers to, each once, in first-seen order. */
export function dependencies(node: Call | Arg | readonly Arg[]): Key[] {
  const out = new Set<Key>();
  collect(node, out);
  return [...out];
}

function collect(node: Call | Arg | readonly Arg[], out: Set<Key>): void {
  if (Array.isArray(node)) {
    for (const a of node as readonly Arg[]) collect(a, out);
    return;
  }
  const n = node as Record<string, unknown>;
  if ("ref" in n) out.add(n.ref as Key);
  else if ("list" in n) collect(n.list as readonly Arg[], out);
  else if ("call" in n) collect((n.call as Call).args, out);
  else if ("op" in n && "args" in n) collect((n as unknown as Call).args, out);
}

/** Replaces references by other arguments (used by fusion to inline a dependency). */
export function substitute(args: readonly Arg[], replace: (key: Key) => Arg | undefined): Arg[] {
  return args.map((a) => substituteArg(a, replace));
}

function substituteArg(arg: Arg, replace: (key: Key) => Arg | undefined): Arg {
  if ("ref" in arg) return replace(arg.ref) ?? arg;
  if ("list" in arg) return { list: substitute(arg.list, replace) };
  if ("call" in arg) return { call: { op: arg.call.op, args: substitute(arg.call.args, replace) } };
  return arg;
}

/** All op names used by a task, its nested calls included. */
export function opsOf(node: Call): string[] {
  const out = new Set<string>([node.op]);
  const walk = (args: readonly Arg[]): void => {
    for (const a of args) {
      if ("call" in a) { out.add(a.call.op); walk(a.call.args); }
      else if ("list" in a) walk(a.list);
    }
  };
  walk(node.args);
  return [...out];
}
