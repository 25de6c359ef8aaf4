/**
 * Tree reductions (Dask's `reduction`/`apply_concat_apply`): a chunk task per partition
 * (reading the partition key, so linear fusion folds `read → filter → chunk` into one
 * task), then combine tasks over groups of `splitEvery` partials, level by level, then
 * one aggregate task. Partials are kept in partition order at every level, so ops that
 * care about order (first/last, first appearance) can rely on it.
 */
import { LayeredGraph, layer } from "../../graph/graph.js";
import { makeKey, makeName, type Key } from "../../graph/key.js";
import { lit, list, ref, task, type Arg, type Task } from "../../graph/task.js";
import { ValidationError } from "../../errors.js";
import type { FrameMeta } from "../meta.js";

/** Lowered partitions of a frame (what `toPartitions()` returns). */
export interface Parts {
  readonly graph: LayeredGraph;
  readonly keys: readonly Key[];
  readonly meta: FrameMeta;
}

/** An op and its literal arguments around the data argument(s). */
export interface Step {
  readonly op: string;
  /** Arguments after the data: for chunk `op(partition, ...args, index)`; for combine/aggregate `op(...args, partials)`. */
  readonly args: readonly unknown[];
}

/** How a tree reduction is built. */
export interface TreeSpec {
  /** Task prefix, e.g. "sum": layers are `sum-chunk-…`, `sum-combine-…`, `sum-agg-…`. */
  readonly prefix: string;
  readonly chunk: Step;
  /** Passes the partition index as the chunk's last argument. */
  readonly chunkIndex?: boolean;
  readonly combine: Step;
  readonly aggregate: Step;
  /** Partials per combine task (default 8). */
  readonly splitEvery?: number;
}

/** Validates `splitEvery` at the public boundary. */
export function checkSplitEvery(n: number | undefined): number {
  if (n === undefined) return 8;
  if (!Number.isInteger(n) || n < 2) throw new ValidationError(`splitEvery must be an integer >= 2, got ${n}`);
  return n;
}

/**
 * Builds the tree; returns the graph and the key of the aggregate task.
 * @example const { graph, key } = treeReduce(parts, { prefix: "sum", chunk, combine, aggregate });
 */
export function treeReduce(parts: Parts, spec: TreeSpec): { graph: LayeredGraph; key: Key } {
  const splitEvery = checkSplitEvery(spec.splitEvery);
  const token = [parts.keys, spec.chunk, spec.combine, spec.aggregate, splitEvery, spec.chunkIndex ?? false];
  const chunkName = makeName(`${spec.prefix}-chunk`, ...token);
  const inputLayers = [...parts.graph.layers.keys()];
  const chunkTasks: Task[] = parts.keys.map((k, i) => {
    const args: Arg[] = [ref(k), ...spec.chunk.args.map(lit)];
    if (spec.chunkIndex) args.push(lit(i));
    return task(makeKey(chunkName, i), spec.chunk.op, ...args);
  });
  let graph = LayeredGraph.from(layer(chunkName, chunkTasks, inputLayers, { kind: `${spec.prefix}-chunk` }), parts.graph);
  let level: Key[] = chunkTasks.map((t) => t.key);
  let prevLayer = chunkName;
  let depth = 0;
  while (level.length > splitEvery) {
    const name = makeName(`${spec.prefix}-combine`, ...token, depth);
    const tasks: Task[] = [];
    const next: Key[] = [];
    for (let i = 0; i < level.length; i += splitEvery) {
      const group = level.slice(i, i + splitEvery);
      if (group.length === 1) { next.push(group[0]!); continue; } // a lone partial moves up as it is
      const t = task(makeKey(name, i / splitEvery), spec.combine.op, ...spec.combine.args.map(lit), list(group.map(ref)));
      tasks.push(t);
      next.push(t.key);
    }
    graph = graph.with(layer(name, tasks, [prevLayer], { kind: `${spec.prefix}-combine` }));
    level = next;
    prevLayer = name;
    depth++;
  }
  const aggName = makeName(`${spec.prefix}-agg`, ...token);
  const key = makeKey(aggName);
  const agg = task(key, spec.aggregate.op, ...spec.aggregate.args.map(lit), list(level.map(ref)));
  return { graph: graph.with(layer(aggName, [agg], [prevLayer], { kind: `${spec.prefix}-agg` })), key };
}

/**
 * One task per partition applying `op(partition, ...args)`: for row-wise results
 * (danfo's `{ axis: 1 }`), fused with the steps before it.
 */
export function mapParts(parts: Parts, prefix: string, op: string, args: readonly unknown[]): { graph: LayeredGraph; keys: Key[] } {
  const name = makeName(prefix, parts.keys, op, args);
  const tasks = parts.keys.map((k, i) => task(makeKey(name, i), op, ref(k), ...args.map(lit)));
  return {
    graph: LayeredGraph.from(layer(name, tasks, [...parts.graph.layers.keys()], { kind: prefix }), parts.graph),
    keys: tasks.map((t) => t.key),
  };
}
