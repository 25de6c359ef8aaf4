/**
 * Static ordering: a priority for every task, lower runs first among ready tasks.
 *
 * Design (in the spirit of `dask.order`): memory stays low when a computation finishes
 * a branch before it opens another, so that results can be released early. We take a
 * depth-first post-order walk from the requested keys: a task gets its number only after
 * all its dependencies have theirs. Among the dependencies of one task we visit first
 * the ones with the smallest subtree (they finish soonest and free their inputs), then
 * by key for determinism.
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
 * The walk is iterative (graphs of a million tasks, chains of 100,000 deep). Subtree
 * sizes are counted as if the graph were a tree (shared inputs counted per use), capped
 * at the graph size: an estimate that only affects tie-breaking.
 */
import type { Graph, GraphEdges } from "./graph.js";
import { edges as computeEdges, toposort } from "./graph.js";
import type { Key } from "./key.js";

/** Priorities: 0 runs first. Every key of `graph` gets one. */
export function order(graph: Graph, outputs: readonly Key[], e: GraphEdges = computeEdges(graph)): Map<Key, number> {
  const n = graph.size;
  const size = new Map<Key, number>();
  for (const key of toposort(graph, e)) {
    let s = 1;
    for (const dep of e.dependencies.get(key)!) s += size.get(dep)!;
    size.set(key, Math.min(s, n));
  }
  const compare = (a: Key, b: Key): number => size.get(a)! - size.get(b)! || (a < b ? -1 : a > b ? 1 : 0);

  const priority = new Map<Key, number>();
  let next = 0;
  const roots = [...new Set(outputs)].filter((k) => graph.has(k)).sort(compare);
  // Tasks that no output needs (not culled) still get a number, after everything else.
  const rootSet = new Set(roots);
  const rest = [...graph.keys()].filter((k) => e.dependents.get(k)!.length === 0 && !rootSet.has(k)).sort(compare);
  for (const root of [...roots, ...rest]) {
    if (priority.has(root)) continue;
    // Each frame: a key and its sorted dependencies still to visit.
    const stack: Array<{ key: Key; deps: Key[]; i: number }> = [{ key: root, deps: sortedDeps(root), i: 0 }];
    const onStack = new Set<Key>([root]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.deps.length) {
        const dep = top.deps[top.i++]!;
        if (!priority.has(dep) && !onStack.has(dep)) {
          onStack.add(dep);
          stack.push({ key: dep, deps: sortedDeps(dep), i: 0 });
        }
      } else {
        stack.pop();
        onStack.delete(top.key);
        priority.set(top.key, next++);
      }
    }
  }
  return priority;

  function sortedDeps(key: Key): Key[] {
    return [...e.dependencies.get(key)!].sort(compare);
  }
}
