/**
 * `dropDuplicates({ subset, keep })`. Two strategies, as Dask's `drop_duplicates`:
 * - default (`splitOut: 1`): a tree reduction — each partition drops its own
 *   duplicates, combines (fan-in 8) concatenate in partition order and drop again. The
 *   result is one partition in danfo's order (first, or last, occurrences in row order);
 *   fine while the distinct rows fit in memory.
 * - `splitOut: n`: a hash shuffle on the subset columns into n partitions, then each
 *   drops its duplicates: for many distinct rows (larger than memory). Rows of one
 *   output partition keep their order; the partitions follow hash buckets.
 * `keep: false` drops every row that has a duplicate (partials carry a count).
 */
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { list, lit, ref, task, type Task } from "../../graph/task.js";
import { DataFrame } from "../frame.js";
import { exprToken } from "../expr/frame-expr.js";
import { COUNT, type Keep } from "../kernels/hash-partition-dedupe.js";
import { getColumn, type FrameMeta } from "../meta.js";
import type { Series } from "../series.js";
import { shuffle } from "../shuffle/shuffle.js";
import { withInfo } from "./set-index.js";
import { frameAsSeries, seriesAsFrame } from "./sort.js";

/** Options of `dropDuplicates`. */
export interface DropDuplicatesOptions {
  /** Columns that define a duplicate (default: all). */
  subset?: string | readonly string[];
  /** Which row to keep: "first" (default), "last", or false for none of a repeated group. */
  keep?: Keep;
  /** Output partitions: 1 (default, order kept) or more (hash shuffle, for many distinct rows). */
  splitOut?: number;
  inplace?: boolean;
}

const FAN_IN = 8;

/**
 * Rows without duplicates.
 * @example df.dropDuplicates({ subset: ["vendor"], keep: "last" })
 */
export function dropDuplicates(df: DataFrame, options: DropDuplicatesOptions = {}): DataFrame {
  if (options.inplace) throw new ValidationError("dropDuplicates does not support inplace: true on a lazy frame; rebind the variable");
  const keep = options.keep ?? "first";
  if (keep !== "first" && keep !== "last" && keep !== false) throw new ValidationError(`dropDuplicates: keep must be "first", "last" or false, got ${JSON.stringify(keep)}`);
  const subset = options.subset === undefined ? df.columns : typeof options.subset === "string" ? [options.subset] : [...options.subset];
  if (subset.length === 0) throw new ValidationError("dropDuplicates: subset must name at least one column");
  for (const c of subset) getColumn(df.meta, c, "the DataFrame");
  const splitOut = options.splitOut ?? 1;
  if (!Number.isInteger(splitOut) || splitOut < 1) throw new ValidationError(`dropDuplicates: splitOut must be a positive integer, got ${splitOut}`);
  const input = df.toPartitions();
  const meta = input.meta;
  const partialMeta: FrameMeta = { columns: [...meta.columns, { name: COUNT, dtype: "int32" }] };
  const name = makeName("drop-duplicates", exprToken(df.expr), subset, keep, splitOut);
  const tasks: Task[] = [];
  let graph = input.graph;
  let deps = [...new Set(input.keys.map(keyName))];
  let keys: Key[];
  if (splitOut > 1) {
    const sh = shuffle(input, { kind: "hash", columns: subset }, splitOut, "drop-duplicates-shuffle");
    graph = sh.graph;
    deps = [keyName(sh.keys[0]!)];
    keys = sh.keys.map((k, i) => {
      const key = makeKey(`${name}-chunk`, i);
      tasks.push(task(key, "dataframe.dedupe", ref(k), lit(subset), lit(keep), lit(meta)));
      return key;
    });
  } else {
    let level: Key[] = input.keys.map((k, i) => {
      const key = makeKey(`${name}-chunk`, i);
      tasks.push(task(key, "dataframe.dedupe", ref(k), lit(subset), lit(keep), lit(meta)));
      return key;
    });
    let depth = 0;
    while (level.length > 1) {
      const next: Key[] = [];
      for (let i = 0; i < level.length; i += FAN_IN) {
        const key = makeKey(`${name}-combine${depth}`, next.length);
        tasks.push(task(key, "dataframe.dedupe-combine", list(level.slice(i, i + FAN_IN).map(ref)), lit(subset), lit(keep), lit(partialMeta)));
        next.push(key);
      }
      level = next;
      depth++;
    }
    keys = level;
  }
  const out = keys.map((k, i) => {
    const key = makeKey(name, i);
    tasks.push(task(key, "dataframe.dedupe-finish", ref(k), lit(keep), lit(meta)));
    return key;
  });
  const result = DataFrame.fromGraph(LayeredGraph.from(layer(name, tasks, deps), graph), out, meta);
  return splitOut > 1 ? withInfo(result, { hash: subset }) : result;
}

/**
 * danfo's `Series.dropDuplicates({ keep })`.
 * @example df.column("vendor").dropDuplicates()
 */
export function seriesDropDuplicates(s: Series, options: { keep?: "first" | "last"; inplace?: boolean; splitOut?: number } = {}): Series {
  return frameAsSeries(dropDuplicates(seriesAsFrame(s), options));
}
