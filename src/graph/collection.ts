/**
 * The collection protocol (Dask's `__dask_graph__` family): anything that can be
 * computed — delayed values, DataFrames, arrays — describes itself through one
 * symbol-keyed method, so `graph/` knows nothing of frames or tensors.
 */
import type { LayeredGraph, Graph } from "./graph.js";
import type { Key } from "./key.js";

/** The symbol under which a collection describes itself. */
export const TUSK = Symbol.for("tusk.collection");

/** What a collection hands to a scheduler. */
export interface CollectionSpec<T = unknown> {
  /** The graph, unoptimized (optimizations run in `compute`). */
  readonly graph: LayeredGraph;
  /** The keys whose values `finalize` needs, in order. */
  readonly keys: readonly Key[];
  /** Turns the computed values into the user-facing result (runs in the caller). */
  finalize(values: unknown[]): T | Promise<T>;
  /** A collection of the same kind whose graph is `graph` with the same keys (for `persist`). */
  rebuild(graph: LayeredGraph): Collection<T>;
  /** Collection-specific graph optimization before the generic passes (optional). */
  optimize?(graph: Graph, keys: readonly Key[]): Graph;
}

/** Anything `tk.compute` accepts. */
export interface Collection<T = unknown> {
  [TUSK](): CollectionSpec<T>;
}

/** True when `value` is a collection. */
export function isCollection(value: unknown): value is Collection {
  return typeof value === "object" && value !== null && typeof (value as Record<symbol, unknown>)[TUSK] === "function"
    || typeof value === "function" && typeof (value as unknown as Record<symbol, unknown>)[TUSK] === "function";
}
