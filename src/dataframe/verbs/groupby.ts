/**
 * `df.groupby(keys)` with danfo's API: `.agg({ col: "mean" | [...] })`, `.col([...]).sum()`
 * and the other aggregation methods. A tree reduction of hash aggregations
 * (../kernels/groupby.ts): chunk per partition (fused with the steps before it), combine
 * in groups of `splitEvery`, aggregate to one partition of results.
 *
 * Output as danfo's: key columns first (in `groupby` order), then `column_op` for each
 * aggregation in the order given; rows in danfo's group order (integer-like keys
 * ascending, then first appearance; see `danfoGroupOrder`).
 *
 * With `{ splitOut: n }` (Dask's `split_out`, for many groups) the partials are
 * hash-shuffled by key into n output partitions instead (see {@link splitGroupby}).
 *
 * Differences from danfo: missing values in value columns are skipped (danfo's groupby
 * propagates NaN, treats null as 0 in sums and counts missing rows); `count` counts
 * non-missing values; `first`/`last` are the first/last non-missing value and
 * `nunique` the number of distinct non-missing values (danfo's `agg` has none of the
 * three); key tuples are never merged by their "-"-joined text (danfo merges
 * `["a-b", "c"]` with `["a", "b-c"]`, and a null key with an empty string).
 */
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { lit, ref, task } from "../../graph/task.js";
import { partialMeta } from "../kernels/groupby-split.js";
import { shuffle } from "../shuffle/shuffle.js";
import { GROUP_AGGS, groupMeta, type GroupAgg, type GroupSpec } from "../kernels/groupby.js";
import "../kernels/groupby.js";
import { getColumn, type Dtype, type FrameMeta } from "../meta.js";
import { treeReduce, type Parts } from "./tree-reduce.js";

/** How a GroupBy reaches its frame: lowering with only some columns, and wrapping a result. */
export interface GroupSource<R> {
  readonly meta: FrameMeta;
  /** The frame's partitions with only `columns` (projection). */
  lower(columns: readonly string[]): Parts;
  /** The result frame (partitions `keys`; hash-partitioned by `hash` when given). */
  wrap(graph: LayeredGraph, keys: readonly Key[], meta: FrameMeta, hash?: readonly string[]): R;
}

/** Options of a groupby aggregation. */
export interface GroupOptions {
  /** Partials per combine task (default 8). */
  splitEvery?: number;
  /**
   * Output partitions (Dask's `split_out`): 1 (default) reduces to one partition in
   * danfo's row order; n > 1 hash-shuffles the per-partition partials by key into n
   * pieces and finishes each apart, so millions of groups never sit in one task; `true`
   * chooses n from the input's partitions as dask-expr does (⌈partitions / 15⌉ for one
   * key, ⌈partitions · (keys - 1) / 10⌉ for more). With n > 1, rows come partition by
   * partition (hash buckets), each in danfo's order: sort afterwards if order matters.
   */
  splitOut?: number | boolean;
}

/** The number of output partitions for `splitOut` (validated). */
export function resolveSplitOut(splitOut: number | boolean | undefined, npartitions: number, nkeys: number, what: string): number {
  if (splitOut === undefined || splitOut === false) return 1;
  if (splitOut === true) return Math.max(1, Math.ceil(nkeys === 1 ? npartitions / 15 : (npartitions * (nkeys - 1)) / 10));
  if (!Number.isInteger(splitOut) || splitOut < 1) throw new ValidationError(`${what}: splitOut must be a positive integer or true (automatic), got ${JSON.stringify(splitOut)}`);
  return splitOut;
}

const STRING_OK: readonly GroupAgg[] = ["count", "first", "last", "nunique"];
const DATETIME_OK: readonly GroupAgg[] = ["count", "first", "last", "nunique", "min", "max"];

function allowed(dtype: Dtype): readonly GroupAgg[] {
  return dtype === "string" ? STRING_OK : dtype === "datetime" ? DATETIME_OK : GROUP_AGGS;
}

/**
 * Grouped rows of a frame, waiting for an aggregation.
 * @example await df.groupby(["vendor"]).agg({ fare: "mean", tip: ["sum", "count"] }).compute()
 */
export class GroupBy<R> {
  readonly #source: GroupSource<R>;
  readonly #keys: readonly string[];
  readonly #columns: readonly string[] | undefined;

  /** @internal Use `df.groupby(keys)`. */
  constructor(source: GroupSource<R>, keys: readonly string[] | string, columns?: readonly string[]) {
    const list = typeof keys === "string" ? [keys] : keys;
    if (!Array.isArray(list) || list.length === 0) {
      throw new ValidationError(`groupby needs a list of key columns, e.g. df.groupby(["vendor"]); got ${JSON.stringify(keys)}`);
    }
    for (const k of list) getColumn(source.meta, k, "the frame being grouped");
    if (new Set(list).size !== list.length) throw new ValidationError(`groupby keys must be distinct, got ${JSON.stringify(list)}`);
    this.#source = source;
    this.#keys = [...list];
    this.#columns = columns;
  }

  /** The key columns. */
  get keys(): readonly string[] {
    return this.#keys;
  }

  /**
   * Restricts the aggregated columns (danfo's `col`).
   * @example df.groupby(["vendor"]).col(["fare"]).sum()
   */
  col(columns: readonly string[] | string): GroupBy<R> {
    const list = typeof columns === "string" ? [columns] : columns;
    for (const c of list) getColumn(this.#source.meta, c, "the grouped frame (in col)");
    return new GroupBy(this.#source, this.#keys, list);
  }

  /**
   * Aggregates columns: `{ column: op | [ops] }` with ops among
   * sum mean count min max std var first last nunique. Output columns `column_op`.
   * @example df.groupby(["vendor"]).agg({ fare: "mean", tip: ["sum", "count"] })
   */
  agg(ops: Readonly<Record<string, string | readonly string[]>>, options: GroupOptions = {}): R {
    if (typeof ops !== "object" || ops === null || Array.isArray(ops) || Object.keys(ops).length === 0) {
      throw new ValidationError(`agg needs an object of column → aggregation, e.g. { fare: "mean", tip: ["sum", "count"] }; got ${JSON.stringify(ops)}`);
    }
    const values = Object.entries(ops).map(([name, op]) => {
      const col = getColumn(this.#source.meta, name, "the grouped frame (in agg)");
      const list = (typeof op === "string" ? [op] : [...op]) as string[];
      if (list.length === 0) throw new ValidationError(`agg: column ${JSON.stringify(name)} has an empty list of aggregations`);
      for (const o of list) checkAgg(o, col.name, col.dtype);
      return { name: col.name, dtype: col.dtype, ops: list as GroupAgg[] };
    });
    return this.#run(values, options);
  }

  #all(op: GroupAgg, options: GroupOptions): R {
    const cols = this.#columns ?? this.#source.meta.columns.map((c) => c.name).filter((n) => !this.#keys.includes(n));
    if (cols.length === 0) throw new ValidationError(`groupby(${JSON.stringify(this.#keys)}).${op}(): there are no columns to aggregate besides the keys`);
    const metas = cols.map((c) => getColumn(this.#source.meta, c));
    const bad = metas.filter((c) => !allowed(c.dtype).includes(op));
    if (bad.length > 0) {
      const good = metas.filter((c) => allowed(c.dtype).includes(op)).map((c) => JSON.stringify(c.name));
      throw new ValidationError(
        `groupby ${op} cannot aggregate ${bad.map((c) => `${JSON.stringify(c.name)} (${c.dtype})`).join(", ")}. ` +
          (good.length > 0 ? `Choose the columns: df.groupby(${JSON.stringify(this.#keys)}).col([${good.join(", ")}]).${op}()` : `Aggregations that work on them: ${allowed(bad[0]!.dtype).join(", ")}`),
        { code: "ERR_DTYPE" },
      );
    }
    return this.#run(metas.map((c) => ({ name: c.name, dtype: c.dtype, ops: [op] })), options);
  }

  #run(values: GroupSpec["values"], options: GroupOptions): R {
    const keys = this.#keys.map((k) => getColumn(this.#source.meta, k));
    const spec: GroupSpec = { keys: keys.map((k) => ({ name: k.name, dtype: k.dtype })), values };
    const needed = [...new Set([...this.#keys, ...values.map((v) => v.name)])];
    const ordered = this.#source.meta.columns.map((c) => c.name).filter((n) => needed.includes(n));
    const parts = this.#source.lower(ordered);
    const splitOut = resolveSplitOut(options.splitOut, parts.keys.length, keys.length, `groupby(${JSON.stringify(this.#keys)})`);
    if (splitOut > 1) {
      const { graph, keys: out } = splitGroupby(parts, spec, splitOut);
      return this.#source.wrap(graph, out, groupMeta(spec), this.#keys);
    }
    const { graph, key } = treeReduce(parts, {
      prefix: "groupby",
      chunk: { op: "dataframe.groupby.chunk", args: [spec] },
      chunkIndex: true,
      combine: { op: "dataframe.groupby.combine", args: [spec] },
      aggregate: { op: "dataframe.groupby.aggregate", args: [spec] },
      splitEvery: options.splitEvery,
    });
    return this.#source.wrap(graph, [key], groupMeta(spec));
  }

  /** Sum per group. @example df.groupby(["a"]).sum() */
  sum(options: GroupOptions = {}): R { return this.#all("sum", options); }
  /** Mean per group. @example df.groupby(["a"]).col(["x"]).mean() */
  mean(options: GroupOptions = {}): R { return this.#all("mean", options); }
  /** Non-missing values per group (danfo counts rows). @example df.groupby(["a"]).count() */
  count(options: GroupOptions = {}): R { return this.#all("count", options); }
  /** Minimum per group. */
  min(options: GroupOptions = {}): R { return this.#all("min", options); }
  /** Maximum per group. */
  max(options: GroupOptions = {}): R { return this.#all("max", options); }
  /** Sample standard deviation (ddof 1; one value gives 0 as in danfo). */
  std(options: GroupOptions = {}): R { return this.#all("std", options); }
  /** Sample variance (ddof 1; one value gives 0 as in danfo). */
  var(options: GroupOptions = {}): R { return this.#all("var", options); }
  /** First non-missing value per group, as `column_first` (danfo's `first()` returns whole rows). */
  first(options: GroupOptions = {}): R { return this.#all("first", options); }
  /** Last non-missing value per group, as `column_last`. */
  last(options: GroupOptions = {}): R { return this.#all("last", options); }
  /** Distinct non-missing values per group, as `column_nunique`. */
  nunique(options: GroupOptions = {}): R { return this.#all("nunique", options); }
}

/**
 * A groupby into `splitOut` partitions: partials per partition (as Arrow batches,
 * ../kernels/groupby-split.ts) → hash shuffle on the keys → merge + finish per bucket.
 */
export function splitGroupby(parts: Parts, spec: GroupSpec, splitOut: number): { graph: LayeredGraph; keys: Key[] } {
  const chunkName = makeName("groupby-chunk", parts.keys, spec, splitOut);
  const chunks = parts.keys.map((k, i) => task(makeKey(chunkName, i), "dataframe.groupby.chunk-batch", ref(k), lit(spec), lit(i)));
  const chunked = LayeredGraph.from(layer(chunkName, chunks, [...parts.graph.layers.keys()], { kind: "groupby-chunk" }), parts.graph);
  const sh = shuffle({ graph: chunked, keys: chunks.map((t) => t.key), meta: partialMeta(spec) }, { kind: "hash", columns: spec.keys.map((k) => k.name) }, splitOut, "groupby-shuffle");
  const aggName = makeName("groupby-agg", parts.keys, spec, splitOut);
  const tasks = sh.keys.map((k, j) => task(makeKey(aggName, j), "dataframe.groupby.aggregate-batch", ref(k), lit(spec)));
  return { graph: LayeredGraph.from(layer(aggName, tasks, [keyName(sh.keys[0]!)], { kind: "groupby-agg" }), sh.graph), keys: tasks.map((t) => t.key) };
}

function checkAgg(op: string, column: string, dtype: Dtype): void {
  if (!(GROUP_AGGS as readonly string[]).includes(op)) {
    throw new ValidationError(
      `Unsupported aggregation ${JSON.stringify(op)} for column ${JSON.stringify(column)}. Supported: ${GROUP_AGGS.join(", ")}`,
      { code: "ERR_UNSUPPORTED_AGG" },
    );
  }
  if (!allowed(dtype).includes(op as GroupAgg)) {
    throw new ValidationError(
      `Cannot compute ${op} of ${dtype} column ${JSON.stringify(column)}: ${op} needs numbers. ` +
        `On a ${dtype} column use one of ${allowed(dtype).join(", ")}, or convert it first with asType(${JSON.stringify(column)}, "float32")`,
      { code: "ERR_DTYPE" },
    );
  }
}
