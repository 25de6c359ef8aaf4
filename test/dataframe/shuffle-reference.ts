/**
 * Brute-force references for the shuffle verbs' tests (merge, sortValues, nLargest,
 * dropDuplicates): plain loops over rows of plain values, written for obviousness.
 * Missing values: null; NaN is a float value that sorts last like null and equals NaN.
 */
import { expect } from "vitest";
import type { ComputeOptions } from "../../src/graph/compute.js";
import { partitionsToValues, type DataFrame } from "../../src/dataframe/index.js";
import { checkPartitionsMeta, computePartitions } from "./helpers/assert-eq.js";
import type { FrameSpec } from "./helpers/frames.js";

export type Row = unknown[];

/** Rows of a spec. */
export function specRows(spec: FrameSpec): Row[] {
  return Array.from({ length: spec.nrows }, (_, i) => spec.columns.map((c) => c[i]));
}

/** Computes a frame chunked (sync by default), checks every partition's meta, returns rows and columns. */
export async function computeRows(df: DataFrame, options: ComputeOptions = {}): Promise<{ columns: string[]; rows: Row[]; nparts: number; partRows: Row[][] }> {
  const { parts, meta } = await computePartitions(df, { scheduler: "sync", progress: false, ...options });
  checkPartitionsMeta(parts, meta);
  const toRows = (cols: unknown[][], n: number): Row[] => Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
  const partRows = parts.map((p) => toRows(partitionsToValues([p], meta), p.numRows));
  return { columns: meta.columns.map((c) => c.name), rows: partRows.flat(), nparts: parts.length, partRows };
}

function cellKey(v: unknown): string {
  if (v === null || v === undefined) return "∅";
  if (typeof v === "number") return Number.isNaN(v) ? "n:NaN" : `n:${Object.is(v, -0) ? 0 : v}`;
  return `${typeof v}:${String(v)}`;
}

/** A row's identity for multiset comparisons. */
export function rowKey(r: Row): string {
  return r.map(cellKey).join("|");
}

/** Rows equal as multisets (order ignored). */
export function expectSameRows(actual: readonly Row[], expected: readonly Row[]): void {
  const a = actual.map(rowKey).sort();
  const e = expected.map(rowKey).sort();
  expect(a).toEqual(e);
}

/** Rows equal in order. */
export function expectRowsInOrder(actual: readonly Row[], expected: readonly Row[]): void {
  expect(actual.map(rowKey)).toEqual(expected.map(rowKey));
}

function missing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
}

/** Compares cells: missing last whatever the direction; strings by code units. */
export function cmpCells(a: unknown, b: unknown, asc: boolean): number {
  if (missing(a) || missing(b)) return missing(a) === missing(b) ? 0 : missing(a) ? 1 : -1;
  const x = typeof a === "boolean" ? Number(a) : a as number | string;
  const y = typeof b === "boolean" ? Number(b) : b as number | string;
  const c = x < y ? -1 : x > y ? 1 : 0;
  return asc ? c : -c;
}

/** A stable sort of rows by column positions. */
export function sortRows(rows: readonly Row[], cols: readonly number[], asc: readonly boolean[]): Row[] {
  return rows.map((r, i) => ({ r, i })).sort((p, q) => {
    for (let k = 0; k < cols.length; k++) {
      const c = cmpCells(p.r[cols[k]!], q.r[cols[k]!], asc[k]!);
      if (c !== 0) return c;
    }
    return p.i - q.i;
  }).map((x) => x.r);
}

/** Key equality as merge/dropDuplicates define it: null = null, NaN = NaN, numbers by value. */
export function sameKey(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (typeof a === "number" && typeof b === "number" && Number.isNaN(a)) return Number.isNaN(b);
  return a === b;
}

/** A brute-force merge (danfo's column layout: keys, left others, right others). */
export function mergeRows(left: readonly Row[], lk: readonly number[], right: readonly Row[], rk: readonly number[], how: "inner" | "left" | "right" | "outer", widths: readonly [number, number]): Row[] {
  const lOthers = (r: Row): Row => r.filter((_, j) => !lk.includes(j));
  const rOthers = (r: Row): Row => r.filter((_, j) => !rk.includes(j));
  const lWidth = widths[0] - lk.length;
  const rWidth = widths[1] - rk.length;
  const match = (l: Row, r: Row): boolean => lk.every((j, k) => sameKey(l[j], r[rk[k]!]));
  const out: Row[] = [];
  const usedRight = new Set<number>();
  for (const l of left) {
    let found = false;
    right.forEach((r, ri) => {
      if (!match(l, r)) return;
      found = true; usedRight.add(ri);
      out.push([...lk.map((j) => l[j]), ...lOthers(l), ...rOthers(r)]);
    });
    if (!found && (how === "left" || how === "outer")) out.push([...lk.map((j) => l[j]), ...lOthers(l), ...Array(rWidth).fill(null)]);
  }
  if (how === "right" || how === "outer") {
    right.forEach((r, ri) => {
      if (usedRight.has(ri)) return;
      out.push([...rk.map((j) => r[j]), ...Array(lWidth).fill(null), ...rOthers(r)]);
    });
  }
  return out;
}

/** Rows without duplicates over `cols` (pandas' drop_duplicates). */
export function dedupeRows(rows: readonly Row[], cols: readonly number[], keep: "first" | "last" | false): Row[] {
  const same = (a: Row, b: Row): boolean => cols.every((j) => sameKey(a[j], b[j]));
  return rows.filter((r, i) => {
    const dups = rows.map((s, k) => (same(r, s) ? k : -1)).filter((k) => k >= 0);
    if (keep === false) return dups.length === 1;
    return keep === "first" ? dups[0] === i : dups[dups.length - 1] === i;
  });
}
