/**
 * tusk: chunked, lazy DataFrames (danfo.js's API) and n-d arrays (TensorFlow.js) that
 * build task graphs and run them on worker threads or a cluster.
 * @example
 * import * as tk from "tusk";
 * const inc = tk.delayed((x: number) => x + 1);
 * await inc(1).compute(); // 2
 */
import { registerOpModule } from "./graph/ops.js";
import { shutdownPools } from "./graph/local/pool.js";

export { compute, persist, type ComputeOptions } from "./graph/compute.js";
export { config, type TuskConfig } from "./graph/config.js";
export { delayed, Delayed, type DelayedFunction, type DelayedOptions, type MaybeDelayed } from "./delayed/delayed.js";
export { DataFrame, Series, Scalar, fromDanfo, fromArrow, type FromOptions, type MapPartitionsOptions } from "./dataframe/index.js";
export { merge, concat, type MergeOptions, type ConcatOptions } from "./dataframe/index.js";
export type { GroupBy, GroupOptions } from "./dataframe/verbs/groupby.js";
export type { Reduced } from "./dataframe/verbs/reduced.js";
export type { ReduceOptions, ValueCountsOptions } from "./dataframe/verbs/reductions.js";
export type { SetIndexOptions } from "./dataframe/verbs/set-index.js";
export {
  readCSV, readParquet, readJSON, toCSV, toParquet, writeSampleTaxiCsv,
  type ReadCsvOptions, type ReadParquetOptions, type ReadJsonOptions, type ToCsvOptions, type ToParquetOptions,
} from "./dataframe/io/index.js";
export * as array from "./array/index.js";
export { display, inNotebook } from "./notebook/index.js";
export { performanceReport, visualize, type PerformanceReportOptions, type VisualizeOptions } from "./diagnostics/index.js";
export type { ProgressEvent, ProgressCallback, ComputeScheduler } from "./graph/scheduler.js";
export { Client, Future, asCompleted, LocalCluster, type ClientOptions, type LocalClusterOptions } from "./distributed/index.js";
export {
  TuskError, ValidationError, GraphError, MetadataMismatchError, TaskError, CancelledError,
  InvalidTransitionError, ProtocolError, KilledWorkerError,
} from "./errors.js";

/** User op modules: `tk.ops.register(new URL("./my-ops.js", import.meta.url))`. */
export const ops = { register: registerOpModule };

/** Stops the local thread pool (so a script or notebook can end at once). */
export async function shutdown(): Promise<void> {
  await shutdownPools();
}
