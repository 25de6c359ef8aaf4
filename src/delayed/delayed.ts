/**
 * `tk.delayed` (Dask's `delayed`): wrap a closure-free function, call it lazily on plain
 * values or on other delayed results, and compute the resulting graph. Arguments may be
 * nested arrays and plain objects containing delayed values; they are resolved before
 * the call.
 *
 * Differences from Dask: keys are deterministic by default (a hash of the function's
 * source and the arguments; Dask's default `pure=False` draws random keys); pass
 * `{ pure: false }` for a fresh key per call. Functions travel as source text, so they
 * may not read variables from around them (the error names the variable).
 */
import { ValidationError } from "../errors.js";
import { TUSK, isCollection, type Collection, type CollectionSpec } from "../graph/collection.js";
import { inspect, type InspectOptions } from "node:util";
import { valueHTML, valueInspect } from "../notebook/value-repr.js";
import { computeOne, persist as persistAll, type ComputeOptions } from "../graph/compute.js";
import { visualize, type VisualizeOptions } from "../diagnostics/visualize.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { makeKey, makeName, type Key } from "../graph/key.js";
import { shipFunction, type FnRef } from "../graph/shipped-function.js";
import { lit, list, ref, task, type Arg } from "../graph/task.js";

/** A lazy value: the result of a delayed call. */
export class Delayed<T = unknown> implements Collection<T> {
  readonly #key: Key;
  readonly #graph: LayeredGraph;

  /** @internal */
  constructor(key: Key, graph: LayeredGraph) {
    this.#key = key;
    this.#graph = graph;
  }

  /** The key of the task that computes this value. */
  get key(): Key {
    return this.#key;
  }

  [TUSK](): CollectionSpec<T> {
    return {
      graph: this.#graph,
      keys: [this.#key],
      finalize: (values) => values[0] as T,
      rebuild: (graph) => new Delayed<T>(this.#key, graph),
    };
  }

  /**
   * Computes the value.
   * @example await inc(1).compute() // 2
   */
  compute(options: ComputeOptions = {}): Promise<T> {
    return computeOne(this, options);
  }

  /** Computes the value and keeps it (in this process, or on the cluster). */
  async persist(options: ComputeOptions = {}): Promise<Delayed<T>> {
    const [kept] = await persistAll(this, options);
    return kept as Delayed<T>;
  }

  /** Number of tasks in the graph. */
  get ntasks(): number {
    return this.#graph.size;
  }

  /** The key and graph size as HTML, as `tk.display(d)` shows it (nothing is computed). */
  reprHTML(): string { return valueHTML("Delayed", this.#key, this.#graph); }
  /** `tusk.Delayed<key, N tasks>` for `console.log`; a tslab cell ending in it also shows `reprHTML()`. */
  [inspect.custom](depth: number, options: InspectOptions): string { return valueInspect("Delayed", this.#key, this.#graph, depth, options); }

  /** A picture of this collection's task graph (SVG text; options as in `tk.visualize`). */
  visualize(options: VisualizeOptions = {}): Promise<string> { return visualize(this, options); }

  toString(): string {
    return `Delayed(${this.#key})`;
  }
}

/** Options of `tk.delayed`. */
export interface DelayedOptions {
  /** Key prefix (default: the function's name, or "delayed"). */
  name?: string;
  /** Same function and arguments give the same key (default true). */
  pure?: boolean;
}

/** A value, a delayed value, or arrays and plain objects holding delayed values. */
export type MaybeDelayed<T> =
  | T
  | Delayed<T>
  | (T extends readonly (infer U)[] ? readonly MaybeDelayed<U>[] : T extends Record<string, unknown> ? { [K in keyof T]: MaybeDelayed<T[K]> } : never);

/** A wrapped function: calling it builds a task instead of running. */
export type DelayedFunction<A extends unknown[], R> = (...args: { [K in keyof A]: MaybeDelayed<A[K]> }) => Delayed<Awaited<R>>;

let counter = 0;

/**
 * Wraps a function (or a value) so that calls build a graph.
 * @example
 * const inc = tk.delayed((x: number) => x + 1);
 * const total = tk.delayed((xs: number[]) => xs.reduce((a, b) => a + b, 0));
 * await total(Array.from({ length: 1000 }, (_, i) => inc(i))).compute();
 */
export function delayed<A extends unknown[], R>(fn: (...args: A) => R, options?: DelayedOptions): DelayedFunction<A, R>;
export function delayed<T>(value: T, options?: DelayedOptions): Delayed<T>;
export function delayed(fnOrValue: unknown, options: DelayedOptions = {}): unknown {
  if (typeof fnOrValue !== "function") {
    if (fnOrValue instanceof Delayed) return fnOrValue;
    const { arg, graphs } = toArg(fnOrValue);
    const name = makeName(options.name ?? "value", fnOrValue === undefined ? "undefined" : argToken(arg));
    const key = makeKey(name);
    return new Delayed(key, LayeredGraph.from(layer(name, [task(key, "tusk.identity", arg)], graphs.flatMap(layerNames)), ...graphs));
  }
  const prefix = options.name ?? (fnOrValue.name || "delayed");
  const fn: FnRef = shipFunction(fnOrValue, `the function given to tk.delayed (${prefix})`,
    `pass the value as an argument of the call: tk.delayed((x, k) => x * k)(x, k)`);
  const pure = options.pure ?? true;
  return (...args: unknown[]) => {
    const converted = args.map(toArg);
    const graphs = converted.flatMap((c) => c.graphs);
    const callArgs: Arg[] = [lit(fn), ...converted.map((c) => c.arg)];
    const name = makeName(prefix, fn, pure ? callArgs.map(argToken) : [counter++, process.pid, Date.now()]);
    const key = makeKey(name);
    const t = task(key, "tusk.call", ...callArgs);
    return new Delayed(key, LayeredGraph.from(layer(name, [t], graphs.flatMap(layerNames)), ...graphs));
  };
}

function layerNames(g: LayeredGraph): string[] {
  return [...g.layers.keys()];
}

function argToken(arg: Arg): unknown {
  return arg;
}

/** Turns a call argument into a task argument, collecting the graphs of delayed values inside it. */
function toArg(value: unknown, depth = 0): { arg: Arg; graphs: LayeredGraph[] } {
  if (value instanceof Delayed) {
    const spec = value[TUSK]();
    return { arg: ref(value.key), graphs: [spec.graph] };
  }
  if (isCollection(value)) {
    throw new ValidationError(
      "A DataFrame, Series or array cannot be passed to a delayed function directly; " +
        "compute it first (await x.compute()) or use its mapPartitions/mapBlocks",
    );
  }
  if (depth > 32) return { arg: lit(value), graphs: [] };
  if (Array.isArray(value)) {
    const items = value.map((v) => toArg(v, depth + 1));
    if (items.every((i) => i.graphs.length === 0)) return { arg: lit(value), graphs: [] };
    return { arg: list(items.map((i) => i.arg)), graphs: items.flatMap((i) => i.graphs) };
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const items = keys.map((k) => toArg(value[k], depth + 1));
    if (items.every((i) => i.graphs.length === 0)) return { arg: lit(value), graphs: [] };
    return {
      arg: { call: { op: "tusk.dict", args: [lit(keys), list(items.map((i) => i.arg))] } },
      graphs: items.flatMap((i) => i.graphs),
    };
  }
  return { arg: lit(value), graphs: [] };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
