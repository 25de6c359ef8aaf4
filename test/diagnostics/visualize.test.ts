/**
 * Pictures of task graphs: the DOT source is parsed back and compared with the graph's
 * own dependencies and order(); the SVG comes from Graphviz (wasm) itself.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import * as tkArray from "../../src/array/index.js";
import { delayed } from "../../src/delayed/delayed.js";
import { toDot, visualize, MAX_NODES_RENDERED, MAX_TASKS_DRAWN } from "../../src/diagnostics/visualize.js";
import { ValidationError } from "../../src/errors.js";
import { TUSK, type Collection } from "../../src/graph/collection.js";
import { prepareGraph } from "../../src/graph/compute.js";
import { fuseLinear } from "../../src/graph/fuse.js";
import { LayeredGraph, layer, type Graph } from "../../src/graph/graph.js";
import { makeKey, makeName, type Key } from "../../src/graph/key.js";
import { order } from "../../src/graph/order.js";
import { dependencies, lit, ref, task, type Task } from "../../src/graph/task.js";

const dir = mkdtempSync(join(tmpdir(), "tusk-viz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A collection over layers given as [name, tasks] (each layer reads the previous ones). */
function layered(layers: Array<[string, Task[]]>, keys: readonly Key[]): Collection<unknown[]> {
  const graph = new LayeredGraph(layers.map(([name, tasks], i) => layer(name, tasks, layers.slice(0, i).map(([n]) => n))));
  const make = (g: LayeredGraph): Collection<unknown[]> => ({ [TUSK]: () => ({ graph: g, keys, finalize: (v: unknown[]) => v, rebuild: make }) });
  return make(graph);
}

/**
 *   load#0  load#1  load#2        (op test.load)
 *      \    /   \    /
 *     pair#0    pair#1            (op test.pair)
 *         \      /
 *           total                 (op test.total)
 */
function diamond(): { c: Collection; tasks: Task[]; root: Key } {
  const load = makeName("load", "viz");
  const pair = makeName("pair", "viz");
  const loads = [0, 1, 2].map((i) => task(makeKey(load, i), "test.load", lit(i)));
  const pairs = [0, 1].map((i) => task(makeKey(pair, i), "test.pair", ref(loads[i]!.key), ref(loads[i + 1]!.key)));
  const total = task(makeKey(makeName("total", "viz")), "test.total", ref(pairs[0]!.key), ref(pairs[1]!.key));
  const tasks = [...loads, ...pairs, total];
  return { c: layered([[load, loads], [pair, pairs], [makeName("total", "viz"), [total]]], [total.key]), tasks, root: total.key };
}

function undot(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

interface DotNode { id: string; label: string; tooltip: string; fill: string; bold: boolean }

/** Nodes (not the legend's) and edges of DOT made by toDot. */
function parseDot(dot: string): { nodes: DotNode[]; edges: Array<[string, string]>; legend: Map<string, string> } {
  const str = `"(?:[^"\\\\]|\\\\.)*"`;
  const nodeRe = new RegExp(`^\\s+(n\\d+|l\\d+) \\[label=(${str}), tooltip=(${str}), fillcolor="([^"]+)", fontcolor="[^"]+"(, penwidth=2)?\\];$`, "gm");
  const nodes = [...dot.matchAll(nodeRe)].map((m) => ({ id: m[1]!, label: undot(m[2]!), tooltip: undot(m[3]!), fill: m[4]!, bold: m[5] !== undefined }));
  const edges = [...dot.matchAll(/^\s+([nl]\d+) -> ([nl]\d+);$/gm)].map((m) => [m[1]!, m[2]!] as [string, string]);
  const legendRe = new RegExp(`^\\s+legend\\d+ \\[label=(${str}), fillcolor="([^"]+)"`, "gm");
  const legend = new Map([...dot.matchAll(legendRe)].map((m) => [undot(m[1]!), m[2]!]));
  return { nodes, edges, legend };
}

/** Edges as "dep -> key" strings, from the graph itself. */
function graphEdges(graph: Graph): Set<string> {
  const out = new Set<string>();
  for (const [k, t] of graph) for (const d of dependencies(t)) out.add(`${d} -> ${k}`);
  return out;
}

describe("visualize: tasks", () => {
  test("one node per task carrying its key, one edge per dependency, requested keys bold", () => {
    const { c, tasks, root } = diamond();
    const { nodes, edges } = parseDot(toDot(c));
    const keyOf = new Map(nodes.map((n) => [n.id, n.tooltip.split("\n")[0]!]));
    expect([...keyOf.values()].sort()).toEqual(tasks.map((t) => t.key).sort());
    const graph = new Map(tasks.map((t) => [t.key, t]));
    expect(new Set(edges.map(([a, b]) => `${keyOf.get(a)} -> ${keyOf.get(b)}`))).toEqual(graphEdges(graph));
    expect(edges.length).toBe(graphEdges(graph).size);
    expect(nodes.filter((n) => n.bold).map((n) => keyOf.get(n.id))).toEqual([root]);
    expect(nodes.map((n) => n.label).sort()).toEqual(["load #0", "load #1", "load #2", "pair #0", "pair #1", "total"]);
  });

  test("colors by op: one color per op, the legend's, distinct between ops", () => {
    const { c, tasks } = diamond();
    const { nodes, legend } = parseDot(toDot(c));
    const opOf = new Map(tasks.map((t) => [t.key as string, t.op]));
    const fillOf = new Map<string, string>();
    for (const n of nodes) {
      const op = opOf.get(n.tooltip.split("\n")[0]!)!;
      expect(n.tooltip).toContain(`op: ${op}`);
      if (fillOf.has(op)) expect(n.fill).toBe(fillOf.get(op));
      fillOf.set(op, n.fill);
    }
    expect(new Set(fillOf.values()).size).toBe(3);
    expect(legend).toEqual(fillOf);
  });

  test("tooltips and (with color: order) labels carry order()'s priority", () => {
    const { c, tasks, root } = diamond();
    const prio = order(new Map(tasks.map((t) => [t.key, t])), [root]);
    const { nodes } = parseDot(toDot(c, { color: "order" }));
    for (const n of nodes) {
      const key = n.tooltip.split("\n")[0]! as Key;
      expect(n.tooltip).toContain(`order: ${prio.get(key)}`);
      expect(n.label.split("\n")[1]).toBe(String(prio.get(key)));
    }
    // pale first, darker later: the fill of priority 0 differs from the last one's
    const first = nodes.find((n) => n.tooltip.endsWith("order: 0"))!;
    const last = nodes.find((n) => n.tooltip.endsWith(`order: ${tasks.length - 1}`))!;
    expect(first.fill).not.toBe(last.fill);
  });

  test("optimize: true draws the fused graph compute() runs", () => {
    const name = makeName("step", "chain");
    const chain: Task[] = [task(makeKey(name, 0), "test.load", lit(0))];
    for (let i = 1; i < 10; i++) chain.push(task(makeKey(name, i), i % 2 ? "test.pair" : "test.load", ref(chain[i - 1]!.key)));
    const c = layered([[name, chain]], [chain[9]!.key]);
    const fused = fuseLinear(new Map(chain.map((t) => [t.key, t])), [chain[9]!.key]);
    const plain = parseDot(toDot(c));
    const optimized = parseDot(toDot(c, { optimize: true }));
    expect(plain.nodes.length).toBe(10);
    expect(optimized.nodes.length).toBe(fused.size);
    expect(fused.size).toBeLessThan(10);
    expect(optimized.nodes.some((n) => n.tooltip.includes("fused with"))).toBe(true);
    const graph = prepareGraph([c[TUSK]()]).graph;
    expect(optimized.edges.length).toBe(graphEdges(graph).size);
  });

  test("odd keys are escaped: Graphviz parses the DOT and the SVG carries each key", async () => {
    const odd = ['quo"te', "back\\slash", "a<b>&c", "br{a}[c];e", "unicodé 🦣", "end\\"];
    const tasks = odd.map((n, i) => task(makeKey(`${n}-tok`, i), "test.load", lit(i)));
    tasks.push(task(makeKey("sum-tok"), "test.total", ...tasks.map((t) => ref(t.key))));
    const c = layered([["odd", tasks]], [tasks[tasks.length - 1]!.key]);
    const { nodes, edges } = parseDot(toDot(c));
    expect(nodes.map((n) => n.tooltip.split("\n")[0]).sort()).toEqual(tasks.map((t) => t.key).sort());
    expect(edges.length).toBe(odd.length);
    const svg = await visualize(c);
    // Graphviz writes tooltips as xlink:title, XML-escaped (also "-" as &#45;).
    const decode = (s: string): string => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
      .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
    const titles = [...svg.matchAll(/xlink:title="([^"]*)"/g)].map((m) => decode(m[1]!).split("\n")[0]);
    for (const t of tasks) expect(titles).toContain(t.key);
    expect(svg.match(/<g id="node\d+" class="node">\s*<title>n\d+<\/title>/g)!.length).toBe(tasks.length);
    expect(svg.match(/<g id="edge\d+" class="edge">\s*<title>n\d+&#45;&gt;n\d+<\/title>/g)!.length).toBe(odd.length);
  });
});

describe("visualize: layers", () => {
  test(`above ${MAX_TASKS_DRAWN} tasks: one node per layer with its task count, a note, edges between layers`, () => {
    const n = 300;
    const leaf = makeName("leaf", "big");
    const pair = makeName("inc", "big");
    const leaves = Array.from({ length: n }, (_, i) => task(makeKey(leaf, i), "test.load", lit(i)));
    const incs = leaves.map((t, i) => task(makeKey(pair, i), "test.pair", ref(t.key)));
    const total = task(makeKey(makeName("total", "big")), "test.total", ...incs.map((t) => ref(t.key)));
    const c = layered([[leaf, leaves], [pair, incs], [makeName("total", "big"), [total]]], [total.key]);
    const dot = toDot(c);
    expect(dot).toContain(`601 tasks: showing one box per layer (level: \\"tasks\\" draws every task)`);
    const { nodes, edges } = parseDot(dot);
    expect(nodes.map((n) => n.label)).toEqual(["leaf\n300 tasks", "inc\n300 tasks", "total\n1 task"]);
    const nameOf = new Map(nodes.map((n) => [n.id, n.label.split("\n")[0]]));
    expect(edges.map(([a, b]) => `${nameOf.get(a)} -> ${nameOf.get(b)}`).sort()).toEqual(["inc -> total", "leaf -> inc"]);
    // Asked for: every task, whatever the size.
    expect(parseDot(toDot(c, { level: "tasks" })).nodes.length).toBe(601);
  });

  test("an array expression: one node per layer that holds needed tasks, counts add up", async () => {
    const x = tkArray.ones([400, 400], { chunks: [20, 20] });
    const y = x.add(x.transpose()).sum();
    const spec = y[TUSK]();
    const { graph } = prepareGraph([spec], false);
    expect(graph.size).toBeGreaterThan(MAX_TASKS_DRAWN);
    const { nodes } = parseDot(toDot(y));
    const counts = new Map<string, number>();
    for (const l of spec.graph.layers.values()) {
      const k = [...l.tasks.keys()].filter((key) => graph.has(key)).length;
      if (k > 0) counts.set(l.name, k);
    }
    expect(nodes.length).toBe(counts.size);
    const total = nodes.reduce((s, n) => s + Number(/^([\d,]+) tasks?$/m.exec(n.label)![1]!.replace(/,/g, "")), 0);
    expect(total).toBe(graph.size);
    const svg = await visualize(y, { level: "layers" });
    expect(svg.match(/<g id="node\d+" class="node">\s*<title>l\d+<\/title>/g)!.length).toBe(counts.size);
  });
});

describe("visualize: collections", () => {
  test("DataFrame, Series, array and Delayed draw through their visualize method, as tk.visualize does", async () => {
    const { fromArrow } = await import("../../src/dataframe/index.js");
    const { tableFromArrays } = await import("apache-arrow");
    const df = fromArrow(tableFromArrays({ a: Float64Array.from([1, 2, 3, 4]), b: Float64Array.from([5, 6, 7, 8]) }), { npartitions: 2 });
    const series = df.column("a").add(1);
    const arr = tkArray.ones([4, 4], { chunks: [2, 2] }).sum(0);
    const d = delayed(function twice(x: number) { return 2 * x; })(3);
    for (const c of [df, series, arr, d] as const) {
      const spec = c[TUSK]();
      const keys = [...prepareGraph([spec]).graph.keys()];
      const svg = await c.visualize({ optimize: true });
      expect(svg).toBe(await visualize(c, { optimize: true }));
      expect(svg.match(/<g id="node\d+" class="node">\s*<title>n\d+<\/title>/g)!.length).toBe(keys.length);
    }
  });
});

describe("visualize: files and errors", () => {
  test(".svg writes the SVG it returns, .dot the Graphviz source", async () => {
    const inc = delayed(function inc(x: number) { return x + 1; });
    const d = inc(inc(1));
    const svgFile = join(dir, "g.svg");
    const svg = await visualize(d, { filename: svgFile });
    expect(svg).toMatch(/<svg[\s>]/);
    expect(readFileSync(svgFile, "utf8")).toBe(svg);
    const dotFile = join(dir, "sub", "g.dot");
    await visualize(d, { filename: dotFile, optimize: true });
    expect(readFileSync(dotFile, "utf8")).toBe(toDot(d, { optimize: true }));
  });

  test("bad input rejects with what to pass", async () => {
    const { c } = diamond();
    const p = visualize({} as never);
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toBeInstanceOf(ValidationError);
    await expect(p).rejects.toThrow(/pass a DataFrame, Series, array or Delayed/);
    await expect(visualize(c, { level: "blocks" as never })).rejects.toThrow(/options.level must be one of "tasks", "layers", got "blocks"/);
    await expect(visualize(c, { filename: "graph.png" })).rejects.toThrow(/must end in .svg .* or .dot/);
  });

  test(`more than ${MAX_NODES_RENDERED} boxes: refused with what to do; a .dot file is still written`, async () => {
    const name = makeName("many", "viz");
    const tasks = Array.from({ length: MAX_NODES_RENDERED + 1 }, (_, i) => task(makeKey(name, i), "test.load", lit(i)));
    const c = layered([[name, tasks]], tasks.map((t) => t.key));
    const file = join(dir, "many.dot");
    await expect(visualize(c, { level: "tasks", filename: file })).rejects.toThrow(/10,001 boxes are too many .* pass level: "layers"/);
    expect(readFileSync(file, "utf8").match(/^ {2}n\d+ \[/gm)!.length).toBe(MAX_NODES_RENDERED + 1);
    // By default such a graph is drawn by layers: here one box.
    expect(parseDot(toDot(c)).nodes.map((n) => n.label)).toEqual(["many\n10,001 tasks"]);
    expect((await visualize(c)).match(/<title>l\d+<\/title>/g)).toEqual(["<title>l0</title>"]);
  });
});
