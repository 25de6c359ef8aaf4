/**
 * Fusion of linear chains: a task whose only dependent reads nothing else is computed
 * inside that dependent (as a nested `call`), so `read → filter → assign → chunk-agg`
 * on one partition is one task and its intermediates never cross a thread. Requested
 * keys are never fused away. Chains are cut every {@link MAX_DEPTH} steps so evaluation
 * stays shallow; collections fuse wider patterns (several inputs of one partition) in
 * their own expression optimizer.
 */
import type { Graph, GraphEdges } from "./graph.js";
import { indexFromEdges, indexGraph, topoOrder } from "./indexed.js";
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

/** Fuses linear chains; returns a graph with the same output keys (`graph` itself when nothing fuses). */
export function fuseLinear(graph: Graph, outputs: readonly Key[], e?: GraphEdges): Map<Key, Task> {
  const g = e ? indexFromEdges(graph, e) : indexGraph(graph);
  const n = g.size;
  const keep = new Uint8Array(n);
  for (const k of outputs) {
    const i = g.index.get(k);
    if (i !== undefined) keep[i] = 1;
  }
  // A task can be absorbed by its single dependent, which reads nothing else and reads it once.
  const candidate = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i++) {
    if (keep[i] || g.dependentStart[i + 1]! - g.dependentStart[i]! !== 1) continue;
    const child = g.dependents[g.dependentStart[i]!]!;
    if (g.depStart[child + 1]! - g.depStart[child]! !== 1) continue;
    if (UNFUSABLE.has(g.tasks[i]!.op) || UNFUSABLE.has(g.tasks[child]!.op)) continue;
    if (refCount(g.tasks[child]!.args, g.keys[i]!) !== 1) continue;
    candidate[i] = 1;
    any = true;
  }
  if (!any) return graph instanceof Map ? (graph as Map<Key, Task>) : new Map(graph);

  const topo = topoOrder(g);
  const absorbed = new Uint8Array(n);
  const depth = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const i = topo[t]!;
    let d = 1;
    for (let q = g.depStart[i]!; q < g.depStart[i + 1]!; q++) {
      const dep = g.deps[q]!;
      if (absorbed[dep]) d = Math.max(d, depth[dep]! + 1);
    }
    depth[i] = d;
    if (candidate[i] && d < MAX_DEPTH) absorbed[i] = 1;
  }

  const calls = new Array<Call | undefined>(n);
  const inline = (k: Key): Arg | undefined => {
    const i = g.index.get(k)!;
    return absorbed[i] ? { call: calls[i]! } : undefined;
  };
  const fused = new Array<Task | undefined>(n);
  for (let t = 0; t < n; t++) {
    const i = topo[t]!;
    const task = g.tasks[i]!;
    let reads = false;
    for (let q = g.depStart[i]!; q < g.depStart[i + 1]!; q++) if (absorbed[g.deps[q]!]) reads = true;
    const args = reads ? substitute(task.args, inline) : task.args;
    if (absorbed[i]) calls[i] = { op: task.op, args };
    else fused[i] = args === task.args ? task : { key: task.key, op: task.op, args };
  }
  const out = new Map<Key, Task>();
  for (let i = 0; i < n; i++) if (!absorbed[i]) out.set(g.keys[i]!, fused[i]!);
  return out;
}
