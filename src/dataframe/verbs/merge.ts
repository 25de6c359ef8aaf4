/**
 * `tk.merge({ left, right, on | leftOn/rightOn, how })`: danfo's merge, chunked.
 *
 * Strategy (as Dask's `merge`):
 * - **broadcast** when one side is small — one partition, or known row counts under
 *   `broadcastRows` (default 100,000) — and the join keeps no unmatched rows of it
 *   (`inner`, or `left` with a small right, `right` with a small left): the small
 *   side becomes one partition that every partition of the big side joins with, so
 *   the big side is never shuffled;
 * - **hash shuffle** otherwise: both sides are shuffled on their keys into the same
 *   number of partitions (../shuffle/shuffle.ts) and joined partition by partition.
 * - **aligned** first of all, when the partitioning already matches (Dask's
 *   `align_partitions`): both sides hash-partitioned on the join keys into the same
 *   number of partitions (results of a shuffle on those keys: a merge, a groupby or
 *   dropDuplicates with splitOut), or both indexed by the join key (setIndex) with
 *   known split points — equal ones join partition by partition with no shuffle; else
 *   the side with unknown or different splits is range-shuffled to the other's.
 *
 * Columns follow danfo: the key columns (`on`, or `leftOn`'s names) first, then the
 * left's other columns, then the right's, a repeated name getting `_1`, `_2`, ….
 *
 * Differences from danfo: row order is by partition, not grouped by key as danfo's
 * (sort afterwards if order matters); missing sides are nulls (danfo: NaN), and an
 * int32 column keeps its dtype; keys must have comparable dtypes (danfo compares keys
 * as joined strings, so 1 matches "1": tusk asks to cast one side instead); int32 and
 * float64 keys join by numeric value.
 */
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { list, lit, ref, task } from "../../graph/task.js";
import { DataFrame } from "../frame.js";
import { exprToken, lengthsOf } from "../expr/frame-expr.js";
import type { JoinColumn, JoinHow, JoinPlan } from "../kernels/join.js";
import "../kernels/join.js";
import { getColumn, isNumeric, type Dtype, type FrameMeta } from "../meta.js";
import { shuffle } from "../shuffle/shuffle.js";
import { cmpCell } from "../kernels/sort.js";
import { alignTo, partitionInfo, withInfo } from "./set-index.js";

/** Options of `tk.merge`. */
export interface MergeOptions {
  left: DataFrame;
  right: DataFrame;
  /** Key columns present on both sides. */
  on?: string | readonly string[];
  /** Key columns of the left side (with `rightOn`, instead of `on`). */
  leftOn?: string | readonly string[];
  rightOn?: string | readonly string[];
  /** Default "inner". */
  how?: JoinHow;
  /** Broadcast a side whose known row count is at most this (default 100,000). */
  broadcastRows?: number;
  /** Force (true) or forbid (false) a broadcast join; default: decided by size. */
  broadcast?: boolean;
  /** Partitions of a shuffle join's output (default: the larger side's). */
  npartitions?: number;
}

const HOWS: readonly JoinHow[] = ["inner", "left", "right", "outer"];

function asList(x: string | readonly string[] | undefined): string[] | undefined {
  return x === undefined ? undefined : typeof x === "string" ? [x] : [...x];
}

/** The join's output columns with danfo's naming. */
export function joinColumns(lmeta: FrameMeta, rmeta: FrameMeta, leftOn: readonly string[], rightOn: readonly string[]): JoinColumn[] {
  const out: JoinColumn[] = [];
  const seen = new Map<string, number>();
  const name = (n: string): string => {
    const k = seen.get(n);
    seen.set(n, (k ?? 0) + 1);
    return k === undefined ? n : `${n}_${k}`;
  };
  leftOn.forEach((l, k) => {
    const a = getColumn(lmeta, l, "the left frame").dtype;
    const b = getColumn(rmeta, rightOn[k]!, "the right frame").dtype;
    out.push({ name: name(l), dtype: a === b ? a : "float64", from: "key", left: l, right: rightOn[k]! });
  });
  for (const c of lmeta.columns) if (!leftOn.includes(c.name)) out.push({ name: name(c.name), dtype: c.dtype, from: "left", column: c.name });
  for (const c of rmeta.columns) if (!rightOn.includes(c.name)) out.push({ name: name(c.name), dtype: c.dtype, from: "right", column: c.name });
  return out;
}

function checkKeyDtypes(lmeta: FrameMeta, rmeta: FrameMeta, leftOn: readonly string[], rightOn: readonly string[]): void {
  leftOn.forEach((l, k) => {
    const r = rightOn[k]!;
    const a: Dtype = getColumn(lmeta, l, "the left frame").dtype;
    const b: Dtype = getColumn(rmeta, r, "the right frame").dtype;
    if (a === b || (isNumeric(a) && isNumeric(b))) return;
    throw new ValidationError(
      `merge: key ${JSON.stringify(l)} is ${a} on the left but ${JSON.stringify(r)} is ${b} on the right; keys of different kinds never match. ` +
        `Cast one side first, e.g. right.asType(${JSON.stringify(r)}, ${JSON.stringify(a === "float64" ? "float32" : a)}) ` +
        `(danfo compares keys as joined strings, so 1 would match "1"; tusk asks you to choose)`,
      { code: "ERR_MERGE_KEY_DTYPE" },
    );
  });
}

function knownRows(df: DataFrame): number | undefined {
  const l = lengthsOf(df.expr);
  return l ? l.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Joins two frames on key columns.
 * @example tk.merge({ left: trips, right: vendors, on: ["vendor"], how: "left" })
 */
export function merge(options: MergeOptions): DataFrame {
  const { left, right } = options;
  if (!(left instanceof DataFrame) || !(right instanceof DataFrame)) {
    throw new ValidationError("merge needs tusk DataFrames as left and right; wrap danfo frames with tk.fromDanfo(df)");
  }
  const how = options.how ?? "inner";
  if (!HOWS.includes(how)) throw new ValidationError(`merge: how must be one of "inner", "left", "right", "outer", got ${JSON.stringify(how)}`);
  let leftOn = asList(options.leftOn);
  let rightOn = asList(options.rightOn);
  const on = asList(options.on);
  if (on) {
    if (leftOn || rightOn) throw new ValidationError("merge: give either on, or leftOn and rightOn, not both");
    leftOn = on; rightOn = on;
  }
  if (!leftOn || !rightOn || leftOn.length === 0) {
    throw new ValidationError("merge: give the key columns, e.g. tk.merge({ left, right, on: [\"id\"] }) or { leftOn: [\"id\"], rightOn: [\"user_id\"] }");
  }
  if (leftOn.length !== rightOn.length) throw new ValidationError(`merge: leftOn has ${leftOn.length} columns but rightOn has ${rightOn.length}; give one right key per left key`);
  checkKeyDtypes(left.meta, right.meta, leftOn, rightOn);
  const plan: JoinPlan = { leftOn, rightOn, how, columns: joinColumns(left.meta, right.meta, leftOn, rightOn) };
  const meta: FrameMeta = { columns: plan.columns.map((c) => ({ name: c.name, dtype: c.dtype })) };
  const token = [exprToken(left.expr), exprToken(right.expr), plan, options.npartitions ?? null];
  const name = makeName("merge", ...token);
  const keyNames = plan.columns.filter((c) => c.from === "key").map((c) => c.name);
  const aligned = alignedSides(left, right, leftOn, rightOn, options.npartitions);
  if (aligned) {
    const [la, ra] = aligned.sides.map((s) => s.toPartitions());
    const keys = la!.keys.map((_, i) => makeKey(name, i));
    const tasks = keys.map((key, i) => task(key, "dataframe.join", ref(la!.keys[i]!), ref(ra!.keys[i]!), lit(plan)));
    const deps = [...new Set([...la!.keys, ...ra!.keys].map(keyName))];
    const out = DataFrame.fromGraph(LayeredGraph.from(layer(name, tasks, deps, { kind: "merge", strategy: aligned.strategy }), la!.graph, ra!.graph), keys, meta);
    return aligned.strategy === "aligned-hash" ? withInfo(out, { hash: keyNames }) : out;
  }
  const L = left.toPartitions();
  const R = right.toPartitions();
  const limit = options.broadcastRows ?? 100_000;
  const small = (df: DataFrame): boolean => options.broadcast ?? (df.npartitions === 1 || (knownRows(df) ?? Infinity) <= limit);
  const canRight = how === "inner" || how === "left";
  const canLeft = how === "inner" || how === "right";
  const rightSmall = canRight && small(right);
  const leftSmall = !rightSmall && canLeft && small(left);
  if (rightSmall || leftSmall) {
    const [big, tiny] = rightSmall ? [L, R] : [R, L];
    const wholeKey = makeKey(makeName("merge-broadcast", ...token));
    const tasks = [task(wholeKey, "dataframe.concat-partitions", list(tiny.keys.map(ref)), lit(tiny.meta))];
    const keys = big.keys.map((k, i) => {
      const key = makeKey(name, i);
      tasks.push(rightSmall
        ? task(key, "dataframe.join", ref(k), ref(wholeKey), lit(plan))
        : task(key, "dataframe.join", ref(wholeKey), ref(k), lit(plan)));
      return key;
    });
    const deps = [...new Set([...big.keys, ...tiny.keys].map(keyName))];
    return DataFrame.fromGraph(LayeredGraph.from(layer(name, tasks, deps, { kind: "merge", strategy: "broadcast" }), L.graph, R.graph), keys, meta);
  }
  const n = options.npartitions ?? Math.max(L.keys.length, R.keys.length);
  let lk: readonly Key[] = L.keys;
  let rk: readonly Key[] = R.keys;
  let graph = LayeredGraph.merge(L.graph, R.graph);
  if (!(n === 1 && lk.length === 1 && rk.length === 1)) {
    const ls = shuffle(L, { kind: "hash", columns: leftOn }, n, "merge-shuffle-left");
    const rs = shuffle(R, { kind: "hash", columns: rightOn }, n, "merge-shuffle-right");
    lk = ls.keys; rk = rs.keys;
    graph = LayeredGraph.merge(ls.graph, rs.graph);
  }
  const keys = lk.map((_, i) => makeKey(name, i));
  const tasks = keys.map((key, i) => task(key, "dataframe.join", ref(lk[i]!), ref(rk[i]!), lit(plan)));
  const deps = [...new Set([...lk, ...rk].map(keyName))];
  return withInfo(DataFrame.fromGraph(LayeredGraph.from(layer(name, tasks, deps, { kind: "merge", strategy: "shuffle" }), graph), keys, meta), { hash: keyNames });
}

/**
 * The two sides partitioned alike on the join keys, when their partitioning allows it
 * without a full shuffle: both hash-partitioned by the keys into the same number of
 * partitions; or both indexed by the (single) key with split points known on at least
 * one side (the other is range-shuffled to them unless they are equal).
 */
function alignedSides(left: DataFrame, right: DataFrame, leftOn: readonly string[], rightOn: readonly string[], npartitions: number | undefined): { sides: [DataFrame, DataFrame]; strategy: string } | undefined {
  const li = partitionInfo(left), ri = partitionInfo(right);
  const same = (a: readonly string[] | undefined, b: readonly string[]): boolean => a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
  if (same(li.hash, leftOn) && same(ri.hash, rightOn) && left.npartitions === right.npartitions && (npartitions ?? left.npartitions) === left.npartitions) {
    return { sides: [left, right], strategy: "aligned-hash" };
  }
  if (leftOn.length !== 1 || li.index?.name !== leftOn[0] || ri.index?.name !== rightOn[0]) return undefined;
  const ls = li.index.splits, rs = ri.index.splits;
  if (ls && rs && ls.length === rs.length && ls.every((x, i) => cmpCell(x, rs[i]!, true) === 0)) return { sides: [left, right], strategy: "aligned-index" };
  if (ls && (npartitions ?? ls.length + 1) === ls.length + 1) return { sides: [left, alignTo(right, rightOn[0]!, ls)], strategy: "aligned-index-repartition-right" };
  if (rs && (npartitions ?? rs.length + 1) === rs.length + 1) return { sides: [alignTo(left, leftOn[0]!, rs), right], strategy: "aligned-index-repartition-left" };
  return undefined;
}
