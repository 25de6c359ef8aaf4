/**
 * Small HTML building blocks for notebook views: escaping, tables, the summary line
 * under a collection ("tusk name: …, N tasks in M layers"). Plain strings, inline styles
 * only (a notebook page has no stylesheet of ours): collections' repr modules build on
 * these.
 */

import { escapeXML } from "../diagnostics/html.js";

/**
 * Escapes text for HTML element content and quoted attributes: the diagnostics pages'
 * escaper, under the name the notebook views use.
 * @example escapeHTML('<a & "b">') // "&lt;a &amp; &quot;b&quot;&gt;"
 */
export const escapeHTML: (text: unknown) => string = escapeXML;

/** A table cell's content: already-safe HTML (`{ html }`) or text to escape. */
export type Cell = string | number | { readonly html: string };

function cellHTML(c: Cell): string {
  return typeof c === "object" ? c.html : escapeHTML(c);
}

const TABLE = 'style="border-collapse:collapse;font-family:monospace;font-size:12px;text-align:right"';
const TD = 'style="padding:2px 8px;border-bottom:1px solid #e0e0e0"';

/**
 * A table with one header row; the first cell of each row is a header cell (an index
 * label, or a row name like "dtype").
 * @example table(["", "a"], [["dtype", "float64"]])
 */
export function table(header: readonly Cell[], rows: readonly (readonly Cell[])[], attrs = ""): string {
  const th = (c: Cell): string => `<th ${TD}>${cellHTML(c)}</th>`;
  const head = `<thead><tr>${header.map(th).join("")}</tr></thead>`;
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? th(c) : `<td ${TD}>${cellHTML(c)}</td>`)).join("")}</tr>`).join("");
  return `<table ${TABLE}${attrs ? ` ${attrs}` : ""}>${head}<tbody>${body}</tbody></table>`;
}

/** A collection view: a bold title, the body, and a grey footer line. */
export function panel(title: string, body: string, footer: string, cls: string): string {
  return `<div class="tusk-repr ${escapeHTML(cls)}" style="font-family:sans-serif;font-size:13px">` +
    `<div style="font-weight:bold;margin:2px 0 4px">${escapeHTML(title)}</div>${body}` +
    `<div style="color:#666;margin-top:4px">${escapeHTML(footer)}</div></div>`;
}

/** "N tasks in M layers" (singular where it applies). */
export function tasksLine(name: string, ntasks: number, nlayers: number): string {
  return `tusk name: ${name}, ${plural(ntasks, "task")} in ${plural(nlayers, "graph layer")}`;
}

/** "1 task", "3 tasks", "1,234 rows". */
export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** Text columns padded to a common width (for the text reprs). */
export function alignColumns(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  "));
}
