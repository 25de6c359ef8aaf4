/**
 * Cumulative kernels (cumSum, cumProd, cumMax, cumMin) carried across partitions:
 * a first pass reduces each partition to its total per column, a chain of small carry
 * tasks makes the exclusive scan (carry_i = carry_{i-1} ⊕ total_{i-1}), and each
 * partition is then scanned starting from its carry. The carry is a chain, so partition
 * i is finished as soon as partitions before it have their totals: depth-first ordering
 * keeps one partition per thread in memory.
 *
 * Missing values (null, NaN) are skipped and stay missing in the output, and the running
 * value goes on after them (pandas' `skipna=True`). danfo differs: its Series version
 * lets NaN poison the rest and treats null as 0, and its DataFrame version drops the
 * missing cells and shifts the column (documented difference).
 */
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { Dtype, FrameMeta } from "../meta.js";
import { makePartition, readColumn, type ColumnData, type Partition } from "../partition.js";
import { columnData, isValid, numericView } from "./reduce-access.js";

registerOpModule(import.meta.url);

/** A cumulative operation. */
export type CumOp = "sum" | "prod" | "max" | "min";

/** Columns a cumulative op scans (all numeric or boolean). */
export interface CumSpec {
  readonly op: CumOp;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly dtype: Dtype }>;
}

function identity(op: CumOp): number {
  return op === "sum" ? 0 : op === "prod" ? 1 : op === "max" ? -Infinity : Infinity;
}

function apply(op: CumOp, a: number, x: number): number {
  switch (op) {
    case "sum": return a + x;
    case "prod": return a * x;
    case "max": return x > a ? x : a;
    case "min": return x < a ? x : a;
  }
}

/** The output dtype of a cumulative op on a column (sums and products of ints/booleans are float64). */
export function cumDtype(op: CumOp, dtype: Dtype): Dtype {
  if (op === "max" || op === "min") return dtype;
  return "float64";
}

/** The meta of a cumulative result. */
export function cumMeta(spec: CumSpec): FrameMeta {
  return { columns: spec.columns.map((c) => ({ name: c.name, dtype: cumDtype(spec.op, c.dtype) })) };
}

/** Per-column totals of one partition. */
export function cumTotals(batch: Partition, spec: CumSpec): number[] {
  return spec.columns.map((col) => {
    const v = numericView(columnData(batch, col.name));
    let acc = identity(spec.op);
    for (let i = 0; i < v.length; i++) {
      const x = v.values[i]!;
      if (x === x && isValid(v, i)) acc = apply(spec.op, acc, x);
    }
    return acc;
  });
}

/** The carry into the next partition. */
export function cumCarry(op: CumOp, carry: number[] | null, total: number[]): number[] {
  if (carry === null) return total;
  return total.map((t, j) => apply(op, carry[j]!, t));
}

/** Scans one partition starting from `carry` (null for the first partition). */
export function cumApply(batch: Partition, spec: CumSpec, carry: number[] | null): Partition {
  const columns: ColumnData[] = spec.columns.map((col, j) => {
    const idx = batch.schema.fields.findIndex((f) => f.name === col.name);
    const src = readColumn(batch, idx);
    const v = numericView(columnData(batch, col.name));
    const n = v.length;
    const out = new Float64Array(n);
    let acc = carry === null ? identity(spec.op) : carry[j]!;
    for (let i = 0; i < n; i++) {
      const x = v.values[i]!;
      if (x !== x || !isValid(v, i)) { out[i] = x !== x ? NaN : 0; continue; }
      acc = apply(spec.op, acc, x);
      out[i] = acc;
    }
    return wrap(cumDtype(spec.op, col.dtype), out, src.validity, src.nullCount);
  });
  return makePartition(cumMeta(spec), columns, batch.numRows);
}

function wrap(dtype: Dtype, out: Float64Array, validity: Uint8Array | null, nullCount: number): ColumnData {
  switch (dtype) {
    case "int32": return { dtype, values: Int32Array.from(out), validity, nullCount };
    case "boolean": {
      const bits = new Uint8Array((out.length + 7) >> 3);
      for (let i = 0; i < out.length; i++) if (out[i]) bits[i >> 3]! |= 1 << (i & 7);
      return { dtype, values: bits, validity, nullCount };
    }
    case "datetime": return { dtype, values: out, validity, nullCount };
    default: return { dtype: "float64", values: out, validity, nullCount };
  }
}

/** Row-wise (danfo's default `axis: 1`): scans across the columns of each row. */
export function cumRows(batch: Partition, spec: CumSpec): Partition {
  const views = spec.columns.map((c) => numericView(columnData(batch, c.name)));
  const n = batch.numRows;
  const outs = spec.columns.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    let acc = identity(spec.op);
    views.forEach((v, j) => {
      const x = v.values[i]!;
      if (x !== x || !isValid(v, i)) { outs[j]![i] = x !== x ? NaN : 0; return; }
      acc = apply(spec.op, acc, x);
      outs[j]![i] = acc;
    });
  }
  const meta: FrameMeta = { columns: spec.columns.map((c) => ({ name: c.name, dtype: rowDtype(spec) })) };
  const columns = spec.columns.map((c, j) => {
    const src = readColumn(batch, batch.schema.fields.findIndex((f) => f.name === c.name));
    return wrap(rowDtype(spec), outs[j]!, src.validity, src.nullCount);
  });
  return makePartition(meta, columns, n);
}

/** Row-wise scans mix columns, so their output is float64 unless every column shares a dtype that the op keeps. */
export function rowDtype(spec: CumSpec): Dtype {
  const dtypes = new Set(spec.columns.map((c) => cumDtype(spec.op, c.dtype)));
  return dtypes.size === 1 ? [...dtypes][0]! : "float64";
}

defineOp("dataframe.cumulative.totals", cumTotals);
defineOp("dataframe.cumulative.carry", cumCarry);
defineOp("dataframe.cumulative.apply", cumApply);
defineOp("dataframe.cumulative.rows", cumRows);
