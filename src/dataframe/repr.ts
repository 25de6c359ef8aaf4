/**
 * How frames look in a notebook and on a console (Dask's `_repr_html_` and `__repr__`):
 * a lazy DataFrame/Series shows its structure — columns × dtypes, npartitions, rows per
 * partition when known, and "tusk name: …, N tasks in M graph layers" — without
 * computing anything; a computed danfo DataFrame/Series (what `compute()` returns)
 * shows as a table of its first and last rows with its shape (`tk.display(result)`).
 * Dtypes shown are the stored ones ("float64"), not danfo's labels ("float32").
 */
import type { InspectOptions } from "node:util";
import { keyName } from "../graph/key.js";
import type { LayeredGraph } from "../graph/graph.js";
import { registerHTMLRenderer, notebookInspect } from "../notebook/display.js";
import { alignColumns, escapeHTML, panel, plural, table, tasksLine, type Cell } from "../notebook/html.js";
import { lengthsOf } from "./expr/frame-expr.js";
import type { DataFrame } from "./frame.js";
import type { ColumnMeta } from "./meta.js";
import type { Series } from "./series.js";

/** Columns shown before the middle ones are elided (pandas shows 20). */
export const MAX_COLUMNS = 20;
/** Rows of a computed frame shown in full; above it, the first and last 5 (pandas' min_rows=10). */
export const MAX_ROWS = 20;
const EDGE_ROWS = 5;

interface Structure {
  kind: "DataFrame" | "Series";
  columns: readonly ColumnMeta[];
  npartitions: number;
  lengths: readonly number[] | undefined;
  name: string;
  ntasks: number;
  nlayers: number;
}

function graphFacts(graph: LayeredGraph, keys: readonly string[]): { name: string; ntasks: number; nlayers: number } {
  return { name: keys.length > 0 ? keyName(keys[0]!) : "empty", ntasks: graph.size, nlayers: graph.layers.size };
}

function frameStructure(df: DataFrame): Structure {
  const { graph, keys } = df.toPartitions();
  return { kind: "DataFrame", columns: df.meta.columns, npartitions: df.npartitions, lengths: lengthsOf(df.expr), ...graphFacts(graph, keys) };
}

function seriesStructure(s: Series): Structure {
  const { graph, keys } = s.toPartitions();
  return { kind: "Series", columns: [s.meta], npartitions: s.npartitions, lengths: lengthsOf(s.toFrameExpr()), ...graphFacts(graph, keys) };
}

/** The columns to show: all, or the first and last MAX_COLUMNS/2 with `null` for the gap. */
function shownColumns<T>(cols: readonly T[]): (T | null)[] {
  if (cols.length <= MAX_COLUMNS) return [...cols];
  const half = MAX_COLUMNS / 2;
  return [...cols.slice(0, half), null, ...cols.slice(-half)];
}

function rowsNote(s: Structure): string {
  if (!s.lengths) return `${plural(s.npartitions, "partition")}, rows unknown until computed`;
  const rows = s.lengths.reduce((a, b) => a + b, 0);
  return `${plural(rows, "row")} in ${plural(s.npartitions, "partition")}`;
}

function structureHTML(s: Structure): string {
  const cols = shownColumns(s.columns);
  const header: Cell[] = [`npartitions=${s.npartitions}`, ...cols.map((c) => (c ? c.name : "…"))];
  const rows: Cell[][] = [
    ["dtype", ...cols.map((c) => (c ? c.dtype : "…"))],
    ["", ...cols.map(() => "…")],
  ];
  const title = `tusk ${s.kind} Structure${s.kind === "Series" ? `: ${s.columns[0]!.name}` : ""}`;
  const body = table(header, rows) + `<div style="color:#666;margin-top:4px">${escapeHTML(rowsNote(s))}` +
    `${s.kind === "DataFrame" ? `, ${plural(s.columns.length, "column")}` : ""}</div>`;
  return panel(title, body, tasksLine(s.name, s.ntasks, s.nlayers), `tusk-${s.kind.toLowerCase()}`);
}

function structureText(s: Structure): string {
  const head = `tusk.${s.kind}<${s.name}, npartitions=${s.npartitions}, ${plural(s.ntasks, "task")}>`;
  const cols = shownColumns(s.columns).map((c) => (c ? [c.name, c.dtype] : ["…", `${s.columns.length - MAX_COLUMNS} more columns`]));
  return [head, ...alignColumns(cols), `  ${rowsNote(s)}`].join("\n");
}

/** The views of one kind of lazy collection, from its structure (computed once per view). */
export interface StructureViews<T> {
  /** The HTML structure view (no computing). */
  html(x: T): string;
  /** The text structure: name, npartitions, tasks, then one line per column. */
  text(x: T): string;
  /** The body of `[util.inspect.custom]` (in a notebook it also shows the HTML view). */
  inspect(x: T, depth: number, options: InspectOptions): string;
}

function views<T>(structure: (x: T) => Structure): StructureViews<T> {
  return {
    html: (x) => structureHTML(structure(x)),
    text: (x) => structureText(structure(x)),
    inspect: (x, depth, options) => {
      const s = structure(x);
      return notebookInspect(depth, options, structureText(s), () => structureHTML(s));
    },
  };
}

/**
 * DataFrame views.
 * @example frameRepr.text(df) // "tusk.DataFrame<read-csv-…, npartitions=4, 4 tasks>\n  fare  float64\n…"
 */
export const frameRepr: StructureViews<DataFrame> = views(frameStructure);

/**
 * Series views.
 * @example seriesRepr.html(df.column("fare"))
 */
export const seriesRepr: StructureViews<Series> = views(seriesStructure);

// ---- computed danfo frames

/** What we read of a danfo DataFrame or Series (public getters only). */
interface DanfoLike {
  readonly $isSeries: boolean;
  readonly shape: number[];
  readonly columns: string[];
  readonly dtypes: string[];
  readonly index: unknown[];
  readonly values: unknown[];
}

function isDanfo(v: unknown): v is DanfoLike {
  const o = v as Partial<DanfoLike> | null;
  return typeof o === "object" && o !== null && typeof o.$isSeries === "boolean" &&
    Array.isArray(o.shape) && Array.isArray(o.index) && Array.isArray(o.values);
}

/** A cell of a computed table as text: numbers with at most 6 significant digits, dates ISO. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "NaT" : v.toISOString().replace("T00:00:00.000Z", "");
  return String(v);
}

/** Row positions to show: all, or the first and last 5 with -1 for the gap. */
function shownRows(n: number): number[] {
  if (n <= MAX_ROWS) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE_ROWS }, (_, i) => i), -1, ...Array.from({ length: EDGE_ROWS }, (_, i) => n - EDGE_ROWS + i)];
}

/**
 * The HTML table of a computed danfo DataFrame or Series (first/last rows, shape).
 * @example danfoHTML(await df.groupby(["vendor"]).mean().compute())
 */
export function danfoHTML(value: DanfoLike): string {
  const series = value.$isSeries;
  const n = value.shape[0] ?? 0;
  const names = series ? [value.columns[0] ?? ""] : value.columns;
  const colIdx = shownColumns(names.map((_, j) => j));
  const cell = (i: number, j: number): unknown => (series ? value.values[i] : (value.values[i] as unknown[])[j]);
  const rows: Cell[][] = shownRows(n).map((i) => (i < 0
    ? ["…", ...colIdx.map(() => "…")]
    : [formatValue(value.index[i]), ...colIdx.map((j) => (j === null ? "…" : formatValue(cell(i, j))))]));
  const header: Cell[] = ["", ...colIdx.map((j) => (j === null ? "…" : names[j]!))];
  const shape = series ? `${plural(n, "row")}, dtype ${value.dtypes[0] ?? "?"}` : `${plural(n, "row")} × ${plural(names.length, "column")}`;
  return panel(series ? `danfo Series: ${names[0]}` : "danfo DataFrame", table(header, rows), shape, series ? "tusk-danfo-series" : "tusk-danfo-frame");
}

registerHTMLRenderer((v) => (isDanfo(v) ? danfoHTML(v) : undefined));
