/**
 * The view of a lazy single value — a Delayed, a Scalar, a Reduced: its kind, the key
 * of the task that computes it and the size of its graph (nothing is computed).
 */
import type { InspectOptions } from "node:util";
import type { LayeredGraph } from "../graph/graph.js";
import { keyPrefix } from "../graph/key.js";
import { notebookInspect } from "./display.js";
import { panel, plural, table } from "./html.js";

/**
 * The HTML view of a one-task value.
 * @example valueHTML("Delayed", inc(1).key, graph)
 */
export function valueHTML(kind: string, key: string, graph: LayeredGraph): string {
  const rows = [["key", key], ["task group", keyPrefix(key)], ["graph", `${plural(graph.size, "task")} in ${plural(graph.layers.size, "graph layer")}`]];
  return panel(`tusk ${kind}`, table(["", "lazy value"], rows), "compute() to get the value", `tusk-${kind.toLowerCase()}`);
}

/**
 * The text repr of a one-task value.
 * @example valueText("Scalar", "sum-agg-1f2e", graph) // "tusk.Scalar<sum-agg-1f2e, 3 tasks>"
 */
export function valueText(kind: string, key: string, graph: LayeredGraph): string {
  return `tusk.${kind}<${key}, ${plural(graph.size, "task")}>`;
}

/** `[util.inspect.custom]` of a one-task value. */
export function valueInspect(kind: string, key: string, graph: LayeredGraph, depth: number, options: InspectOptions): string {
  return notebookInspect(depth, options, valueText(kind, key, graph), () => valueHTML(kind, key, graph));
}
