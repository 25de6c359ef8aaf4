/**
 * `nLargest` / `nSmallest` without a full sort: each partition keeps its top n rows
 * (a stable sort of the partition, cut at n), then a tree of combines (fan-in 8)
 * concatenates and cuts again. Ties keep the earlier row (pandas' `keep="first"`);
 * missing values come last.
 */
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { list, lit, ref, task, type Task } from "../../graph/task.js";
import { DataFrame } from "../frame.js";
import { exprToken } from "../expr/frame-expr.js";
import "../kernels/sort.js";
import type { Series } from "../series.js";
import { frameAsSeries, seriesAsFrame, sortSpec } from "./sort.js";

const FAN_IN = 8;

/**
 * The `n` rows with the largest (or smallest) values of `columns`, in that order.
 * @example await df.nLargest(100, "fare").compute()
 */
export function nTop(df: DataFrame, n: number, columns: string | readonly string[], largest: boolean): DataFrame {
  const what = largest ? "nLargest" : "nSmallest";
  if (!Number.isInteger(n) || n < 0) throw new ValidationError(`${what}: n must be a non-negative integer, got ${n}`);
  const spec = sortSpec(df, columns, !largest, what);
  const { graph, keys, meta } = df.toPartitions();
  const name = makeName(what.toLowerCase(), exprToken(df.expr), spec, n);
  const tasks: Task[] = [];
  let level: Key[] = keys.map((k, i) => {
    const key = makeKey(`${name}-chunk`, i);
    tasks.push(task(key, "dataframe.sort.top", ref(k), lit(spec), lit(n)));
    return key;
  });
  let depth = 0;
  do {
    const next: Key[] = [];
    for (let i = 0; i < level.length; i += FAN_IN) {
      const key = makeKey(`${name}-combine${depth}`, next.length);
      tasks.push(task(key, "dataframe.sort.top-combine", list(level.slice(i, i + FAN_IN).map(ref)), lit(spec), lit(n), lit(meta)));
      next.push(key);
    }
    level = next;
    depth++;
  } while (level.length > 1);
  const g = LayeredGraph.from(layer(name, tasks, [...new Set(keys.map(keyName))]), graph);
  return DataFrame.fromGraph(g, level, meta);
}

/**
 * A Series' `n` largest (or smallest) values.
 * @example await df.column("fare").nLargest(3).compute()
 */
export function seriesTop(s: Series, n: number, largest: boolean): Series {
  return frameAsSeries(nTop(seriesAsFrame(s), n, s.name, largest));
}
