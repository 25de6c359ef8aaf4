/**
 * A lazy single value (a reduction's result): `await df.column("fare").sum().compute()`
 * gives a number.
 */
import { TUSK, type Collection, type CollectionSpec } from "../graph/collection.js";
import { inspect, type InspectOptions } from "node:util";
import { valueHTML, valueInspect } from "../notebook/value-repr.js";
import { computeOne, type ComputeOptions } from "../graph/compute.js";
import type { LayeredGraph } from "../graph/graph.js";
import type { Key } from "../graph/key.js";
import "./kernels/rowwise.js";

/**
 * What Scalar and Reduced share: a value computed by one task of a graph and turned
 * into the user-facing value by `finalize` in the caller.
 */
export abstract class OneTaskValue<T> implements Collection<T> {
  protected readonly graph: LayeredGraph;
  readonly #key: Key;
  protected readonly finalize: (value: unknown) => T | Promise<T>;

  protected constructor(graph: LayeredGraph, key: Key, finalize: (value: unknown) => T | Promise<T>) {
    this.graph = graph;
    this.#key = key;
    this.finalize = finalize;
  }

  /** The same value read from another graph (after `persist`). */
  protected abstract withGraph(graph: LayeredGraph): OneTaskValue<T>;

  /** The key of the task that computes the value. */
  get key(): Key {
    return this.#key;
  }

  [TUSK](): CollectionSpec<T> {
    return {
      graph: this.graph,
      keys: [this.#key],
      finalize: (values) => this.finalize(values[0]),
      rebuild: (graph) => this.withGraph(graph),
    };
  }

  /** The key and graph size as HTML, as `tk.display(v)` shows it (nothing is computed). */
  reprHTML(): string { return valueHTML(this.constructor.name, this.#key, this.graph); }
  /** `tusk.Scalar<key, N tasks>` for `console.log`; a tslab cell ending in it also shows `reprHTML()`. */
  [inspect.custom](depth: number, options: InspectOptions): string { return valueInspect(this.constructor.name, this.#key, this.graph, depth, options); }

  /**
   * Computes the value.
   * @example await df.column("fare").mean().compute()
   */
  compute(options: ComputeOptions = {}): Promise<T> {
    return computeOne(this, options);
  }
}

/**
 * A lazy value computed by one task.
 * @example const total = await df.column("fare").sum().compute(); // a number
 */
export class Scalar<T = number> extends OneTaskValue<T> {
  private constructor(graph: LayeredGraph, key: Key, finalize: (value: unknown) => T) {
    super(graph, key, finalize);
  }

  /**
   * A scalar whose value is the result of task `key` in `graph` (optionally turned into
   * the user-facing value by `finalize`, which runs in the caller).
   * @example Scalar.fromGraph(graph, makeKey("sum-agg-1f2e"))
   */
  static fromGraph<T = number>(graph: LayeredGraph, key: Key, finalize?: (value: unknown) => T): Scalar<T> {
    return new Scalar<T>(graph, key, finalize ?? ((v) => v as T));
  }

  protected override withGraph(graph: LayeredGraph): Scalar<T> {
    return new Scalar<T>(graph, this.key, this.finalize as (value: unknown) => T);
  }

  override toString(): string {
    return `Scalar(${this.key})`;
  }
}
