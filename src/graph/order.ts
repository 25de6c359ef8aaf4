/**
 * Static ordering: a priority for every task, lower runs first among ready tasks.
 *
 * Design (in the spirit of `dask.order`): memory stays low when a computation finishes
 * a branch before it opens another, so that results can be released early. We take a
 * depth-first post-order walk from the requested keys: a task gets its number only after
 * all its dependencies have theirs. Among the dependencies of one task we visit first
 * the ones with the smallest subtree (they finish soonest and free their inputs), then
 * in graph order (the order tasks were added: chunk 0 before chunk 1) for determinism.
 *
 *     a1   a2   b1   b2        leaves
 *      \   /     \   /
 *       sa        sb           partial sums
 *         \      /
 *          total
 *
 * gives a1 a2 sa b1 b2 sb total: `sa` is computed (and a1, a2 released) before b1 is
 * opened. With a tree reduction over N chains and T threads, at most O(T + log N)
 * results are held at once instead of N.
 *
 * The walk is iterative (graphs of a million tasks, chains of 100,000 deep) and works on
 * the integer form of the graph (./indexed.ts): typed arrays, no per-key Maps. Subtree
 * sizes are counted as if the graph were a tree (shared inputs counted per use), capped
 * at the graph size: an estimate that only affects tie-breaking.
 */
import type { Graph, GraphEdges } from "./graph.js";
import { indexFromEdges, indexGraph, topoOrder, type IndexedGraph } from "./indexed.js";
import type { Key } from "./key.js";

/** Priorities: 0 runs first. Every key of `graph` gets one. */
export function order(graph: Graph, outputs: readonly Key[], e?: GraphEdges): Map<Key, number> {
  const g = e ? indexFromEdges(graph, e) : indexGraph(graph);
  const prio = orderIndexed(g, outputs);
  const out = new Map<Key, number>();
  for (let i = 0; i < g.size; i++) out.set(g.keys[i]!, prio[i]!);
  return out;
}

/** {@link order} on the integer form: `priority[i]` of task i. */
export function orderIndexed(g: IndexedGraph, outputs: readonly Key[]): Int32Array {
  const n = g.size;
  const size = new Int32Array(n);
  const topo = topoOrder(g);
  for (let t = 0; t < n; t++) {
    const i = topo[t]!;
    let s = 1;
    for (let q = g.depStart[i]!; q < g.depStart[i + 1]!; q++) s += size[g.deps[q]!]!;
    size[i] = Math.min(s, n);
  }
  const before = (a: number, b: number): boolean => size[a]! < size[b]! || (size[a] === size[b] && a < b);

  // Each task's dependencies, sorted smallest subtree first (insertion sort: lists are short).
  const sorted = g.deps.slice();
  for (let i = 0; i < n; i++) {
    const lo = g.depStart[i]!, hi = g.depStart[i + 1]!;
    for (let q = lo + 1; q < hi; q++) {
      const v = sorted[q]!;
      let r = q - 1;
      while (r >= lo && before(v, sorted[r]!)) { sorted[r + 1] = sorted[r]!; r--; }
      sorted[r + 1] = v;
    }
  }

  const isRoot = new Uint8Array(n);
  const roots: number[] = [];
  for (const k of outputs) {
    const i = g.index.get(k);
    if (i !== undefined && !isRoot[i]) { isRoot[i] = 1; roots.push(i); }
  }
  roots.sort((a, b) => size[a]! - size[b]! || a - b);
  // Tasks that no output needs (not culled) still get a number, after everything else.
  const rest: number[] = [];
  for (let i = 0; i < n; i++) if (!isRoot[i] && g.dependentStart[i + 1] === g.dependentStart[i]) rest.push(i);
  rest.sort((a, b) => size[a]! - size[b]! || a - b);

  const priority = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stackNode = new Int32Array(n);
  const stackPos = new Int32Array(n);
  let next = 0;
  const walk = (root: number): void => {
    if (priority[root] !== -1) return;
    let top = 0;
    stackNode[0] = root;
    stackPos[0] = g.depStart[root]!;
    onStack[root] = 1;
    while (top >= 0) {
      const node = stackNode[top]!;
      const pos = stackPos[top]!;
      if (pos < g.depStart[node + 1]!) {
        stackPos[top] = pos + 1;
        const dep = sorted[pos]!;
        if (priority[dep] === -1 && !onStack[dep]) {
          onStack[dep] = 1;
          top++;
          stackNode[top] = dep;
          stackPos[top] = g.depStart[dep]!;
        }
      } else {
        top--;
        onStack[node] = 0;
        priority[node] = next++;
      }
    }
  };
  for (const r of roots) walk(r);
  for (const r of rest) walk(r);
  return priority;
}
