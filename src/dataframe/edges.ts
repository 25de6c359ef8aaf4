/**
 * The edges: `tk.fromDanfo(df, { npartitions })` and `tk.fromArrow(table, { npartitions })`
 * in, `df.toArrow()` out (`compute()` to danfo is in ./danfo.ts).
 * Partitions are already Arrow record batches, so both are cheap: fromArrow slices the
 * table's rows into batches (columns of other Arrow types are converted once to the
 * stored dtypes), toArrow hands the computed batches over, converting float64
 * datetimes to Timestamp(ms).
 */
import { Field, RecordBatch, Schema, Struct, Table, TimestampMillisecond, makeData, type Data } from "apache-arrow";
import { ValidationError } from "../errors.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { makeKey, makeName, tokenize } from "../graph/key.js";
import { lit, task } from "../graph/task.js";
import { encodeValue, type Encoded } from "../graph/codec.js";
import { DataFrame } from "./frame.js";
import type { FrameMeta } from "./meta.js";
import { arrowSchema, fieldDtype, makePartition, readColumn, type ColumnData, type Partition } from "./partition.js";
import { gather } from "./kernels/rowwise.js";
import { concatColumnData } from "./kernels/hash-partition.js";
import type * as dfd from "danfojs-node";
import { danfoColumns, isDanfoFrame, isDanfoSeries, partitionFromValues } from "./danfo.js";

/** Options of fromArrow / fromDanfo. */
export interface FromOptions {
  /** Number of partitions (default 1). */
  npartitions?: number;
  /** Rows per partition (instead of npartitions). */
  chunksize?: number;
  /** Exact rows of each partition (instead of npartitions; may include empty partitions). */
  lengths?: readonly number[];
}

/** Row counts of n nearly equal partitions of `total` rows (or of `chunksize` rows each). */
export function splitLengths(total: number, options: FromOptions, what: string): number[] {
  if (options.lengths !== undefined) {
    const sum = options.lengths.reduce((a, b) => a + b, 0);
    if (options.lengths.length === 0 || sum !== total || options.lengths.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new ValidationError(`${what}: options.lengths must be non-negative integers summing to the ${total} rows, got [${options.lengths.join(", ")}]`);
    }
    return [...options.lengths];
  }
  if (options.chunksize !== undefined) {
    if (!Number.isInteger(options.chunksize) || options.chunksize <= 0) throw new ValidationError(`${what}: options.chunksize must be a positive integer, got ${options.chunksize}`);
    const out: number[] = [];
    for (let s = 0; s < total; s += options.chunksize) out.push(Math.min(options.chunksize, total - s));
    return out.length ? out : [0];
  }
  const n = options.npartitions ?? 1;
  if (!Number.isInteger(n) || n <= 0) throw new ValidationError(`${what}: options.npartitions must be a positive integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => Math.floor((total * (i + 1)) / n) - Math.floor((total * i) / n));
}

/**
 * A frame from in-memory partitions, each kept in the graph as its encoded buffers
 * copied once into SharedArrayBuffers: worker threads then read them without copying
 * (a structured clone of a SharedArrayBuffer shares it), however often the frame is
 * computed.
 */
export function fromPartitions(parts: readonly Partition[], meta: FrameMeta, prefix: string, token: unknown): DataFrame {
  const name = makeName(prefix, token);
  const shared = (p: Partition): Encoded => {
    const e = encodeValue(p);
    return {
      ...e,
      buffers: e.buffers.map((b) => {
        const view = new Uint8Array(new SharedArrayBuffer(b.byteLength));
        view.set(b);
        return view;
      }),
    };
  };
  const tasks = parts.map((p, i) => task(makeKey(name, i), "tusk.persisted", lit(shared(p))));
  return DataFrame.fromGraph(new LayeredGraph([layer(name, tasks, [], { kind: prefix })]), tasks.map((t) => t.key), meta, { lengths: parts.map((p) => p.numRows) });
}

/**
 * A lazy frame over an Arrow Table (or RecordBatch) split into partitions.
 * @example const df = tk.fromArrow(table, { npartitions: 4 });
 */
export function fromArrow(table: Table | RecordBatch, options: FromOptions = {}): DataFrame {
  const batches = table instanceof Table ? table.batches : [table];
  const schema = table.schema;
  const meta: FrameMeta = { columns: schema.fields.map((f) => ({ name: f.name, dtype: fieldDtype(f) })) };
  // One batch over all rows (converted to the stored layout), then sliced.
  const total = batches.reduce((n, b) => n + b.numRows, 0);
  const columns: ColumnData[] = meta.columns.map((_, j) => concatBatches(batches.map((b) => readColumn(b, j)), batches.map((b) => b.numRows)));
  const whole = makePartition(meta, columns, total);
  const lengths = splitLengths(total, options, "fromArrow");
  let start = 0;
  const parts = lengths.map((n) => {
    const idx = Int32Array.from({ length: n }, (_, i) => start + i);
    start += n;
    return makePartition(meta, columns.map((_, j) => gather(readColumn(whole, j), idx)), n);
  });
  return fromPartitions(parts, meta, "from-arrow", [tokenize(meta), total, lengths, ...parts.map((p) => p.data.children.map((c) => c.values))]);
}

/** Multi-batch tables: one column from the batches' columns (typed-array copies, no per-cell values). */
function concatBatches(cols: ColumnData[], lengths: number[]): ColumnData {
  return cols.length === 1 ? cols[0]! : concatColumnData(cols, lengths);
}

/**
 * A lazy frame over a danfo DataFrame (or Series) split into partitions of nearly equal
 * rows. Differences from danfo: the index is not kept (results get 0..n-1); danfo's
 * "float32" columns are stored as float64 (danfo holds doubles; no digit is lost).
 * @example const df = tk.fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }), { npartitions: 2 });
 */
export function fromDanfo(df: dfd.DataFrame | dfd.Series, options: FromOptions = {}): DataFrame {
  if (!isDanfoFrame(df) && !isDanfoSeries(df)) throw new ValidationError(`fromDanfo needs a danfo DataFrame or Series, got ${df === null ? "null" : typeof df}`);
  const { meta, values } = danfoColumns(df);
  const total = values[0]?.length ?? (df as dfd.DataFrame).shape[0];
  const lengths = splitLengths(total, options, "fromDanfo");
  let start = 0;
  const parts = lengths.map((n) => {
    const p = partitionFromValues(meta, values, start, start + n);
    start += n;
    return p;
  });
  return fromPartitions(parts, meta, "from-danfo", [tokenize(meta), lengths, ...values]);
}

/** An Arrow Table of computed partitions; float64 datetimes become Timestamp(ms). */
export function toArrowTable(parts: readonly Partition[], meta: FrameMeta): Table {
  const fields = meta.columns.map((c) => (c.dtype === "datetime"
    ? new Field(c.name, new TimestampMillisecond(), true, new Map([["tusk.dtype", "datetime"]]))
    : arrowSchema({ columns: [c] }).fields[0]!));
  const schema = new Schema(fields);
  const batches = parts.map((p) => {
    const children: Data[] = meta.columns.map((c, j) => {
      const child = p.data.children[j]!;
      if (c.dtype !== "datetime") return child.clone(fields[j]!.type);
      const col = readColumn(p, j) as Extract<ColumnData, { dtype: "datetime" }>;
      const ms = new BigInt64Array(p.numRows);
      for (let i = 0; i < p.numRows; i++) { const v = col.values[i]!; ms[i] = Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n; }
      return makeData({ type: new TimestampMillisecond(), length: p.numRows, nullCount: col.nullCount, data: ms as never, nullBitmap: col.validity ?? undefined });
    });
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: p.numRows, nullCount: 0, children }));
  });
  return batches.length ? new Table(batches) : new Table(schema);
}
