/**
 * How arrays look in a notebook (dask.array's `_repr_html_`): a table of bytes, shape,
 * chunk shape, chunk and task counts and dtype for the whole array and its largest
 * chunk, next to an SVG picture of the chunk grid — one rectangle per chunk (hover one
 * to see its block index and shape), drawn to scale along each axis, with axes whose
 * chunks are too many to draw shown as one shaded band. 3-d arrays are drawn as a
 * slanted box (front face: the last two axes); for more axes the last three are drawn.
 * A computed `tf.Tensor` shows as its shape, dtype and tfjs's own value printout.
 */
import type { InspectOptions } from "node:util";
import { formatBytes } from "../graph/sizes.js";
import { registerHTMLRenderer, notebookInspect } from "../notebook/display.js";
import { escapeHTML, panel, plural, table, tasksLine } from "../notebook/html.js";
import type { ChunkedArray } from "./array.js";
import { offsets, type Chunks } from "./chunks.js";

/** Blocks along one axis drawn one by one; more are drawn as one shaded band. */
export const MAX_DRAWN_BLOCKS = 50;
/** Pixels of the longest drawn axis. */
const SIZE = 160;
/** Pixels of the shortest drawn axis (so a 10⁶ × 3 array still shows its 3 columns). */
const MIN_SIZE = 16;
const FILL = "#ECB172";

const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Drawn length of each axis: proportional to the longest, at least MIN_SIZE. */
function drawnLengths(shape: readonly number[], longest = SIZE): number[] {
  const max = Math.max(1, ...shape);
  return shape.map((n) => Math.max(MIN_SIZE, (longest * n) / max));
}

/** Start and length (px) of each drawn block along an axis; one band when too many. */
function axisCuts(chunks: readonly number[], length: number): { at: number; len: number; blocks: string }[] {
  const total = chunks.reduce((a, b) => a + b, 0);
  if (chunks.length > MAX_DRAWN_BLOCKS || total === 0) {
    return [{ at: 0, len: length, blocks: chunks.length > 1 ? `0-${chunks.length - 1}` : "0" }];
  }
  const offs = offsets(chunks);
  return chunks.map((c, i) => ({ at: (offs[i]! / total) * length, len: (c / total) * length, blocks: String(i) }));
}

const bandFill = (chunks: readonly number[]): string => (chunks.length > MAX_DRAWN_BLOCKS ? "#8B6A3E" : FILL);

function rect(x: number, y: number, w: number, h: number, title: string, fill: string): string {
  return `<rect class="tusk-chunk" x="${r2(x)}" y="${r2(y)}" width="${r2(w)}" height="${r2(h)}" ` +
    `style="fill:${fill};fill-opacity:0.8;stroke:#000;stroke-width:0.6"><title>${escapeHTML(title)}</title></rect>`;
}

function label(x: number, y: number, text: string, rotate = false): string {
  const tf = rotate ? ` transform="rotate(-90,${r2(x)},${r2(y)})"` : "";
  return `<text x="${r2(x)}" y="${r2(y)}" font-size="11" text-anchor="middle"${tf}>${escapeHTML(text)}</text>`;
}

function chunkTitle(blocks: string[], rowsChunks: readonly (readonly number[])[], idx: number[]): string {
  const dims = rowsChunks.map((c, a) => (c.length > MAX_DRAWN_BLOCKS ? `${c.length} chunks` : String(c[idx[a]!])));
  return `block (${blocks.join(", ")}): ${dims.join(" × ")}`;
}

/** The grid of the last two axes (or one) at (x0, y0); rows along axis 0 of `chunks`. */
function grid2d(chunks: Chunks, w: number, h: number, x0: number, y0: number): string {
  const [rowChunks, colChunks] = chunks.length === 1 ? [[1], chunks[0]!] : [chunks[0]!, chunks[1]!];
  const rows = axisCuts(rowChunks, h);
  const cols = axisCuts(colChunks, w);
  const fill = rowChunks.length > MAX_DRAWN_BLOCKS || colChunks.length > MAX_DRAWN_BLOCKS ? "#8B6A3E" : FILL;
  const out: string[] = [];
  rows.forEach((r, i) => cols.forEach((c, j) => {
    const blocks = chunks.length === 1 ? [c.blocks] : [r.blocks, c.blocks];
    const title = chunks.length === 1 ? chunkTitle(blocks, [colChunks], [j]) : chunkTitle(blocks, [rowChunks, colChunks], [i, j]);
    out.push(rect(x0 + c.at, y0 + r.at, c.len, r.len, title, fill));
  }));
  return out.join("");
}

/** SVG of the chunk grid of `shape`/`chunks` (empty string for a 0-d array). */
export function chunkGridSVG(shape: readonly number[], chunks: Chunks): string {
  const nd = shape.length;
  if (nd === 0) return "";
  const sh = shape.slice(-3);
  const ch = chunks.slice(-3);
  const note = nd > 3 ? label(110, 14, `last 3 of ${nd} axes`) : "";
  const pad = 24;
  if (sh.length === 1) {
    const [w] = drawnLengths(sh, 240);
    const h = 25;
    const body = grid2d(ch, w!, h, 10, 10) + label(10 + w! / 2, 10 + h + 16, String(sh[0]));
    return svg(w! + 20, h + 40, body);
  }
  if (sh.length === 2) {
    const [h, w] = drawnLengths(sh);
    const body = grid2d(ch, w!, h!, 10, 10) + label(10 + w! / 2, 10 + h! + 16, String(sh[1])) +
      label(10 + w! + 14, 10 + h! / 2, String(sh[0]), true);
    return svg(w! + 10 + pad + 6, h! + 10 + pad + 6, body);
  }
  // 3-d: front face = axes (1, 2) at offset (d, 0) shifted down by d; depth (axis 0) drawn as a slant.
  const [dRaw, h, w] = drawnLengths(sh);
  const d = dRaw! * 0.5; // the slant is drawn at half length
  const x0 = 10; const y0 = 10 + (nd > 3 ? 12 : 0);
  const parts: string[] = [];
  // top and side faces: parallelograms cut at the axis-0 chunk boundaries
  const depthCuts = axisCuts(ch[0]!, d);
  const poly = (pts: number[][], fill: string): string =>
    `<polygon points="${pts.map((p) => p.map(r2).join(",")).join(" ")}" style="fill:${fill};fill-opacity:0.8;stroke:#000;stroke-width:0.6"/>`;
  for (const c of depthCuts) {
    const a = c.at; const b = c.at + c.len;
    parts.push(poly([[x0 + a, y0 + d - a], [x0 + a + w!, y0 + d - a], [x0 + b + w!, y0 + d - b], [x0 + b, y0 + d - b]], bandFill(ch[0]!)));
    parts.push(poly([[x0 + w! + a, y0 + d - a], [x0 + w! + b, y0 + d - b], [x0 + w! + b, y0 + d - b + h!], [x0 + w! + a, y0 + d - a + h!]], bandFill(ch[0]!)));
  }
  parts.push(grid2d(ch.slice(1), w!, h!, x0, y0 + d));
  parts.push(label(x0 + w! / 2, y0 + d + h! + 16, String(sh[2])));
  parts.push(label(x0 - 2, y0 + d + h! / 2, String(sh[1]), true));
  parts.push(label(x0 + w! + d / 2 + 12, y0 + d + h! - d / 2 + 14, String(sh[0])));
  return svg(x0 + w! + d + 30, y0 + d + h! + 30, note + parts.join(""));
}

function svg(width: number, height: number, body: string): string {
  return `<svg class="tusk-chunk-grid" width="${r2(width)}" height="${r2(height)}" xmlns="http://www.w3.org/2000/svg" ` +
    `style="font-family:sans-serif">${body}</svg>`;
}

/** The largest chunk's shape (the first block's, unless a later one is larger along an axis). */
function chunkShape(chunks: Chunks): number[] {
  return chunks.map((c) => Math.max(0, ...c));
}

const tuple = (s: readonly number[]): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;

/**
 * The HTML view of a lazy array: the facts table and the chunk grid.
 * @example tk.display(tk.array.ones([1000, 1000], { chunks: 250 }))
 */
export function arrayHTML(x: ChunkedArray): string {
  const itemsize = x.size === 0 ? 0 : x.nbytes / x.size;
  const cs = chunkShape(x.chunks);
  const chunkBytes = cs.reduce((a, b) => a * b, 1) * itemsize;
  const rows = [
    ["Bytes", formatBytes(x.nbytes), formatBytes(chunkBytes)],
    ["Shape", tuple(x.shape), tuple(cs)],
    ["Chunks", plural(x.npartitions, "chunk"), `per axis: ${x.numBlocks.join(" × ")}`],
    ["Data type", x.dtype, x.dtype],
  ];
  const facts = table(["", "Array", "Chunk"], rows);
  const body = `<div style="display:flex;gap:24px;align-items:center">${facts}${chunkGridSVG(x.shape, x.chunks)}</div>`;
  return panel(`tusk.array.Array<${x.dtype}>`, body, tasksLine(x.name, x.graph.size, x.graph.layers.size), "tusk-array");
}

/**
 * The text repr of a lazy array.
 * @example arrayText(tk.array.ones([4, 4], { chunks: 2 })) // "tusk.array.Array<float64, shape=(4, 4), chunks=(2, 2), 4 chunks, 128 B, 4 tasks>"
 */
export function arrayText(x: ChunkedArray): string {
  return `tusk.array.Array<${x.dtype}, shape=${tuple(x.shape)}, chunks=${tuple(chunkShape(x.chunks))}, ` +
    `${plural(x.npartitions, "chunk")}, ${formatBytes(x.nbytes)}, ${plural(x.graph.size, "task")}>`;
}

/** `[util.inspect.custom]` of an array (in a notebook it also shows the HTML view). */
export function arrayInspect(x: ChunkedArray, depth: number, options: InspectOptions): string {
  return notebookInspect(depth, options, arrayText(x), () => arrayHTML(x));
}

/** What we read of a tf.Tensor. */
interface TensorLike {
  readonly shape: number[];
  readonly dtype: string;
  readonly rankType: string;
  toString(verbose?: boolean): string;
}

function isTensor(v: unknown): v is TensorLike {
  const o = v as Partial<TensorLike> | null;
  return typeof o === "object" && o !== null && Array.isArray(o.shape) && typeof o.dtype === "string" &&
    typeof o.rankType === "string" && typeof (o as { dataSync?: unknown }).dataSync === "function";
}

/** A computed tf.Tensor: shape, dtype and tfjs's printout (tfjs elides long axes). */
export function tensorHTML(t: TensorLike): string {
  const text = t.toString().replace(/^Tensor\s*\n?/, "");
  return panel(`tf.Tensor<${t.dtype}> shape=${tuple(t.shape)}`, `<pre style="margin:0">${escapeHTML(text)}</pre>`, "computed", "tusk-tensor");
}

registerHTMLRenderer((v) => (isTensor(v) ? tensorHTML(v) : undefined));
