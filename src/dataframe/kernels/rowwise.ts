/**
 * The row-wise kernel module: the "dataframe.pipeline" op that runs a fused chain of
 * row-wise stages (filters, column selections, element-wise expressions) on one
 * partition, "dataframe.map-partitions" for user functions, and "dataframe.iloc-slice".
 * Registered with the op registry so every worker thread imports it (which also
 * registers the partition codec).
 */
import { ValidationError, MetadataMismatchError } from "../../errors.js";
import { defineOp, registerOpModule } from "../../graph/ops.js";
import { resolveFunction, type FnRef } from "../../graph/shipped-function.js";
import type { ColExpr, ScalarValue } from "../expr/column.js";
import type { Program } from "../expr/lower.js";
import { zipName } from "../expr/frame-expr.js";
import { metaTable, sameMeta, type FrameMeta } from "../meta.js";
import {
  getBit, isValid, makePartition, partitionMeta, readColumn, type ColumnData, type Partition,
} from "../partition.js";
import { applyFn, asColumn, buildColumn, isScalar, valueAt, type Value } from "./rowwise-ops.js";
import { fromDanfoResult, partitionFromValues, partitionToDanfo } from "../danfo.js";

registerOpModule(import.meta.url);

type Fn = (...args: unknown[]) => unknown;

/** Columns by name, read lazily from the input partitions. */
class Table {
  readonly #cols = new Map<string, ColumnData>();
  readonly #sources = new Map<string, () => ColumnData>();
  constructor(readonly length: number) {}
  static fromInputs(parts: readonly Partition[]): Table {
    const t = new Table(parts[0]?.numRows ?? 0);
    parts.forEach((p, k) => {
      if (p.numRows !== t.length) {
        throw new ValidationError(
          `Cannot combine partitions of different lengths (${t.length} and ${p.numRows} rows): the Series/frames were not partitioned alike ` +
            `(e.g. one was filtered). Add the column to the filtered frame first, or compute() one side.`,
          { code: "ERR_UNALIGNED" },
        );
      }
      p.schema.fields.forEach((f, j) => {
        const name = parts.length > 1 ? zipName(k, f.name) : f.name;
        t.#sources.set(name, () => readColumn(p, j));
      });
    });
    return t;
  }
  get(name: string): ColumnData {
    let c = this.#cols.get(name);
    if (!c) {
      const src = this.#sources.get(name);
      if (!src) throw new ValidationError(`internal: column ${JSON.stringify(name)} is not in the partition`);
      c = src();
      this.#cols.set(name, c);
    }
    return c;
  }
  set(name: string, c: ColumnData): void {
    this.#cols.set(name, c);
  }
}

/** Values of the lazy scalars of a pipeline, by key. */
type Externals = ReadonlyMap<string, unknown>;

function evalExpr(e: ColExpr, t: Table, fns: ReadonlyMap<string, Fn>, ext: Externals = new Map()): Value {
  switch (e.t) {
    case "col": return t.get(e.name);
    case "lit": return { scalar: e.value, dtype: e.dtype };
    case "ext": {
      const v = ext.get(e.key);
      return { scalar: v === undefined ? null : (v as ScalarValue), dtype: typeof v === "string" ? "string" : typeof v === "boolean" ? "boolean" : e.dtype };
    }
    case "fn": {
      const args = e.args.map((a) => evalExpr(a, t, fns, ext));
      if (e.fn === "apply") return applyUser(asColumn(args[0]!, t.length), e.params!.fn!, e.params!.args ?? [], e.dtype, fns, t.length);
      if (args.every(isScalar) && e.args.length > 0) return asScalar(applyFn(e.fn, args.map((a) => asColumn(a, 1)), e.params, 1, e.dtype));
      return applyFn(e.fn, args, e.params, t.length, e.dtype);
    }
  }
}

function asScalar(v: Value): Value {
  if (isScalar(v)) return v;
  return { scalar: valueAt(v)(0), dtype: v.dtype };
}

/** A user function per value; on a string column once per distinct string. */
function applyUser(c: ColumnData, ref: FnRef, extra: readonly unknown[], out: ColumnData["dtype"], fns: ReadonlyMap<string, Fn>, n: number): ColumnData {
  const fn = fns.get(fnKey(ref))!;
  const call = (x: unknown): unknown => {
    const r = fn(x, ...extra);
    return r === undefined || (typeof r === "number" && Number.isNaN(r) && out !== "float64") ? null : r;
  };
  if (c.dtype === "string") {
    const mapped = c.dictionary.map(call);
    return buildColumn(out, n, (i) => (isValid(c.validity, i) ? mapped[c.indices[i]!] : null));
  }
  const at = valueAt(c);
  const isDate = c.dtype === "datetime";
  return buildColumn(out, n, (i) => { const x = at(i); return x === null ? null : call(isDate ? new Date(x as number) : x); });
}

function fnKey(ref: FnRef): string {
  return "source" in ref ? ref.source : `${ref.module}#${ref.export}`;
}

function collectFns(e: ColExpr, out: Map<string, FnRef>): void {
  if (e.t !== "fn") return;
  if (e.params?.fn) out.set(fnKey(e.params.fn), e.params.fn);
  for (const a of e.args) collectFns(a, out);
}

/** Rows of a column at the given positions. */
export function gather(c: ColumnData, idx: Int32Array): ColumnData {
  const m = idx.length;
  let validity: Uint8Array | null = null;
  let nullCount = 0;
  if (c.validity) {
    validity = new Uint8Array((m + 7) >> 3);
    for (let i = 0; i < m; i++) {
      if (isValid(c.validity, idx[i]!)) validity[i >> 3]! |= 1 << (i & 7);
      else nullCount++;
    }
    if (nullCount === 0) validity = null;
  }
  switch (c.dtype) {
    case "float64": case "datetime": { const out = new Float64Array(m); const a = c.values; for (let i = 0; i < m; i++) out[i] = a[idx[i]!]!; return { dtype: c.dtype, values: out, validity, nullCount }; }
    case "int32": { const out = new Int32Array(m); const a = c.values; for (let i = 0; i < m; i++) out[i] = a[idx[i]!]!; return { dtype: c.dtype, values: out, validity, nullCount }; }
    case "boolean": { const out = new Uint8Array((m + 7) >> 3); for (let i = 0; i < m; i++) if (getBit(c.values, idx[i]!)) out[i >> 3]! |= 1 << (i & 7); return { dtype: c.dtype, values: out, validity, nullCount }; }
    case "string": { const out = new Int32Array(m); const a = c.indices; for (let i = 0; i < m; i++) out[i] = a[idx[i]!]!; return { dtype: c.dtype, indices: out, dictionary: c.dictionary, validity, nullCount }; }
  }
}

/** Positions of true (non-null) rows of a boolean value. */
function maskPositions(v: Value, n: number): Int32Array {
  if (isScalar(v)) return v.scalar === true ? Int32Array.from({ length: n }, (_, i) => i) : new Int32Array(0);
  if (v.dtype !== "boolean") throw new ValidationError(`A row mask must be boolean, got ${v.dtype}`);
  const pos = new Int32Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) if (isValid(v.validity, i) && getBit(v.values, i)) pos[m++] = i;
  return pos.subarray(0, m);
}

/** Runs a pipeline on one partition (inputs side by side when several). */
export function runPipeline(parts: readonly Partition[], prog: Program, fns: ReadonlyMap<string, Fn> = new Map(), ext: Externals = new Map()): Partition {
  let t = Table.fromInputs(parts);
  for (const st of prog.stages) {
    if (st.s === "filter") {
      const idx = maskPositions(evalExpr(st.mask, t, fns, ext), t.length);
      const next = new Table(idx.length);
      if (idx.length === t.length) for (const name of st.keep) next.set(name, t.get(name));
      else for (const name of st.keep) next.set(name, gather(t.get(name), idx));
      t = next;
    } else {
      const next = new Table(t.length);
      for (const [name, e] of st.cols) next.set(name, asColumn(evalExpr(e, t, fns, ext), t.length));
      t = next;
    }
  }
  return makePartition(prog.meta, prog.meta.columns.map((c) => t.get(c.name)), t.length);
}

defineOp("dataframe.pipeline", (parts: Partition[], prog: Program, scalars: unknown[] = []): Partition | Promise<Partition> => {
  const ext: Externals = new Map((prog.externals ?? []).map((k, i) => [k, scalars[i]]));
  const refs = new Map<string, FnRef>();
  for (const st of prog.stages) {
    if (st.s === "filter") collectFns(st.mask, refs);
    else for (const [, e] of st.cols) collectFns(e, refs);
  }
  if (refs.size === 0) return runPipeline(parts, prog, undefined, ext);
  return Promise.all([...refs].map(async ([k, r]) => [k, await resolveFunction(r)] as const))
    .then((entries) => runPipeline(parts, prog, new Map(entries as Array<readonly [string, Fn]>), ext));
});

/** Checks a partition a user function produced against the declared meta. */
export function checkMeta(part: Partition, expected: FrameMeta, what: string): void {
  const found = partitionMeta(part);
  if (!sameMeta(found, expected)) {
    throw new MetadataMismatchError(
      `${what} returned columns or dtypes that differ from the declared meta:\n${metaTable(found, expected)}\n` +
        `Fix: return the declared columns, or declare what it returns with { meta: { name: "dtype", … } }.`,
    );
  }
}

defineOp("dataframe.map-partitions", async (part: Partition, fn: FnRef, args: unknown[], meta: FrameMeta, arrow: boolean, index: number): Promise<Partition> => {
  const f = await resolveFunction(fn);
  const input = arrow ? part : await partitionToDanfo(part);
  const result = await f(input, ...args, index);
  const out = await fromDanfoResult(result, meta, "the function given to mapPartitions");
  checkMeta(out, meta, "the function given to mapPartitions");
  return out;
});

/** Rows [start, end) of a partition. */
export function slicePartition(part: Partition, start: number, end: number): Partition {
  const meta = partitionMeta(part);
  const s = Math.max(0, Math.min(start, part.numRows));
  const e = Math.max(s, Math.min(end, part.numRows));
  if (s === 0 && e === part.numRows) return part;
  const idx = Int32Array.from({ length: e - s }, (_, i) => s + i);
  return makePartition(meta, meta.columns.map((_, j) => gather(readColumn(part, j), idx)), e - s);
}

defineOp("dataframe.iloc-slice", (part: Partition, range: [number, number]) => slicePartition(part, range[0], range[1]));

/** Rows at the given positions (sorted, local to the partition). */
defineOp("dataframe.take", (part: Partition, positions: number[]) => {
  const meta = partitionMeta(part);
  const idx = Int32Array.from(positions);
  return makePartition(meta, meta.columns.map((_, j) => gather(readColumn(part, j), idx)), idx.length);
});

/**
 * The plain value of a lazy scalar's task: a number, boolean or string as it is, a
 * reduction's `{ values: [x] }` as x, a one-row one-column partition as its cell.
 */
defineOp("dataframe.scalar-of", (v: unknown): unknown => {
  if (v === null || typeof v !== "object") return v;
  const values = (v as { values?: unknown }).values;
  if (Array.isArray(values) || ArrayBuffer.isView(values)) return (values as ArrayLike<unknown>)[0];
  if (v instanceof Object && "numRows" in v && (v as Partition).numRows === 1) return valueAt(readColumn(v as Partition, 0))(0);
  throw new ValidationError("A value used as a scalar in an expression must be a number, string or boolean");
});

/** Number of rows of a partition. */
defineOp("dataframe.length", (part: Partition) => part.numRows);

/** Rows at global positions `pos` (increasing) that fall in this partition; `before` = lengths of earlier partitions. */
defineOp("dataframe.iloc-take", (part: Partition, before: number[], pos: number[]) => {
  let offset = 0;
  for (const n of before) offset += n;
  const end = offset + part.numRows;
  let lo = 0;
  let hi = pos.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (pos[mid]! < offset) lo = mid + 1; else hi = mid; }
  const local: number[] = [];
  for (let i = lo; i < pos.length && pos[i]! < end; i++) local.push(pos[i]! - offset);
  const meta = partitionMeta(part);
  if (local.length === part.numRows) return part;
  const idx = Int32Array.from(local);
  return makePartition(meta, meta.columns.map((_, j) => gather(readColumn(part, j), idx)), idx.length);
});

/** A partition from plain values (arrays given to addColumn, fromDanfo). */
defineOp("dataframe.from-values", (meta: FrameMeta, values: unknown[][]) => partitionFromValues(meta, values));

/** danfo's DataFrame.apply with axis 1: `fn(rowValues, ...args)` per row. */
defineOp("dataframe.apply-rows", async (part: Partition, ref: FnRef, args: unknown[], meta: FrameMeta): Promise<Partition> => {
  const fn = await resolveFunction(ref);
  const n = part.numRows;
  const getters = part.schema.fields.map((f, j) => {
    const c = readColumn(part, j);
    const at = valueAt(c);
    return c.dtype === "datetime" ? (i: number) => { const x = at(i); return x === null ? null : new Date(x as number); } : at;
  });
  const row = new Array<unknown>(getters.length);
  const out = buildColumn(meta.columns[0]!.dtype, n, (i) => {
    for (let j = 0; j < getters.length; j++) row[j] = getters[j]!(i);
    return fn([...row], ...args);
  });
  return makePartition(meta, [out], n);
});
