/**
 * Frame expressions (dask-expr style): an immutable tree describing how a DataFrame is
 * made, optimized and lowered to a task graph only when it is computed (./lower.ts).
 *
 * - `source`: a reader (readCSV, readParquet, …). Pluggable: a reader implements
 *   {@link SourceExpr} and lowers itself with only the columns that are used.
 * - `graph`: partitions that already have tasks (fromGraph, fromDanfo, persist).
 * - `rowwise`: one row-wise stage (filter rows by a mask, or select/compute columns).
 *   Chains of row-wise stages lower to ONE task per partition running one pipeline.
 * - `zip`: several frames with the same partitioning side by side (Series from
 *   different frames combined); part of the same pipeline task.
 * - `blockwise`: a per-partition op with literal arguments (mapPartitions, iloc slices).
 */
import { tokenize, type Key } from "../../graph/key.js";
import type { LayeredGraph } from "../../graph/graph.js";
import type { Task } from "../../graph/task.js";
import type { FrameMeta } from "../meta.js";
import type { ColExpr } from "./column.js";

/**
 * A data source. Readers implement this; the optimizer calls `lower` with the columns
 * the computation uses (projection pushdown), in the order of `meta.columns`.
 * @example
 * const source: SourceExpr = { kind: "source", name: "read-csv", meta, npartitions: blocks.length,
 *   token: [paths, mtimes, options], lower: (columns) => ({ tasks, keys }) };
 * const df = DataFrame.fromSource(source);
 */
export interface SourceExpr {
  readonly kind: "source";
  /** Key prefix of the read tasks, e.g. "read-csv". */
  readonly name: string;
  readonly meta: FrameMeta;
  readonly npartitions: number;
  /** Anything that identifies the data (paths, sizes, mtimes, options), for deterministic keys. */
  readonly token: unknown;
  /** Row counts per partition when known without reading (enables iloc and array addColumn). */
  readonly lengths?: readonly number[];
  /** Tasks that produce each partition with only `columns` materialized (projection pushdown). */
  lower(columns: readonly string[]): { tasks: Task[]; keys: Key[] };
}

/** Partitions that already have tasks. */
export interface GraphExpr {
  readonly kind: "graph";
  readonly graph: LayeredGraph;
  readonly keys: readonly Key[];
  readonly meta: FrameMeta;
  readonly divisions?: readonly unknown[];
  readonly lengths?: readonly number[];
}

/** One row-wise stage of a pipeline. */
export type Stage =
  | { readonly s: "filter"; readonly mask: ColExpr }
  | { readonly s: "select"; readonly cols: ReadonlyArray<readonly [string, ColExpr]> };

/** A row-wise stage over an input frame. */
export interface RowwiseExpr {
  readonly kind: "rowwise";
  readonly input: FrameExpr;
  readonly stage: Stage;
  readonly meta: FrameMeta;
  /** Task prefix shown in progress bars (e.g. "query", "add-column"). */
  readonly label: string;
}

/** Frames with equal partitioning, side by side; column j of input k is named `zipName(k, name)`. */
export interface ZipExpr {
  readonly kind: "zip";
  readonly inputs: readonly FrameExpr[];
  readonly meta: FrameMeta;
}

/** A per-partition op `op(partition, ...args)` (args may include the partition index when `withIndex`). */
export interface BlockwiseExpr {
  readonly kind: "blockwise";
  readonly input: FrameExpr;
  readonly op: string;
  readonly args: readonly unknown[];
  readonly meta: FrameMeta;
  readonly label: string;
  /** Per-partition literal arguments appended after `args` (e.g. iloc's row ranges). */
  readonly perPartition?: readonly unknown[];
  /** Output partitions keep the input's row counts (enables lengths propagation). */
  readonly keepsLength?: boolean;
}

export type FrameExpr = SourceExpr | GraphExpr | RowwiseExpr | ZipExpr | BlockwiseExpr;

/** Name of column `name` of zip input `k` inside a pipeline. */
export function zipName(k: number, name: string): string {
  return `\u0001${k}\u0001${name}`;
}

const tokens = new WeakMap<object, string>();

/** A deterministic token of an expression (same expression built twice: same token). */
export function exprToken(e: FrameExpr): string {
  let t = tokens.get(e);
  if (t !== undefined) return t;
  switch (e.kind) {
    case "source": t = tokenize("source", e.name, e.token, e.meta); break;
    case "graph": t = tokenize("graph", e.keys, e.meta); break;
    case "rowwise": t = tokenize("rowwise", exprToken(e.input), e.stage); break;
    case "zip": t = tokenize("zip", e.inputs.map(exprToken)); break;
    case "blockwise": t = tokenize("blockwise", e.op, exprToken(e.input), e.args, e.perPartition ?? null, e.meta); break;
  }
  tokens.set(e, t);
  return t;
}

/** Number of partitions of an expression. */
export function npartitionsOf(e: FrameExpr): number {
  switch (e.kind) {
    case "source": return e.npartitions;
    case "graph": return e.keys.length;
    case "rowwise": return npartitionsOf(e.input);
    case "zip": return npartitionsOf(e.inputs[0]!);
    case "blockwise": return npartitionsOf(e.input);
  }
}

/** Row counts per partition when known without computing. */
export function lengthsOf(e: FrameExpr): readonly number[] | undefined {
  switch (e.kind) {
    case "source": case "graph": return e.lengths;
    case "rowwise": return e.stage.s === "filter" ? undefined : lengthsOf(e.input);
    case "zip": return lengthsOf(e.inputs[0]!);
    case "blockwise": return e.keepsLength ? lengthsOf(e.input) : undefined;
  }
}

/** Two expressions compute the same frame (by token). */
export function sameFrame(a: FrameExpr, b: FrameExpr): boolean {
  return a === b || exprToken(a) === exprToken(b);
}
