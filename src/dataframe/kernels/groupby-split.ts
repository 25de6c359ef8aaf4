/**
 * Groupby partials as Arrow record batches, for `groupby(...).agg(..., { splitOut })`:
 * a partial (one row per group of one input partition, ./groupby.ts) must cross the hash
 * shuffle (../shuffle/shuffle.ts), whose staging is Arrow IPC on disk (or on the wire).
 *
 * Layout of a partial batch: the key columns (their own dtypes, so the shuffle hashes
 * them exactly as it hashes the input rows), the first appearance `\0pos` (partition ·
 * 2^32 + row), then per value column j the states it carries, named `\0j.field`:
 * cnt sum comp m2 min max size as float64; first/last in the column's dtype; the
 * distinct values of nunique as a JSON list of tagged strings (exact for every number,
 * Infinity included).
 */
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { ColumnMeta, FrameMeta } from "../meta.js";
import { fromValues, makePartition, type ColumnData, type Partition } from "../partition.js";
import { finishGroups, groupChunk, groupMerge, needs, type ColState, type GroupPartial, type GroupSpec } from "./groupby.js";
import { batchColumn } from "./groupby-keys.js";
import { cellsOf, columnData, numericView, stringView, type Cell } from "./reduce-access.js";

registerOpModule(import.meta.url);

const POS = "\u0000pos";
const FLOATS = ["cnt", "sum", "comp", "m2", "min", "max", "size"] as const;
type FloatField = (typeof FLOATS)[number];

/** The state fields a chunk fills for a value column (mirrors `chunkColumn`). */
function fields(v: GroupSpec["values"][number]): { floats: FloatField[]; first: boolean; last: boolean; nu: boolean } {
  const need = needs(v.ops);
  const floats: FloatField[] = [];
  if (need.cnt || need.sum || need.min || need.max) floats.push("cnt");
  if (need.sum) floats.push("sum", "comp");
  if (need.m2 && v.dtype !== "string") floats.push("m2");
  if (need.min) floats.push("min");
  if (need.max) floats.push("max");
  if (need.size) floats.push("size");
  return { floats, first: need.first, last: need.last, nu: need.nu };
}

const stateName = (j: number, field: string): string => `\u0000${j}.${field}`;

/** The meta of a spec's partial batches. */
export function partialMeta(spec: GroupSpec): FrameMeta {
  const columns: ColumnMeta[] = [...spec.keys.map((k) => ({ name: k.name, dtype: k.dtype })), { name: POS, dtype: "float64" }];
  spec.values.forEach((v, j) => {
    const f = fields(v);
    for (const x of f.floats) columns.push({ name: stateName(j, x), dtype: "float64" });
    if (f.first) columns.push({ name: stateName(j, "first"), dtype: v.dtype });
    if (f.last) columns.push({ name: stateName(j, "last"), dtype: v.dtype });
    if (f.nu) columns.push({ name: stateName(j, "nu"), dtype: "string" });
  });
  return { columns };
}

function floats(values: Float64Array): ColumnData {
  return { dtype: "float64", values, validity: null, nullCount: 0 };
}

function encodeCell(c: Cell): string {
  return typeof c === "string" ? `s${c}` : typeof c === "boolean" ? (c ? "t" : "f") : `n${String(c)}`;
}

function decodeCell(s: string): Cell {
  return s[0] === "s" ? s.slice(1) : s === "t" ? true : s === "f" ? false : Number(s.slice(1));
}

/** A partial as an Arrow batch of {@link partialMeta}. */
export function partialToBatch(p: GroupPartial, spec: GroupSpec): Partition {
  const cols: ColumnData[] = [...p.keys];
  cols.push(floats(p.pos));
  spec.values.forEach((v, j) => {
    const f = fields(v);
    const st = p.cols[j]!;
    for (const x of f.floats) cols.push(floats(st[x]!));
    if (f.first) cols.push(fromValues(v.dtype, st.first!));
    if (f.last) cols.push(fromValues(v.dtype, st.last!));
    if (f.nu) cols.push(fromValues("string", st.nu!.map((xs) => JSON.stringify(xs.map(encodeCell)))));
  });
  return makePartition(partialMeta(spec), cols, p.n);
}

function floatColumn(batch: Partition, name: string): Float64Array {
  const v = numericView(columnData(batch, name)).values;
  return v instanceof Float64Array ? v : Float64Array.from(v);
}

/** The partial an Arrow batch holds (a group may appear in several rows). */
export function batchToPartial(batch: Partition, spec: GroupSpec): GroupPartial {
  const n = batch.numRows;
  const keys = spec.keys.map((k) => batchColumn(batch, k.name));
  const pos = floatColumn(batch, POS);
  const cols = spec.values.map((v, j): ColState => {
    const f = fields(v);
    const st: ColState = {};
    for (const x of f.floats) st[x] = floatColumn(batch, stateName(j, x));
    if (f.first) st.first = cellsOf(columnData(batch, stateName(j, "first")));
    if (f.last) st.last = cellsOf(columnData(batch, stateName(j, "last")));
    if (f.nu) {
      const sv = stringView(columnData(batch, stateName(j, "nu")));
      const lists = sv.dict.map((s) => (JSON.parse(s) as string[]).map(decodeCell));
      st.nu = Array.from(sv.codes, (c) => lists[c]!);
    }
    return st;
  });
  return { n, keys, pos, cols };
}


defineOp("dataframe.groupby.chunk-batch", (part: Partition, spec: GroupSpec, index: number) => partialToBatch(groupChunk(part, spec, index), spec));
defineOp("dataframe.groupby.aggregate-batch", (batch: Partition, spec: GroupSpec) => finishGroups(spec, groupMerge(spec, [batchToPartial(batch, spec)])));
