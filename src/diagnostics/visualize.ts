/**
 * `tk.visualize(collection, options)`: a picture of a collection's task graph (Dask's
 * `.visualize()`), drawn by Graphviz compiled to wasm (`@viz-js/viz`, no system binary).
 *
 * - `level: "tasks"`: one box per task, labeled with its group and chunk index, an edge
 *   from each dependency, colored by op (legend) or by static order (`color: "order"`);
 *   the tooltip carries the full key, the op(s) and the order position. Requested keys
 *   have a bold border.
 * - `level: "layers"`: one box per layer (collection operation) with its task count, an
 *   edge per layer dependency. Chosen automatically, with a note in the picture, when
 *   the graph has more than {@link MAX_TASKS_DRAWN} tasks and no level was asked for.
 * - `optimize: true` draws the graph compute() runs (culled, the collections' own
 *   passes, linear fusion); by default the graph as built (culled to what is needed).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, extname, resolve } from "node:path";
import { TuskError, ValidationError } from "../errors.js";
import { TUSK, isCollection, type Collection, type CollectionSpec } from "../graph/collection.js";
import { prepareGraph } from "../graph/compute.js";
import { LayeredGraph, type Graph } from "../graph/graph.js";
import { parseKey, type Key } from "../graph/key.js";
import { order } from "../graph/order.js";
import { dependencies, opsOf } from "../graph/task.js";
import { colorMap, dotString, rampColor } from "./html.js";

/** Options of {@link visualize}. */
export interface VisualizeOptions {
  /** Also write the picture: `.svg` writes SVG, `.dot` / `.gv` the Graphviz source. */
  filename?: string;
  /** Draw the optimized graph (fused, as compute() runs it). Default false. */
  optimize?: boolean;
  /** Every task, or one box per layer. Default: tasks, or layers above {@link MAX_TASKS_DRAWN} tasks. */
  level?: "tasks" | "layers";
  /** Fill by op (default) or by static order (pale: runs first, dark: last). */
  color?: "op" | "order";
  /** Direction of the data flow. Default "BT" (inputs at the bottom, as in Dask). */
  rankdir?: "TB" | "BT" | "LR" | "RL";
}

/** Above this many tasks the layers are drawn unless `level: "tasks"` is asked for. */
export const MAX_TASKS_DRAWN = 500;
/** Graphviz's layout takes minutes beyond this many boxes: such pictures are refused (the DOT is still written). */
export const MAX_NODES_RENDERED = 10_000;

const LEVELS = ["tasks", "layers"] as const;
const COLORS = ["op", "order"] as const;
const RANKDIRS = ["TB", "BT", "LR", "RL"] as const;

type Viz = Awaited<ReturnType<typeof import("@viz-js/viz")["instance"]>>;
let viz: Promise<Viz> | undefined;

/** Graphviz (wasm), loaded on first use. */
function graphviz(): Promise<Viz> {
  viz ??= import("@viz-js/viz").then((m) => m.instance());
  return viz;
}

/**
 * Draws the task graph of one or several collections; resolves to the SVG text.
 * @example
 * const svg = await tk.visualize(df.groupby(["k"]).agg({ v: "sum" }), { filename: "graph.svg", optimize: true });
 */
export async function visualize(collections: Collection | readonly Collection[], options: VisualizeOptions = {}): Promise<string> {
  const dot = toDot(collections, options);
  const nodes = dot.match(/^ {2}[nl]\d+ \[/gm)?.length ?? 0;
  if (nodes > MAX_NODES_RENDERED) {
    const wrote = options.filename !== undefined && /\.(dot|gv)$/i.test(options.filename);
    if (wrote) await writeOut(options.filename!, dot);
    throw new ValidationError(`visualize: ${nodes.toLocaleString("en-US")} boxes are too many to lay out (at most ${MAX_NODES_RENDERED.toLocaleString("en-US")}); ` +
      `pass level: "layers" for one box per operation, or draw a smaller piece of the computation${wrote ? ` (the DOT source was written to ${options.filename})` : ""}`);
  }
  let svg: string;
  try {
    svg = (await graphviz()).renderString(dot, { format: "svg" });
  } catch (error) {
    throw new TuskError("ERR_VISUALIZE", `visualize: Graphviz could not draw the graph (${(error as Error).message}). ` +
      `Write the source with { filename: "graph.dot" } to inspect it`, { cause: error });
  }
  if (options.filename !== undefined) await writeOut(options.filename, extname(options.filename).toLowerCase() === ".svg" ? svg : dot);
  return svg;
}

async function writeOut(filename: string, text: string): Promise<void> {
  const path = resolve(filename);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

function checkOptions(options: VisualizeOptions): void {
  const oneOf = (name: string, value: unknown, allowed: readonly string[]): void => {
    if (value !== undefined && !allowed.includes(value as string)) {
      throw new ValidationError(`visualize: options.${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${JSON.stringify(value)}`);
    }
  };
  oneOf("level", options.level, LEVELS);
  oneOf("color", options.color, COLORS);
  oneOf("rankdir", options.rankdir, RANKDIRS);
  if (options.filename !== undefined) {
    const ext = typeof options.filename === "string" ? extname(options.filename).toLowerCase() : "";
    if (![".svg", ".dot", ".gv"].includes(ext)) {
      throw new ValidationError(`visualize: options.filename must end in .svg (the picture) or .dot / .gv (Graphviz source), got ${JSON.stringify(options.filename)}`);
    }
  }
}

/** The Graphviz DOT source {@link visualize} draws (synchronous; throws on bad input). */
export function toDot(collections: Collection | readonly Collection[], options: VisualizeOptions = {}): string {
  checkOptions(options);
  const list: readonly unknown[] = Array.isArray(collections) ? collections : [collections];
  if (list.length === 0 || !list.every(isCollection)) {
    throw new ValidationError("visualize: pass a DataFrame, Series, array or Delayed value (or a list of them), e.g. tk.visualize(df)");
  }
  const specs = (list as Collection[]).map((c) => c[TUSK]());
  const { graph, keys } = prepareGraph(specs, options.optimize ?? false);
  const layers = options.level === "layers" || (options.level === undefined && graph.size > MAX_TASKS_DRAWN);
  const note = layers && options.level === undefined
    ? `${graph.size.toLocaleString("en-US")} tasks: showing one box per layer (level: "tasks" draws every task)`
    : undefined;
  const head = header(options.rankdir ?? "BT", note ?? `${graph.size.toLocaleString("en-US")} task${graph.size === 1 ? "" : "s"}${options.optimize ? " (optimized)" : ""}`);
  return layers ? layersDot(head, specs, keys, options) : tasksDot(head, graph, keys, options);
}

function header(rankdir: string, label: string): string[] {
  return [
    "digraph tusk {",
    `  graph [rankdir=${rankdir}, fontname="Helvetica,Arial,sans-serif", fontsize=11, labelloc=t, label=${dotString(label)}];`,
    `  node [shape=box, style="rounded,filled", fontname="Helvetica,Arial,sans-serif", fontsize=10, margin="0.2,0.06", penwidth=0.6, color="#555555"];`,
    `  edge [arrowsize=0.6, color="#888888"];`,
  ];
}

/** Dark text on light fills, white on dark ones. */
function fontColor(fill: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(fill);
  if (!m) return "#000000";
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h!, 16));
  return 0.299 * r! + 0.587 * g! + 0.114 * b! < 140 ? "#ffffff" : "#000000";
}

/** "read-csv #3" for read-csv-9f3c…#3: the group and chunk index without the token. */
export function shortLabel(key: string): string {
  const { prefix, index } = parseKey(key);
  return index.length > 0 ? `${prefix} #${index.join(",")}` : prefix;
}

function legendDot(title: string, entries: ReadonlyArray<readonly [string, string]>): string[] {
  const out = [`  subgraph cluster_legend {`, `    label=${dotString(title)}; style="rounded"; color="#bbbbbb"; fontsize=10;`];
  entries.forEach(([name, fill], i) => out.push(`    legend${i} [label=${dotString(name)}, fillcolor="${fill}", fontcolor="${fontColor(fill)}", tooltip=${dotString(name)}];`));
  for (let i = 1; i < entries.length; i++) out.push(`    legend${i - 1} -> legend${i} [style=invis];`);
  out.push("  }");
  return out;
}

function tasksDot(head: string[], graph: Graph, keys: readonly Key[], options: VisualizeOptions): string {
  const priority = order(graph, keys);
  const ids = new Map<Key, string>();
  let i = 0;
  for (const k of graph.keys()) ids.set(k, `n${i++}`);
  const colors = colorMap([...graph.values()].map((t) => t.op));
  const wanted = new Set(keys);
  const byOrder = options.color === "order";
  const last = Math.max(1, graph.size - 1);
  const lines = [...head];
  for (const [key, task] of graph) {
    const p = priority.get(key)!;
    const fill = byOrder ? rampColor(p / last) : colors.get(task.op)!;
    const ops = opsOf(task);
    const tooltip = `${key}\nop: ${ops.length > 1 ? `${task.op} (fused with ${ops.slice(1).join(", ")})` : task.op}\norder: ${p}`;
    const label = byOrder ? `${shortLabel(key)}\n${p}` : shortLabel(key);
    lines.push(`  ${ids.get(key)} [label=${dotString(label)}, tooltip=${dotString(tooltip)}, fillcolor="${fill}", fontcolor="${fontColor(fill)}"` +
      `${wanted.has(key) ? ", penwidth=2" : ""}];`);
  }
  for (const [key, task] of graph) {
    for (const dep of dependencies(task)) lines.push(`  ${ids.get(dep)} -> ${ids.get(key)};`);
  }
  if (!byOrder) lines.push(...legendDot("ops", [...colors]));
  else lines.push(...legendDot("order", [["runs first", rampColor(0)], ["runs last", rampColor(1)]]));
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function layersDot(head: string[], specs: readonly CollectionSpec[], keys: readonly Key[], options: VisualizeOptions): string {
  // Layers as built; their task counts are those of the culled (unfused) graph.
  const { graph } = prepareGraph(specs, false);
  const merged = LayeredGraph.merge(...specs.map((s) => s.graph));
  const priority = options.color === "order" ? order(graph, keys) : undefined;
  // Each needed task belongs to the first layer that holds it.
  const layerOf = new Map<Key, string>();
  for (const layer of merged.layers.values()) for (const k of layer.tasks.keys()) if (graph.has(k) && !layerOf.has(k)) layerOf.set(k, layer.name);
  const kept: Array<{ name: string; count: number; op: string; first: number; ops: string[] }> = [];
  for (const layer of merged.layers.values()) {
    let count = 0;
    let first = Infinity;
    const ops = new Map<string, number>();
    for (const [k, t] of layer.tasks) {
      if (layerOf.get(k) !== layer.name) continue;
      count++;
      ops.set(t.op, (ops.get(t.op) ?? 0) + 1);
      if (priority) first = Math.min(first, priority.get(k)!);
    }
    if (count === 0) continue;
    const sorted = [...ops].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op]) => op);
    kept.push({ name: layer.name, count, op: sorted[0]!, first, ops: sorted });
  }
  const ids = new Map(kept.map((l, i) => [l.name, `l${i}`]));
  const colors = colorMap(kept.map((l) => l.op));
  const last = Math.max(1, graph.size - 1);
  const lines = [...head];
  for (const l of kept) {
    const fill = priority ? rampColor(l.first / last) : colors.get(l.op)!;
    const prefix = parseKey(l.name).prefix;
    const label = `${prefix}\n${l.count.toLocaleString("en-US")} task${l.count === 1 ? "" : "s"}`;
    const tooltip = `${l.name}\nops: ${l.ops.join(", ")}${priority ? `\nfirst in order: ${l.first}` : ""}`;
    lines.push(`  ${ids.get(l.name)} [label=${dotString(label)}, tooltip=${dotString(tooltip)}, fillcolor="${fill}", fontcolor="${fontColor(fill)}"];`);
  }
  // Edges from the tasks' own references (a layer's `dependsOn` may list indirect inputs too).
  const edges = new Set<string>();
  for (const [key, task] of graph) {
    const to = layerOf.get(key)!;
    for (const dep of dependencies(task)) {
      const from = layerOf.get(dep)!;
      if (from !== to) edges.add(`  ${ids.get(from)} -> ${ids.get(to)};`);
    }
  }
  lines.push(...edges);
  if (!priority) lines.push(...legendDot("ops", [...colors]));
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
