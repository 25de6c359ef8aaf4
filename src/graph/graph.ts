/**
 * Graphs. A low-level {@link Graph} maps keys to tasks. A {@link LayeredGraph} groups
 * tasks in named layers (one per collection operation), so a collection's graph is the
 * union of its inputs' layers plus its own, big graphs can be shown by layer, and
 * shared inputs appear once.
 */
import { GraphError } from "../errors.js";
import type { Key } from "./key.js";
import { collectRefs, edgesOf, indexFromEdges, indexGraph, topoOrder } from "./indexed.js";
import type { Task } from "./task.js";

/** Keys to tasks. */
export type Graph = ReadonlyMap<Key, Task>;

/** One operation of a collection: its tasks and the layers it reads. */
export interface Layer {
  readonly name: string;
  readonly tasks: Graph;
  /** Names of the layers this one reads. */
  readonly dependsOn: readonly string[];
  /** Free-form description shown by visualizations (e.g. `{ kind: "read-csv" }`). */
  readonly annotations?: Readonly<Record<string, unknown>>;
}

/** Named layers; immutable. */
export class LayeredGraph {
  readonly layers: ReadonlyMap<string, Layer>;

  constructor(layers: Iterable<Layer> | ReadonlyMap<string, Layer> = []) {
    const map = new Map<string, Layer>();
    const items = layers instanceof Map ? layers.values() : (layers as Iterable<Layer>);
    for (const layer of items) map.set(layer.name, layer);
    this.layers = map;
  }

  /** A graph of one layer on top of `inputs`. */
  static from(layer: Layer, ...inputs: LayeredGraph[]): LayeredGraph {
    return LayeredGraph.merge(...inputs).with(layer);
  }

  /** The union of several graphs (layers with equal names are the same layer). */
  static merge(...graphs: LayeredGraph[]): LayeredGraph {
    if (graphs.length === 1) return graphs[0]!;
    const map = new Map<string, Layer>();
    for (const g of graphs) for (const [name, layer] of g.layers) map.set(name, layer);
    return new LayeredGraph(map);
  }

  /** This graph plus one layer. */
  with(layer: Layer): LayeredGraph {
    const map = new Map(this.layers);
    map.set(layer.name, layer);
    return new LayeredGraph(map);
  }

  /** All tasks, without copying when there is one layer (read-only). */
  asGraph(): Graph {
    if (this.layers.size === 1) return this.layers.values().next().value!.tasks;
    return this.toGraph();
  }

  /** All tasks in one (new) map. */
  toGraph(): Map<Key, Task> {
    const out = new Map<Key, Task>();
    for (const layer of this.layers.values()) for (const [k, t] of layer.tasks) out.set(k, t);
    return out;
  }

  get size(): number {
    let n = 0;
    for (const layer of this.layers.values()) n += layer.tasks.size;
    return n;
  }
}

/** Builds a layer from a list of tasks. */
export function layer(name: string, tasks: Iterable<Task>, dependsOn: readonly string[] = [], annotations?: Record<string, unknown>): Layer {
  const map = new Map<Key, Task>();
  for (const t of tasks) map.set(t.key, t);
  return annotations ? { name, tasks: map, dependsOn, annotations } : { name, tasks: map, dependsOn };
}

/**
 * Keeps only the tasks needed for `keys`, in the graph's order (so chunk order, which
 * ordering uses to break ties, survives). Returns `graph` itself when every task is
 * needed: treat the result as read-only.
 */
export function cull(graph: Graph, keys: Iterable<Key>): Map<Key, Task> {
  const needed = new Set<Key>();
  const stack = [...keys];
  const refs: Key[] = [];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (needed.has(key)) continue;
    const task = graph.get(key);
    if (!task) throw new GraphError("ERR_MISSING_KEY", `Graph has no task for key ${key}, which was requested or is a dependency`);
    needed.add(key);
    if (task.args.length === 0) continue;
    refs.length = 0;
    collectRefs(task.args, refs);
    for (const dep of refs) if (!needed.has(dep)) stack.push(dep);
  }
  const out = new Map<Key, Task>();
  if (needed.size === graph.size) {
    if (graph instanceof Map) return graph as Map<Key, Task>;
    for (const [k, t] of graph) out.set(k, t);
  } else if (needed.size * 4 < graph.size) {
    // Few tasks from a big graph: restore graph order by sorting the kept ones.
    const pos = new Map<Key, number>();
    let i = 0;
    for (const k of graph.keys()) if (needed.has(k)) pos.set(k, i++); else i++;
    for (const k of [...needed].sort((a, b) => pos.get(a)! - pos.get(b)!)) out.set(k, graph.get(k)!);
  } else {
    for (const [k, t] of graph) if (needed.has(k)) out.set(k, t);
  }
  return out;
}

/** Dependencies and dependents of every task. */
export interface GraphEdges {
  readonly dependencies: ReadonlyMap<Key, readonly Key[]>;
  readonly dependents: ReadonlyMap<Key, Key[]>;
}

/** Computes both directions of the edges; throws on a reference to a missing key. */
export function edges(graph: Graph): GraphEdges {
  return edgesOf(indexGraph(graph));
}

/** Keys in an order where every task comes after its dependencies; throws on a cycle. */
export function toposort(graph: Graph, e?: GraphEdges): Key[] {
  const g = e ? indexFromEdges(graph, e) : indexGraph(graph);
  return Array.from(topoOrder(g), (i) => g.keys[i]!);
}
