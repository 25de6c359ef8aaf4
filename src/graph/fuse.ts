/**
 * Fusion of linear chains: a task whose only dependent reads nothing else is computed
 * inside that dependent (as a nested `call`), so `read → filter → assign → chunk-agg`
 * on one partition is one task and its intermediates never cross a thread. Requested
 * keys are never fused away. Chains are cut every {@link MAX_DEPTH} steps so evaluation
 * stays shallow; collections fuse wider patterns (several inputs of one partition) in
 * their own expression optimizer.
 */
import type { Graph, GraphEdges } from "./graph.js";
import { edges as computeEdges, toposort } from "./graph.js";
import type { Key } from "./key.js";
import { substitute, type Arg, type Call, type Task } from "./task.js";

function refCount(args: readonly Arg[], key: Key): number {
  let n = 0;
  for (const a of args) {
    if ("ref" in a) n += a.ref === key ? 1 : 0;
    else if ("list" in a) n += refCount(a.list, key);
    else if ("call" in a) n += refCount(a.call.args, key);
  }
  return n;
}

/** Longest chain of nested calls in one fused task. */
export const MAX_DEPTH = 64;

/** Ops that must stay tasks of their own (e.g. ones a scheduler treats specially). */
const UNFUSABLE = new Set<string>();

/** Marks an op as never fused into its dependent nor absorbing its dependency. */
export function markUnfusable(op: string): void {
  UNFUSABLE.add(op);
}

/** Fuses linear chains; returns a new graph with the same output keys. */
export function fuseLinear(graph: Graph, outputs: readonly Key[], e: GraphEdges = computeEdges(graph)): Map<Key, Task> {
  const keep = new Set(outputs);
  const absorbed = new Set<Key>();
  const depth = new Map<Key, number>();
  const topo = toposort(graph, e);
  for (const key of topo) {
    const task = graph.get(key)!;
    let d = 1;
    for (const dep of e.dependencies.get(key)!) if (absorbed.has(dep)) d = Math.max(d, depth.get(dep)! + 1);
    depth.set(key, d);
    if (keep.has(key) || UNFUSABLE.has(task.op) || d >= MAX_DEPTH) continue;
    const dependents = e.dependents.get(key)!;
    if (dependents.length !== 1) continue;
    const child = dependents[0]!;
    const childTask = graph.get(child)!;
    if (UNFUSABLE.has(childTask.op) || e.dependencies.get(child)!.length !== 1 || refCount(childTask.args, key) !== 1) continue;
    absorbed.add(key);
  }
  if (absorbed.size === 0) return new Map(graph);

  const calls = new Map<Key, Call>();
  const inline = (k: Key): Arg | undefined => {
    if (!absorbed.has(k)) return undefined;
    const call = calls.get(k)!;
    return { call };
  };
  const out = new Map<Key, Task>();
  for (const key of topo) {
    const task = graph.get(key)!;
    const args = e.dependencies.get(key)!.some((d) => absorbed.has(d)) ? substitute(task.args, inline) : task.args;
    if (absorbed.has(key)) calls.set(key, { op: task.op, args });
    else out.set(key, args === task.args ? task : { key, op: task.op, args });
  }
  return out;
}
