/**
 * Graphs. A low-level {@link Graph} maps keys to tasks. A {@link LayeredGraph} groups
 * tasks in named layers (one per collection operation), so a collection's graph is the
 * union of its inputs' layers plus its own, big graphs can be shown by layer, and
 * shared inputs appear once.
 */
import { GraphError } from "../errors.js";
import type { Key } from "./key.js";
import { dependencies, type Task } from "./task.js";

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

  /** All tasks in one map. */
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

/** Keeps only the tasks needed for `keys`. */
export function cull(graph: Graph, keys: Iterable<Key>): Map<Key, Task> {
  const out = new Map<Key, Task>();
  const stack = [...keys];
  while (stack.length > 0) {
    const key = stack.pop()!;
    if (out.has(key)) continue;
    const task = graph.get(key);
    if (!task) throw new GraphError("ERR_MISSING_KEY", `Graph has no task for key ${key}, which was requested or is a dependency`);
    out.set(key, task);
    for (const dep of dependencies(task)) if (!out.has(dep)) stack.push(dep);
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
  const deps = new Map<Key, readonly Key[]>();
  const dependents = new Map<Key, Key[]>();
  for (const key of graph.keys()) dependents.set(key, []);
  for (const [key, task] of graph) {
    const d = dependencies(task);
    deps.set(key, d);
    for (const dep of d) {
      const list = dependents.get(dep);
      if (!list) throw new GraphError("ERR_MISSING_KEY", `Task ${key} (op ${task.op}) depends on ${dep}, which is not in the graph`);
      list.push(key);
    }
  }
  return { dependencies: deps, dependents };
}

/** Keys in an order where every task comes after its dependencies; throws on a cycle. */
export function toposort(graph: Graph, e: GraphEdges = edges(graph)): Key[] {
  const missing = new Map<Key, number>();
  const ready: Key[] = [];
  for (const [key, d] of e.dependencies) {
    missing.set(key, d.length);
    if (d.length === 0) ready.push(key);
  }
  const out: Key[] = [];
  while (ready.length > 0) {
    const key = ready.pop()!;
    out.push(key);
    for (const child of e.dependents.get(key)!) {
      const n = missing.get(child)! - 1;
      missing.set(child, n);
      if (n === 0) ready.push(child);
    }
  }
  if (out.length !== graph.size) {
    const stuck = [...missing].filter(([, n]) => n > 0).map(([k]) => k).slice(0, 5);
    throw new GraphError("ERR_CYCLE", `Graph has a cycle through ${stuck.join(", ")}`);
  }
  return out;
}
