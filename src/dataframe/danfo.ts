/**
 * The danfo.js edge: danfo frames in (`tk.fromDanfo`), danfo frames out (`compute()`),
 * and what a `mapPartitions` function receives and returns. danfo is imported lazily
 * (it loads TensorFlow.js), so building graphs never pays for it.
 *
 * Index: danfo frames carry an index. tusk partitions do not store one; a computed
 * result gets a fresh 0..n-1 index (as after danfo's `resetIndex()`). Dtypes: danfo's
 * labels are mapped to what tusk stores (float32 → float64, int32, string, boolean,
 * datetime); a danfo column of booleans with nulls (which danfo labels float32) stays
 * float64 with 1/0.
 */
import type * as dfd from "danfojs-node";
import { RecordBatch, Table } from "apache-arrow";
import { requireDanfo } from "./danfo-load.js";
import { MetadataMismatchError, ValidationError } from "../errors.js";
import { danfoDtype, isNumeric, metaTable, parseDtype, type ColumnMeta, type Dtype, type FrameMeta } from "./meta.js";
import { fromValues, makePartition, partitionMeta, readColumn, toValues, type ColumnData, type Partition } from "./partition.js";

type Danfo = typeof import("danfojs-node");
let danfoModule: Promise<Danfo> | undefined;

/**
 * danfo, loaded on first use. It is loaded on the next turn of the event loop (so that a
 * computation that starts loading it first hands its first tasks to the threads), with
 * its heaviest dependencies deferred: see {@link requireDanfo}.
 */
export function loadDanfo(): Promise<Danfo> {
  danfoModule ??= new Promise<Danfo>((resolve, reject) => {
    setImmediate(() => {
      try {
        resolve(requireDanfo());
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
  return danfoModule;
}

/** True for a danfo DataFrame (duck-typed: several danfo copies may be loaded). */
export function isDanfoFrame(v: unknown): v is dfd.DataFrame {
  return typeof v === "object" && v !== null && Array.isArray((v as { columns?: unknown }).columns) &&
    typeof (v as { column?: unknown }).column === "function" && Array.isArray((v as { dtypes?: unknown }).dtypes);
}

/** True for a danfo Series. */
export function isDanfoSeries(v: unknown): v is dfd.Series {
  return typeof v === "object" && v !== null && !isDanfoFrame(v) && typeof (v as { dtype?: unknown }).dtype === "string" &&
    Array.isArray((v as { values?: unknown }).values) && typeof (v as { str?: unknown }).str === "object";
}

/** The dtype tusk stores for a danfo column. */
function dtypeFromDanfo(label: string, values: readonly unknown[]): Dtype {
  if (label === "float32" || label === "int32") return label === "int32" ? "int32" : "float64";
  if (label === "undefined") {
    const first = values.find((v) => v !== null && v !== undefined);
    return typeof first === "number" ? "float64" : typeof first === "boolean" ? "boolean" : first instanceof Date ? "datetime" : "string";
  }
  return parseDtype(label);
}

/** Columns of a danfo frame as meta + plain values. */
export function danfoColumns(df: dfd.DataFrame | dfd.Series): { meta: FrameMeta; values: unknown[][] } {
  if (isDanfoSeries(df)) {
    const s = df as dfd.Series;
    const values = s.values as unknown[];
    const name = String((s as unknown as { columns?: string[] }).columns?.[0] ?? "0");
    return { meta: { columns: [{ name, dtype: dtypeFromDanfo(s.dtype, values) }] }, values: [values] };
  }
  const frame = df as dfd.DataFrame;
  const columns: ColumnMeta[] = [];
  const values: unknown[][] = [];
  frame.columns.forEach((name, j) => {
    const v = frame.column(name).values as unknown[];
    columns.push({ name: String(name), dtype: dtypeFromDanfo(frame.dtypes[j]!, v) });
    values.push(v);
  });
  return { meta: { columns }, values };
}

/** A partition from plain column values. */
export function partitionFromValues(meta: FrameMeta, values: readonly (readonly unknown[])[], start = 0, end?: number): Partition {
  const n = (end ?? (values[0]?.length ?? 0)) - start;
  const cols: ColumnData[] = meta.columns.map((c, j) => fromValues(c.dtype, values[j]!.slice(start, start + n)));
  return makePartition(meta, cols, n);
}

/** Concatenated plain values of every column of some partitions. */
export function partitionsToValues(parts: readonly Partition[], meta: FrameMeta): unknown[][] {
  const out: unknown[][] = meta.columns.map(() => []);
  for (const p of parts) {
    const names = p.schema.fields.map((f) => f.name);
    meta.columns.forEach((c, j) => {
      const k = names.indexOf(c.name);
      if (k < 0) throw new MetadataMismatchError(`A computed partition has no column ${JSON.stringify(c.name)}:\n${metaTable(partitionMeta(p), meta)}`);
      const vals = toValues(readColumn(p, k), p.numRows);
      const target = out[j]!;
      for (const v of vals) target.push(v);
    });
  }
  return out;
}

/** A danfo DataFrame from partitions (fresh 0..n-1 index). */
export async function partitionsToDanfo(parts: readonly Partition[], meta: FrameMeta): Promise<dfd.DataFrame> {
  const danfo = await loadDanfo();
  const values = partitionsToValues(parts, meta);
  const columns = meta.columns.map((c) => c.name);
  const dtypes = meta.columns.map((c) => danfoDtype(c.dtype));
  const n = values[0]?.length ?? 0;
  if (n === 0 || columns.length === 0) return new danfo.DataFrame([], { columns, dtypes });
  const obj: Record<string, unknown[]> = {};
  columns.forEach((c, j) => { obj[c] = values[j]!; });
  return new danfo.DataFrame(obj, { columns, dtypes });
}

/** A danfo Series from one-column partitions. */
export async function partitionsToDanfoSeries(parts: readonly Partition[], meta: ColumnMeta): Promise<dfd.Series> {
  const danfo = await loadDanfo();
  const [values] = partitionsToValues(parts, { columns: [meta] });
  return new danfo.Series(values!, { columns: [meta.name], dtypes: [danfoDtype(meta.dtype)] });
}

/** One partition as a danfo DataFrame (what mapPartitions functions receive). */
export function partitionToDanfo(part: Partition): Promise<dfd.DataFrame> {
  return partitionsToDanfo([part], partitionMeta(part));
}

function compatible(found: Dtype, expected: Dtype, values: readonly unknown[]): boolean {
  if (found === expected) return true;
  if (isNumeric(found) && expected === "float64") return true;
  if (found === "float64" && expected === "int32") return values.every((v) => v === null || v === undefined || Number.isInteger(v));
  return false;
}

/**
 * What a mapPartitions function returned, as a partition of the declared meta: a danfo
 * DataFrame or Series, an Arrow RecordBatch or Table. danfo's numeric labels are
 * loose (an all-integer float column is labelled int32), so int32/float32 results are
 * accepted for a float64 or all-integer int32 declaration; anything else must match.
 */
export async function fromDanfoResult(result: unknown, meta: FrameMeta, what: string): Promise<Partition> {
  if (result instanceof RecordBatch) return result;
  if (result instanceof Table) {
    const batches = result.batches;
    if (batches.length === 1) return batches[0]!;
    const m = partitionMeta(batches[0] ?? new RecordBatch(result.schema));
    return partitionFromValues(m, partitionsToValues(batches, m));
  }
  if (isDanfoFrame(result) || isDanfoSeries(result)) {
    const { meta: found, values } = danfoColumns(result as dfd.DataFrame);
    const ok = found.columns.length === meta.columns.length &&
      found.columns.every((c, j) => c.name === meta.columns[j]!.name && compatible(c.dtype, meta.columns[j]!.dtype, values[j]!));
    if (!ok) {
      throw new MetadataMismatchError(
        `${what} returned columns or dtypes that differ from the declared meta:\n${metaTable(found, meta)}\n` +
          `Fix: return the declared columns, or declare what it returns with { meta: { name: "dtype", … } }.`,
      );
    }
    return partitionFromValues(meta, values);
  }
  throw new ValidationError(`${what} must return a danfo DataFrame or Series, or an Arrow RecordBatch or Table; got ${result === null ? "null" : typeof result}`);
}
