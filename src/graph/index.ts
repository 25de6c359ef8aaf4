/** The graph core's surface for collections and the distributed layer. */
export { makeKey, makeName, parseKey, keyName, keyPrefix, tokenize, type Key, type KeyParts } from "./key.js";
export { ref, lit, list, lits, task, dependencies, substitute, opsOf, type Arg, type Call, type Task } from "./task.js";
export { LayeredGraph, layer, cull, edges, toposort, type Graph, type Layer, type GraphEdges } from "./graph.js";
export { defineOp, getOp, hasOp, registerOpModule, opModules, importOpModules, type OpFn, type OpContext } from "./ops.js";
export { registerCodec, encodeValue, decodeValue, sizeOf, encodedSize, transferList, viewAs, type Encoded, type ValueCodec } from "./codec.js";
export { shipFunction, resolveFunction, isFnRef, type FnRef } from "./shipped-function.js";
export { TUSK, isCollection, type Collection, type CollectionSpec } from "./collection.js";
export { compute, computeOne, persist, prepareGraph, setDefaultScheduler, type ComputeOptions, type Computed } from "./compute.js";
export { config, type TuskConfig, type ConfigInput } from "./config.js";
export { order } from "./order.js";
export { fuseLinear, markUnfusable } from "./fuse.js";
export { evaluate, taskError } from "./evaluate.js";
export { parseBytes, formatBytes } from "./sizes.js";
export { syncScheduler } from "./execute-sync.js";
export { threadsScheduler, lastThreadsRunStats } from "./local/execute-threads.js";
export { shutdownPools } from "./local/pool.js";
export { LocalState } from "./local/state.js";
export type { ComputeScheduler, RunRequest, ProgressCallback, ProgressEvent, SchedulerName } from "./scheduler.js";
