/**
 * A lazy result computed by one task and turned into a danfo object in the caller
 * (e.g. `df.sum({ axis: 0 })` → a danfo Series indexed by column names, `describe()` →
 * a danfo DataFrame). Small results only: the value crosses to the caller whole.
 */
import type { LayeredGraph } from "../../graph/graph.js";
import type { Key } from "../../graph/key.js";
import { OneTaskValue } from "../scalar.js";

/**
 * A lazy value whose `compute()` gives a danfo object (or plain data).
 * @example const s = await df.sum({ axis: 0 }).compute(); // danfo Series indexed by column
 */
export class Reduced<T> extends OneTaskValue<T> {
  /** @internal */
  constructor(graph: LayeredGraph, key: Key, finalize: (value: unknown) => T | Promise<T>) {
    super(graph, key, finalize);
  }

  protected override withGraph(graph: LayeredGraph): Reduced<T> {
    return new Reduced<T>(graph, this.key, this.finalize);
  }

  override toString(): string {
    return `Reduced(${this.key})`;
  }
}
