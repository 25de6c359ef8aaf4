/**
 * A graph in integer form, built once per computation: tasks numbered 0..n-1 in the
 * graph's own order, with dependencies and dependents as compressed adjacency arrays
 * (Int32Array offsets + indices). Ordering, fusion and the local executors work on it
 * instead of on Maps of keys: with 100,000 trivial tasks, per-key Map lookups and small
 * arrays were most of the scheduling cost.
 */
import { GraphError } from "../errors.js";
import type { Graph, GraphEdges } from "./graph.js";
import type { Key } from "./key.js";
import type { Arg, Task } from "./task.js";

/** A graph with tasks numbered in the graph's order. */
export interface IndexedGraph {
  readonly size: number;
  readonly keys: readonly Key[];
  readonly tasks: readonly Task[];
  readonly index: ReadonlyMap<Key, number>;
  /** Dependencies of task i: `deps[depStart[i] .. depStart[i+1])`, each once, in first-seen order. */
  readonly depStart: Int32Array;
  readonly deps: Int32Array;
  /** Dependents of task i: `dependents[dependentStart[i] .. dependentStart[i+1])`, ascending. */
  readonly dependentStart: Int32Array;
  readonly dependents: Int32Array;
}

/** Pushes the keys an argument list refers to (with repeats). */
export function collectRefs(args: readonly Arg[], out: Key[]): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as { ref?: Key; list?: readonly Arg[]; call?: { args: readonly Arg[] }; lit?: unknown };
    if (a.ref !== undefined) out.push(a.ref);
    else if (a.list !== undefined) collectRefs(a.list, out);
    else if (a.call !== undefined) collectRefs(a.call.args, out);
  }
}

/** Numbers the tasks of `graph` and computes its edges from the tasks' references. */
export function indexGraph(graph: Graph): IndexedGraph {
  const { keys, tasks, index } = number(graph);
  const n = keys.length;
  const depStart = new Int32Array(n + 1);
  let deps = new Int32Array(Math.max(16, n));
  const stamp = new Int32Array(n);
  const refs: Key[] = [];
  let m = 0;
  for (let j = 0; j < n; j++) {
    depStart[j] = m;
    const task = tasks[j]!;
    if (task.args.length === 0) continue;
    refs.length = 0;
    collectRefs(task.args, refs);
    for (let r = 0; r < refs.length; r++) {
      const d = index.get(refs[r]!);
      if (d === undefined) {
        throw new GraphError("ERR_MISSING_KEY", `Task ${keys[j]} (op ${task.op}) depends on ${refs[r]}, which is not in the graph`);
      }
      if (stamp[d] === j + 1) continue;
      stamp[d] = j + 1;
      if (m === deps.length) deps = grow(deps);
      deps[m++] = d;
    }
  }
  depStart[n] = m;
  return withDependents(keys, tasks, index, depStart, deps.subarray(0, m));
}

/** Numbers the tasks of `graph` with the edges given (e.g. edges to outside tasks left out). */
export function indexFromEdges(graph: Graph, e: GraphEdges): IndexedGraph {
  const { keys, tasks, index } = number(graph);
  const n = keys.length;
  const depStart = new Int32Array(n + 1);
  let deps = new Int32Array(Math.max(16, n));
  let m = 0;
  for (let j = 0; j < n; j++) {
    depStart[j] = m;
    for (const k of e.dependencies.get(keys[j]!) ?? []) {
      const d = index.get(k);
      if (d === undefined) continue;
      if (m === deps.length) deps = grow(deps);
      deps[m++] = d;
    }
  }
  depStart[n] = m;
  return withDependents(keys, tasks, index, depStart, deps.subarray(0, m));
}

function number(graph: Graph): { keys: Key[]; tasks: Task[]; index: Map<Key, number> } {
  const n = graph.size;
  const keys = new Array<Key>(n);
  const tasks = new Array<Task>(n);
  const index = new Map<Key, number>();
  let i = 0;
  for (const [k, t] of graph) {
    keys[i] = k;
    tasks[i] = t;
    index.set(k, i++);
  }
  return { keys, tasks, index };
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function withDependents(keys: Key[], tasks: Task[], index: Map<Key, number>, depStart: Int32Array, deps: Int32Array): IndexedGraph {
  const n = keys.length;
  const dependentStart = new Int32Array(n + 1);
  for (let q = 0; q < deps.length; q++) dependentStart[deps[q]! + 1]!++;
  for (let i = 0; i < n; i++) dependentStart[i + 1]! += dependentStart[i]!;
  const fill = dependentStart.slice(0, n);
  const dependents = new Int32Array(deps.length);
  for (let j = 0; j < n; j++) {
    for (let q = depStart[j]!; q < depStart[j + 1]!; q++) dependents[fill[deps[q]!]!++] = j;
  }
  return { size: n, keys, tasks, index, depStart, deps, dependentStart, dependents };
}

/** Task numbers so that every task comes after its dependencies; throws on a cycle. */
export function topoOrder(g: IndexedGraph): Int32Array {
  const n = g.size;
  const missing = new Int32Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    missing[i] = g.depStart[i + 1]! - g.depStart[i]!;
    if (missing[i] === 0) stack[top++] = i;
  }
  const out = new Int32Array(n);
  let m = 0;
  while (top > 0) {
    const i = stack[--top]!;
    out[m++] = i;
    for (let q = g.dependentStart[i]!; q < g.dependentStart[i + 1]!; q++) {
      const c = g.dependents[q]!;
      if (--missing[c] === 0) stack[top++] = c;
    }
  }
  if (m !== n) {
    const stuck: Key[] = [];
    for (let i = 0; i < n && stuck.length < 5; i++) if (missing[i]! > 0) stuck.push(g.keys[i]!);
    throw new GraphError("ERR_CYCLE", `Graph has a cycle through ${stuck.join(", ")}`);
  }
  return out;
}

/** The Map form of the edges (for callers of {@link GraphEdges}). */
export function edgesOf(g: IndexedGraph): GraphEdges {
  const dependencies = new Map<Key, Key[]>();
  const dependents = new Map<Key, Key[]>();
  for (let i = 0; i < g.size; i++) {
    const d: Key[] = [];
    for (let q = g.depStart[i]!; q < g.depStart[i + 1]!; q++) d.push(g.keys[g.deps[q]!]!);
    dependencies.set(g.keys[i]!, d);
    const c: Key[] = [];
    for (let q = g.dependentStart[i]!; q < g.dependentStart[i + 1]!; q++) c.push(g.keys[g.dependents[q]!]!);
    dependents.set(g.keys[i]!, c);
  }
  return { dependencies, dependents };
}
