/**
 * Showing values in a notebook. tslab prints a cell's last value as text
 * (`console.log`, so `util.inspect`), and has no rich-repr hook like Jupyter's
 * `_repr_html_`. So:
 * - `tk.display(x)` shows `x` as HTML in the cell: a collection's `reprHTML()` (Dask's
 *   structure table, an array's chunk grid), a computed danfo DataFrame/Series as a
 *   table (first and last rows with the shape), a tf.Tensor, or text for anything else.
 *   Outside a notebook it prints the text repr.
 * - collections' `[util.inspect.custom]` gives a Dask-like text summary and, inside
 *   tslab, when the collection is the value being printed (not nested in another
 *   value), also shows its HTML view and shortens the text to its first line: so
 *   typing `df` as a cell's last line shows the table, as in a Dask notebook.
 *   `TUSK_NOTEBOOK_HTML=0` turns that off.
 */
import { inspect, type InspectOptions } from "node:util";
import { escapeHTML } from "./html.js";
import { notebookFrontEnd } from "./tslab.js";

/** Anything with an HTML view (tusk's collections). */
export interface HasReprHTML {
  reprHTML(): string;
}

/** Turns a foreign value (a danfo frame, a tf.Tensor) into HTML, or undefined if not its kind. */
export type HTMLRenderer = (value: unknown) => string | undefined;

const renderers: HTMLRenderer[] = [];

/**
 * Adds a renderer for values tusk does not own (collections register theirs on import).
 * @example registerHTMLRenderer((v) => (v instanceof Foo ? `<b>${v.name}</b>` : undefined))
 */
export function registerHTMLRenderer(renderer: HTMLRenderer): void {
  if (!renderers.includes(renderer)) renderers.push(renderer);
}

function hasReprHTML(value: unknown): value is HasReprHTML {
  return typeof value === "object" && value !== null && typeof (value as Partial<HasReprHTML>).reprHTML === "function";
}

/**
 * The HTML view of any value: its own `reprHTML()`, a registered renderer's, or its
 * text repr in a `<pre>`.
 * @example toHTML(df) // "<div class=\"tusk-repr tusk-dataframe\">…"
 */
export function toHTML(value: unknown): string {
  if (hasReprHTML(value)) return value.reprHTML();
  for (const render of renderers) {
    const html = render(value);
    if (html !== undefined) return html;
  }
  return `<pre>${escapeHTML(typeof value === "string" ? value : inspect(value, { depth: 2 }))}</pre>`;
}

/**
 * Shows values in the notebook cell as HTML (in a script: prints their text repr).
 * @example
 * tk.display(df);                                   // structure: columns, dtypes, npartitions, tasks
 * tk.display(await df.groupby(["vendor"]).mean().compute()); // the result as a table
 */
export function display(...values: unknown[]): void {
  const fe = notebookFrontEnd();
  for (const value of values) {
    if (fe && showHTML(fe.display, toHTML(value))) continue;
    // Collections print their own text repr; a danfo frame or a tensor prints as its table
    // (its toString), not as an object dump.
    console.log(!hasReprHTML(value) && renderers.some((r) => r(value) !== undefined) ? String(value) : value);
  }
}

/** Shows HTML in a display; false when the kernel is not ready for display data. */
export function showHTML(target: { html(s: string): void }, html: string): boolean {
  try {
    target.html(html);
    return true;
  } catch {
    return false; // tslab throws "Not ready" outside a cell's execution
  }
}

/**
 * The body of a collection's `[util.inspect.custom]`: returns the text repr and, in a
 * notebook, shows the HTML view when the collection itself is being printed.
 * @example [inspect.custom](depth: number, options: InspectOptions) { return notebookInspect(depth, options, text, () => html) }
 */
export function notebookInspect(depth: number, options: InspectOptions, text: string, html: () => string): string {
  const topLevel = depth === options.depth; // nested values get a smaller depth
  if (topLevel && process.env.TUSK_NOTEBOOK_HTML !== "0") {
    const fe = notebookFrontEnd();
    // The HTML says it all: keep only the text's first line (name, npartitions, tasks) under it.
    if (fe && showHTML(fe.display, html())) return text.split("\n", 1)[0]!;
  }
  return text;
}
