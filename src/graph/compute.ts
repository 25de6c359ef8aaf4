/**
 * `compute` and `persist`: merge the graphs of several collections (shared keys are
 * computed once), optimize (cull, the collections' own passes, linear fusion), run on
 * the chosen scheduler and hand each collection its values to finalize.
 */
import { encodeValue } from "./codec.js";
import { TUSK, isCollection, type Collection, type CollectionSpec } from "./collection.js";
import { cleanupActions, runCleanups } from "./cleanup.js";
import { config, normalizeConfig, type ConfigInput } from "./config.js";
import { syncScheduler } from "./execute-sync.js";
import { fuseLinear } from "./fuse.js";
import { LayeredGraph, cull, layer, type Graph } from "./graph.js";
import { makeName, type Key } from "./key.js";
import { threadsScheduler } from "./local/execute-threads.js";
import { progressSink } from "./progress.js";
import type { ComputeScheduler, ProgressCallback, RunRequest } from "./scheduler.js";
import { emitTaskEvents, hasTaskEventListeners } from "./task-events.js";
import { task, lit } from "./task.js";

/** Options of one `compute` / `persist` call (they win over `tk.config`). */
export interface ComputeOptions extends Omit<ConfigInput, "progress"> {
  /** Cancels the computation: the promise rejects with a `CancelledError`. */
  signal?: AbortSignal;
  /** `false` hides the bar; a function receives progress events. */
  progress?: boolean | ProgressCallback;
  /** Skip graph optimization (for debugging and visualizing). Default true. */
  optimize?: boolean;
  /** Times a failed task is retried on a cluster. Default 0. */
  retries?: number;
}

const OPTION_KEYS = new Set(["scheduler", "nthreads", "memoryLimit", "localDirectory", "progress", "signal", "optimize", "retries"]);

/** True when `value` looks like a trailing options object of `tk.compute`. */
export function isComputeOptions(value: unknown): value is ComputeOptions {
  if (typeof value !== "object" || value === null || Array.isArray(value) || isCollection(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => OPTION_KEYS.has(k));
}

let defaultScheduler: ComputeScheduler | undefined;

/** Makes a scheduler (a connected `Client`) the default until it is unset. */
export function setDefaultScheduler(scheduler: ComputeScheduler | undefined): void {
  defaultScheduler = scheduler;
}

function pickScheduler(s: ConfigInput["scheduler"] | undefined): ComputeScheduler {
  const chosen = s ?? (config.get().scheduler === "threads" && defaultScheduler ? defaultScheduler : config.get().scheduler);
  if (chosen === "sync") return syncScheduler;
  if (chosen === "threads") return threadsScheduler;
  return chosen;
}

/** The optimized graph of several collections and the keys each one needs. */
export function prepareGraph(specs: readonly CollectionSpec[], optimize = true): { graph: Graph; keys: Key[] } {
  const merged = LayeredGraph.merge(...specs.map((s) => s.graph)).asGraph();
  const keys = specs.length === 1 && new Set(specs[0]!.keys).size === specs[0]!.keys.length
    ? [...specs[0]!.keys]
    : [...new Set(specs.flatMap((s) => s.keys))];
  let graph: Graph = cull(merged, keys);
  if (optimize) {
    for (const spec of specs) if (spec.optimize) graph = spec.optimize(graph, keys);
    graph = fuseLinear(graph, keys);
  }
  return { graph, keys };
}

/** Values of a computation by key (a Map only when several collections need lookups). */
interface Values {
  get(key: Key): unknown;
}

async function runSpecs(specs: readonly CollectionSpec[], options: ComputeOptions): Promise<{ values: Values; valuesOf: (spec: CollectionSpec) => unknown[]; scheduler: ComputeScheduler; request: RunRequest }> {
  const settings = { ...config.get(), ...normalizeConfig({ ...options, progress: undefined }) };
  const { graph, keys } = prepareGraph(specs, options.optimize ?? true);
  const scheduler = pickScheduler(options.scheduler);
  const sink = progressSink({
    bar: options.progress === undefined ? settings.progress : options.progress !== false,
    callback: typeof options.progress === "function" ? options.progress : undefined,
  });
  const request: RunRequest = {
    graph, keys,
    signal: options.signal,
    onProgress: sink ? (ev) => sink.update(ev.done, ev.total, ev.key) : undefined,
    onTaskEvents: hasTaskEventListeners() ? emitTaskEvents : undefined,
    memoryLimit: settings.memoryLimit,
    localDirectory: settings.localDirectory,
    nthreads: settings.nthreads,
    retries: options.retries ?? 0,
  };
  let ok = false;
  try {
    const out = await scheduler.run(request);
    ok = true;
    let map: Map<Key, unknown> | undefined;
    const values: Values = { get: (k) => (map ??= new Map(keys.map((key, i) => [key, out[i]]))).get(k) };
    // One collection with distinct keys: its values are `out` itself, in order.
    const direct = specs.length === 1 && keys.length === specs[0]!.keys.length;
    const valuesOf = (spec: CollectionSpec): unknown[] => (direct && spec === specs[0] ? out : spec.keys.map((k) => values.get(k)));
    return { values, valuesOf, scheduler, request };
  } finally {
    sink?.close(ok);
    await runCleanups(cleanupActions(specs.map((s) => s.graph)));
  }
}

/** The value type a collection computes to. */
export type Computed<C> = C extends Collection<infer T> ? T : C;

/**
 * Computes several collections in one pass, sharing common work. Values that are not
 * collections are returned as they are. A last argument made only of option names
 * (`scheduler`, `signal`, `progress`, …) is taken as options.
 * @example const [a, b] = await tk.compute(inc(1), df.column("fare").sum());
 */
export async function compute<A extends readonly unknown[]>(...items: A): Promise<{ -readonly [K in keyof A]: Computed<A[K]> }> {
  let options: ComputeOptions = {};
  let list: readonly unknown[] = items;
  if (items.length > 0 && isComputeOptions(items[items.length - 1])) {
    options = items[items.length - 1] as ComputeOptions;
    list = items.slice(0, -1);
  }
  const specs = list.map((c) => (isCollection(c) ? (c as Collection)[TUSK]() : undefined));
  const real = specs.filter((s): s is CollectionSpec => s !== undefined);
  const run = real.length > 0 ? await runSpecs(real, options) : undefined;
  const out = await Promise.all(list.map((item, i) => {
    const spec = specs[i];
    return spec ? spec.finalize(run!.valuesOf(spec)) : item;
  }));
  return out as { -readonly [K in keyof A]: Computed<A[K]> };
}

/** Computes one collection. */
export async function computeOne<T>(collection: Collection<T>, options: ComputeOptions = {}): Promise<T> {
  const spec = collection[TUSK]();
  const { valuesOf } = await runSpecs([spec], options);
  return spec.finalize(valuesOf(spec));
}

/**
 * Computes collections and keeps their results: on a cluster they stay on the workers;
 * locally they are kept in this process. Returns new collections whose graphs read the
 * kept results, so later computations start from them.
 */
export async function persist<A extends readonly Collection[]>(...items: A | [...A, ComputeOptions]): Promise<A> {
  let options: ComputeOptions = {};
  let list = items as readonly unknown[];
  if (items.length > 0 && isComputeOptions(items[items.length - 1])) {
    options = items[items.length - 1] as ComputeOptions;
    list = items.slice(0, -1);
  }
  const collections = list as readonly Collection[];
  const specs = collections.map((c) => c[TUSK]());
  const scheduler = pickScheduler(options.scheduler);
  if (scheduler.persist) {
    const settings = { ...config.get(), ...normalizeConfig({ ...options, progress: undefined }) };
    const { graph, keys } = prepareGraph(specs, options.optimize ?? true);
    let kept: LayeredGraph;
    try {
      kept = await scheduler.persist({
        graph, keys, signal: options.signal, memoryLimit: settings.memoryLimit,
        localDirectory: settings.localDirectory, nthreads: settings.nthreads, retries: options.retries ?? 0,
      });
    } finally {
      await runCleanups(cleanupActions(specs.map((s) => s.graph)));
    }
    return specs.map((s) => s.rebuild(kept)) as unknown as A;
  }
  const { valuesOf } = await runSpecs(specs, options);
  const values = new Map<Key, unknown>();
  for (const spec of specs) valuesOf(spec).forEach((v, i) => values.set(spec.keys[i]!, v));
  const tasks = [...values].map(([k, v]) => task(k, "tusk.persisted", lit(encodeValue(v))));
  const kept = new LayeredGraph([layer(makeName("persisted", [...values.keys()]), tasks)]);
  return specs.map((s) => s.rebuild(kept)) as unknown as A;
}
