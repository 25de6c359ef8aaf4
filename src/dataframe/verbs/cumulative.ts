/**
 * cumSum / cumProd / cumMax / cumMin carried across partitions (see
 * ../kernels/cumulative.ts): per-partition totals → a chain of carry tasks (exclusive
 * scan) → each partition scanned from its carry. danfo's default for a DataFrame is
 * `{ axis: 1 }` (across the columns of each row), which needs no carry.
 *
 * Differences from danfo: missing values are skipped and stay missing (pandas'
 * `skipna`); cumSum/cumProd of int32 or boolean columns are float64 (no int32 overflow;
 * danfo leaves the first value of a boolean cumSum a boolean: `[true, 2, 3]`).
 */
import { LayeredGraph, layer } from "../../graph/graph.js";
import { makeKey, makeName, type Key } from "../../graph/key.js";
import { lit, ref, task, type Task } from "../../graph/task.js";
import { cumMeta, rowDtype, type CumOp, type CumSpec } from "../kernels/cumulative.js";
import "../kernels/cumulative.js";
import type { FrameMeta } from "../meta.js";
import { checkReducible } from "./reductions.js";
import { mapParts, type Parts } from "./tree-reduce.js";

/** A cumulative result: its partitions and meta. */
export interface CumResult {
  readonly graph: LayeredGraph;
  readonly keys: Key[];
  readonly meta: FrameMeta;
}

const NAMES: Record<CumOp, string> = { sum: "cumSum", prod: "cumProd", max: "cumMax", min: "cumMin" };

/**
 * Cumulative op down each column (axis 0), carried across partitions.
 * @example cumulative(df.toPartitions(), "sum")
 */
export function cumulative(parts: Parts, op: CumOp): CumResult {
  checkReducible(parts.meta, NAMES[op], ["float64", "int32", "boolean"], "column");
  const spec: CumSpec = { op, columns: parts.meta.columns.map((c) => ({ name: c.name, dtype: c.dtype })) };
  const prefix = NAMES[op].toLowerCase();
  const token = [parts.keys, spec];
  const totalsName = makeName(`${prefix}-totals`, ...token);
  const carryName = makeName(`${prefix}-carry`, ...token);
  const applyName = makeName(prefix, ...token);
  const inputLayers = [...parts.graph.layers.keys()];
  const totals: Task[] = parts.keys.map((k, i) => task(makeKey(totalsName, i), "dataframe.cumulative.totals", ref(k), lit(spec)));
  const carries: Task[] = [];
  const applies: Task[] = [];
  parts.keys.forEach((k, i) => {
    if (i === 0) {
      applies.push(task(makeKey(applyName, i), "dataframe.cumulative.apply", ref(k), lit(spec), lit(null)));
      return;
    }
    const prev = i === 1 ? lit(null) : ref(makeKey(carryName, i - 1));
    const carry = task(makeKey(carryName, i), "dataframe.cumulative.carry", lit(op), prev, ref(totals[i - 1]!.key));
    carries.push(carry);
    applies.push(task(makeKey(applyName, i), "dataframe.cumulative.apply", ref(k), lit(spec), ref(carry.key)));
  });
  // The last partition's total is never read.
  const usedTotals = totals.slice(0, Math.max(0, totals.length - 1));
  const graph = LayeredGraph.merge(parts.graph)
    .with(layer(totalsName, usedTotals, inputLayers, { kind: `${prefix}-totals` }))
    .with(layer(carryName, carries, [totalsName], { kind: `${prefix}-carry` }))
    .with(layer(applyName, applies, [...inputLayers, carryName], { kind: prefix }));
  return { graph, keys: applies.map((t) => t.key), meta: cumMeta(spec) };
}

/** Cumulative op across the columns of each row (danfo's default `axis: 1`). */
export function cumulativeRows(parts: Parts, op: CumOp): CumResult {
  checkReducible(parts.meta, NAMES[op], ["float64", "int32", "boolean"], "column");
  const spec: CumSpec = { op, columns: parts.meta.columns.map((c) => ({ name: c.name, dtype: c.dtype })) };
  const { graph, keys } = mapParts(parts, `${NAMES[op].toLowerCase()}-rows`, "dataframe.cumulative.rows", [spec]);
  const dtype = rowDtype(spec);
  return { graph, keys, meta: { columns: spec.columns.map((c) => ({ name: c.name, dtype })) } };
}
