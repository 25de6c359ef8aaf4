/**
 * `tk.concat({ dfList, axis })`, danfo's concat, lazily:
 * - `axis: 0` stacks the frames' partitions (no data moves): columns are the union in
 *   order of first appearance, a column missing from a frame is null there (danfo: NaN),
 *   int32 meeting float64 becomes float64;
 * - `axis: 1` puts frames side by side partition by partition: they must have the
 *   same number of partitions with the same row counts (checked when computing, with
 *   an error that says to repartition); a repeated column name gets a number (danfo's
 *   `a`, `a1`, `a2`).
 */
import { ValidationError } from "../../errors.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { defineOp, registerOpModule } from "../../graph/ops.js";
import { lit, list, ref, task, type Task } from "../../graph/task.js";
import { DataFrame } from "../frame.js";
import { exprToken, lengthsOf } from "../expr/frame-expr.js";
import { emptyColumn } from "../kernels/hash-partition.js";
import { isNumeric, type Dtype, type FrameMeta } from "../meta.js";
import { makePartition, readColumn, type ColumnData, type Partition } from "../partition.js";

registerOpModule(import.meta.url);

/** Options of `tk.concat`. */
export interface ConcatOptions {
  dfList: readonly DataFrame[];
  /** 0 (default): stack rows; 1: side by side. */
  axis?: 0 | 1;
}

function nullColumn(dtype: Dtype, n: number): ColumnData {
  const c = emptyColumn(dtype);
  const validity = new Uint8Array((n + 7) >> 3);
  switch (c.dtype) {
    case "string": return { ...c, indices: new Int32Array(n), validity, nullCount: n };
    case "boolean": return { ...c, values: new Uint8Array((n + 7) >> 3), validity, nullCount: n };
    case "int32": return { ...c, values: new Int32Array(n), validity, nullCount: n };
    default: return { ...c, values: new Float64Array(n), validity, nullCount: n } as ColumnData;
  }
}

function toFloat(c: ColumnData): ColumnData {
  if (c.dtype !== "int32") return c;
  return { dtype: "float64", values: Float64Array.from(c.values), validity: c.validity, nullCount: c.nullCount };
}

/** A partition with `meta`'s columns: missing ones null, int32 widened to float64. */
function conform(part: Partition, meta: FrameMeta): Partition {
  const names = part.schema.fields.map((f) => f.name);
  const cols = meta.columns.map((m) => {
    const j = names.indexOf(m.name);
    if (j < 0) return nullColumn(m.dtype, part.numRows);
    const c = readColumn(part, j);
    return m.dtype === "float64" ? toFloat(c) : c;
  });
  return makePartition(meta, cols, part.numRows);
}

defineOp("dataframe.concat-conform", (part: Partition, meta: FrameMeta) => conform(part, meta));
defineOp("dataframe.concat-columns", (parts: Partition[], meta: FrameMeta, names: string[]) => {
  const n = parts[0]!.numRows;
  parts.forEach((p, k) => {
    if (p.numRows !== n) {
      throw new ValidationError(`concat({ axis: 1 }): partitions do not align: frame 0 has ${n} rows in this partition but frame ${k} has ${p.numRows} (${names[k]}). Concatenate frames partitioned alike (e.g. made from the same frame), or compute() first`);
    }
  });
  return makePartition(meta, parts.flatMap((p) => p.schema.fields.map((_, j) => readColumn(p, j))), n);
});

/**
 * Concatenates frames along rows (axis 0) or columns (axis 1).
 * @example tk.concat({ dfList: [jan, feb], axis: 0 })
 */
export function concat(options: ConcatOptions): DataFrame {
  const { dfList } = options;
  const axis = options.axis ?? 0;
  if (!Array.isArray(dfList) || dfList.length === 0 || dfList.some((d) => !(d instanceof DataFrame))) {
    throw new ValidationError("concat: dfList must be a non-empty array of tusk DataFrames (wrap danfo frames with tk.fromDanfo)");
  }
  if (axis !== 0 && axis !== 1) throw new ValidationError(`concat: axis must be 0 or 1, got ${JSON.stringify(axis)}`);
  const frames: readonly DataFrame[] = dfList;
  const lowered = frames.map((d) => d.toPartitions());
  const name = makeName("concat", frames.map((d) => exprToken(d.expr)), axis);
  const tasks: Task[] = [];
  const graph = LayeredGraph.merge(...lowered.map((l) => l.graph));
  const deps = [...new Set(lowered.flatMap((l) => l.keys.map(keyName)))];
  if (axis === 0) {
    const cols = new Map<string, Dtype>();
    for (const l of lowered) {
      for (const c of l.meta.columns) {
        const prev = cols.get(c.name);
        if (prev === undefined) cols.set(c.name, c.dtype);
        else if (prev !== c.dtype) {
          if (isNumeric(prev) && isNumeric(c.dtype)) cols.set(c.name, "float64");
          else throw new ValidationError(`concat: column ${JSON.stringify(c.name)} is ${prev} in one frame and ${c.dtype} in another; cast with asType first`, { code: "ERR_CONCAT_DTYPE" });
        }
      }
    }
    const meta: FrameMeta = { columns: [...cols].map(([n, dtype]) => ({ name: n, dtype })) };
    const keys: Key[] = [];
    lowered.forEach((l, f) => {
      const same = l.meta.columns.length === meta.columns.length && l.meta.columns.every((c, j) => c.name === meta.columns[j]!.name && c.dtype === meta.columns[j]!.dtype);
      for (const k of l.keys) {
        if (same) { keys.push(k); continue; }
        const key = makeKey(`${name}-${f}`, keys.length);
        tasks.push(task(key, "dataframe.concat-conform", ref(k), lit(meta)));
        keys.push(key);
      }
    });
    const lengths = frames.map((d) => lengthsOf(d.expr));
    const known = lengths.every((x) => x !== undefined) ? lengths.flatMap((x) => [...x!]) : undefined;
    const g = tasks.length > 0 ? LayeredGraph.from(layer(name, tasks, deps), graph) : graph;
    return DataFrame.fromGraph(g, keys, meta, known ? { lengths: known } : {});
  }
  const n = lowered[0]!.keys.length;
  lowered.forEach((l, k) => {
    if (l.keys.length !== n) throw new ValidationError(`concat({ axis: 1 }): frame 0 has ${n} partitions but frame ${k} has ${l.keys.length}; axis 1 needs frames partitioned alike`, { code: "ERR_CONCAT_ALIGN" });
  });
  const seen = new Map<string, number>();
  const meta: FrameMeta = {
    columns: lowered.flatMap((l) => l.meta.columns.map((c) => {
      const k = seen.get(c.name);
      seen.set(c.name, (k ?? 0) + 1);
      return { name: k === undefined ? c.name : `${c.name}${k}`, dtype: c.dtype };
    })),
  };
  const keys = Array.from({ length: n }, (_, i) => {
    const key = makeKey(name, i);
    tasks.push(task(key, "dataframe.concat-columns", list(lowered.map((l) => ref(l.keys[i]!))), lit(meta), lit(frames.map((d) => d.toString()))));
    return key;
  });
  return DataFrame.fromGraph(LayeredGraph.from(layer(name, tasks, deps), graph), keys, meta);
}
