/**
 * Duplicate rows within a partition, on typed arrays: rows are grouped by a hash of the
 * subset columns (../kernels/hash-partition.ts) confirmed by value equality (null
 * equals null, NaN equals NaN, as danfo and pandas). Partials carry a hidden count
 * column so that `keep: false` (drop every repeated row) can be decided after combining.
 */
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { FrameMeta } from "../meta.js";
import { makePartition, readColumn, type Partition } from "../partition.js";
import { concatPartitions, hashRows, takeRows } from "./hash-partition.js";
import { keyEquality } from "./join.js";

registerOpModule(import.meta.url);

/** Name of the hidden count column of dedupe partials. */
export const COUNT = "\u0000dup-count";

/** Which row of a group survives. */
export type Keep = "first" | "last" | false;

/** Group id (its first row) of each row over `columns`. */
export function groupFirstRows(batch: Partition, columns: readonly string[]): Int32Array {
  const n = batch.numRows;
  const names = batch.schema.fields.map((f) => f.name);
  const cols = columns.map((c) => readColumn(batch, names.indexOf(c)));
  const eqs = cols.map((c) => keyEquality(c, c));
  const h = hashRows(batch, columns);
  let cap = 16;
  while (cap < n * 2) cap *= 2;
  const mask = cap - 1;
  const head = new Int32Array(cap).fill(-1);
  const next = new Int32Array(n).fill(-1);
  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = h[i]! & mask;
    let g = -1;
    for (let r = head[s]!; r >= 0; r = next[r]!) {
      if (h[r] === h[i] && eqs.every((e) => e(i, r))) { g = r; break; }
    }
    if (g < 0) { next[i] = head[s]!; head[s] = i; g = i; }
    first[i] = g;
  }
  return first;
}

/**
 * One row per group (the first or last of each, in row order) with the group's row
 * count (summing a previous count column when there is one).
 */
export function dedupe(batch: Partition, subset: readonly string[], keep: Keep, meta: FrameMeta): Partition {
  const n = batch.numRows;
  const first = groupFirstRows(batch, subset);
  const prev = batch.schema.fields.findIndex((f) => f.name === COUNT);
  const prevCounts = prev >= 0 ? (readColumn(batch, prev) as { values: Int32Array }).values : undefined;
  const count = new Int32Array(n);
  const pick = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const g = first[i]!;
    count[g]! += prevCounts ? prevCounts[i]! : 1;
    if (keep === "last" || pick[g]! < 0) pick[g] = i;
  }
  const rows: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < n; i++) if (first[i] === i) { rows.push(pick[i]!); counts.push(count[i]!); }
  const order = rows.map((_, k) => k).sort((a, b) => rows[a]! - rows[b]!);
  const idx = Int32Array.from(order, (k) => rows[k]!);
  const cnt = Int32Array.from(order, (k) => counts[k]!);
  const dataMeta: FrameMeta = { columns: meta.columns.filter((c) => c.name !== COUNT) };
  const src = prev >= 0 ? dropColumn(batch, prev, dataMeta) : batch;
  const body = takeRows(src, idx, dataMeta);
  const cols = dataMeta.columns.map((_, j) => readColumn(body, j));
  return makePartition({ columns: [...dataMeta.columns, { name: COUNT, dtype: "int32" }] }, [...cols, { dtype: "int32", values: cnt, validity: null, nullCount: 0 }], idx.length);
}

function dropColumn(batch: Partition, j: number, meta: FrameMeta): Partition {
  const cols = batch.schema.fields.map((_, k) => k).filter((k) => k !== j).map((k) => readColumn(batch, k));
  return makePartition(meta, cols, batch.numRows);
}

/** The final rows: groups seen once when `keep` is false; the count column removed. */
export function dedupeFinish(batch: Partition, keep: Keep, meta: FrameMeta): Partition {
  const j = batch.schema.fields.findIndex((f) => f.name === COUNT);
  let out = batch;
  if (keep === false) {
    const counts = (readColumn(batch, j) as { values: Int32Array }).values;
    const idx: number[] = [];
    for (let i = 0; i < batch.numRows; i++) if (counts[i] === 1) idx.push(i);
    out = takeRows(batch, Int32Array.from(idx));
  }
  return dropColumn(out, j, meta);
}

defineOp("dataframe.dedupe", (part: Partition, subset: string[], keep: Keep, meta: FrameMeta) => dedupe(part, subset, keep, meta));
defineOp("dataframe.dedupe-combine", (parts: Partition[], subset: string[], keep: Keep, partialMeta: FrameMeta) =>
  dedupe(concatPartitions(parts, partialMeta), subset, keep, partialMeta));
defineOp("dataframe.dedupe-finish", (part: Partition, keep: Keep, meta: FrameMeta) => dedupeFinish(part, keep, meta));
