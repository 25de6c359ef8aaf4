/**
 * Metadata of a DataFrame or Series known without computing: column names and the
 * dtypes that are **stored** (float64, int32, string, boolean, datetime). danfo labels
 * its numeric columns "float32"/"int32" but holds JS doubles; tusk stores float64 and
 * shows danfo's label in `dtypes` ({@link danfoDtype}), so results keep every digit.
 */
import { ValidationError } from "../errors.js";

/** What a column stores. */
export type Dtype = "float64" | "int32" | "string" | "boolean" | "datetime";

/** All dtypes, in a stable order. */
export const DTYPES: readonly Dtype[] = ["float64", "int32", "string", "boolean", "datetime"];

/** One column: its name and stored dtype. */
export interface ColumnMeta {
  readonly name: string;
  readonly dtype: Dtype;
}

/** The columns of a frame (a Series is a frame of one column). */
export interface FrameMeta {
  readonly columns: readonly ColumnMeta[];
}

/**
 * danfo's label for a stored dtype: "float64" shows as "float32" (danfo's name for its
 * doubles), the others as themselves.
 * @example danfoDtype("float64") // "float32"
 */
export function danfoDtype(d: Dtype): string {
  return d === "float64" ? "float32" : d;
}

/**
 * The stored dtype for a dtype name a user gives (danfo's labels or tusk's):
 * "float32" and "float64" both mean float64.
 * @example parseDtype("float32") // "float64"
 */
export function parseDtype(name: string, what = "dtype"): Dtype {
  switch (name) {
    case "float32": case "float64": case "float": case "number": return "float64";
    case "int32": case "int": return "int32";
    case "string": case "str": return "string";
    case "boolean": case "bool": return "boolean";
    case "datetime": case "date": return "datetime";
  }
  throw new ValidationError(`${what} must be one of "float32", "int32", "string", "boolean", "datetime", got ${JSON.stringify(name)}`);
}

/** True for float64 and int32. */
export function isNumeric(d: Dtype): boolean {
  return d === "float64" || d === "int32";
}

/** Makes a FrameMeta from `[name, dtype]` pairs. */
export function frameMeta(columns: ReadonlyArray<readonly [string, Dtype]> | readonly ColumnMeta[]): FrameMeta {
  return {
    columns: columns.map((c) => (Array.isArray(c) ? { name: c[0] as string, dtype: c[1] as Dtype } : (c as ColumnMeta))),
  };
}

/** Column names of a meta. */
export function columnNames(meta: FrameMeta): string[] {
  return meta.columns.map((c) => c.name);
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest name to `name` among `names` (case-insensitive first), if any is close. */
export function closest(name: string, names: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const exact = names.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(lower, n.toLowerCase());
    if (d < bestD) { bestD = d; best = n; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** The meta of column `name`, or a ValidationError listing the columns and the closest one. */
export function getColumn(meta: FrameMeta, name: string, where = "the frame"): ColumnMeta {
  const col = meta.columns.find((c) => c.name === name);
  if (col) return col;
  const names = columnNames(meta);
  const near = closest(String(name), names);
  throw new ValidationError(
    `Column ${JSON.stringify(name)} does not exist in ${where}. ` +
      `Columns: ${names.map((n) => JSON.stringify(n)).join(", ") || "(none)"}.` +
      (near !== undefined ? ` Did you mean ${JSON.stringify(near)}?` : ""),
    { code: "ERR_UNKNOWN_COLUMN" },
  );
}

/** A Found/Expected table of two metas, for mismatch errors. */
export function metaTable(found: FrameMeta, expected: FrameMeta): string {
  const n = Math.max(found.columns.length, expected.columns.length);
  const rows: string[][] = [["", "Found", "Expected"]];
  for (let i = 0; i < n; i++) {
    const f = found.columns[i];
    const e = expected.columns[i];
    const mark = f && e && f.name === e.name && f.dtype === e.dtype ? " " : "*";
    rows.push([`${mark} ${i}`, f ? `${f.name}: ${f.dtype}` : "-", e ? `${e.name}: ${e.dtype}` : "-"]);
  }
  const w = [0, 1, 2].map((j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((c, j) => c.padEnd(w[j]!)).join(" | ")).join("\n");
}

/** True when two metas have the same names and dtypes in the same order. */
export function sameMeta(a: FrameMeta, b: FrameMeta): boolean {
  return a.columns.length === b.columns.length && a.columns.every((c, i) => c.name === b.columns[i]!.name && c.dtype === b.columns[i]!.dtype);
}
