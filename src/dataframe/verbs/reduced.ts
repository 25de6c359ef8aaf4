/**
 * A lazy result computed by one task and turned into a danfo object in the caller
 * (e.g. `df.sum({ axis: 0 })` → a danfo Series indexed by column names, `describe()` →
 * a danfo DataFrame). Small results only: the value crosses to the caller whole.
 */
import { TUSK, type Collection, type CollectionSpec } from "../../graph/collection.js";
import { computeOne, type ComputeOptions } from "../../graph/compute.js";
import type { LayeredGraph } from "../../graph/graph.js";
import type { Key } from "../../graph/key.js";

/**
 * A lazy value whose `compute()` gives a danfo object (or plain data).
 * @example const s = await df.sum({ axis: 0 }).compute(); // danfo Series indexed by column
 */
export class Reduced<T> implements Collection<T> {
  readonly #graph: LayeredGraph;
  readonly #key: Key;
  readonly #finalize: (value: unknown) => T | Promise<T>;

  /** @internal */
  constructor(graph: LayeredGraph, key: Key, finalize: (value: unknown) => T | Promise<T>) {
    this.#graph = graph;
    this.#key = key;
    this.#finalize = finalize;
  }

  /** The key of the task that computes the value. */
  get key(): Key {
    return this.#key;
  }

  [TUSK](): CollectionSpec<T> {
    return {
      graph: this.#graph,
      keys: [this.#key],
      finalize: (values) => this.#finalize(values[0]),
      rebuild: (graph) => new Reduced<T>(graph, this.#key, this.#finalize),
    };
  }

  /**
   * Computes the result.
   * @example await df.describe().compute()
   */
  compute(options: ComputeOptions = {}): Promise<T> {
    return computeOne(this, options);
  }

  toString(): string {
    return `Reduced(${this.#key})`;
  }
}
