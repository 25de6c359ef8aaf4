/**
 * The shuffle primitive: rows re-partitioned by a hash of key columns, or by ranges of
 * a sort key given divisions, into N output partitions — with O(input + output) tasks,
 * not O(input × output) as Dask's old task shuffle:
 *
 * ```
 *   init ──► split#0 ─┐                 ┌─► collect#0
 *        ──► split#1 ─┼─► barrier ──────┼─► collect#1
 *        ──► split#… ─┘  (file offsets) └─► collect#…
 * ```
 * - `init` makes the staging folder; `split#i` reads input partition i, cuts it into N
 *   buckets and stages them (./staging.ts), returning only where they are;
 * - `barrier` gathers those small descriptors (every split is done);
 * - `collect#j` reads bucket j of every input, in input order, and concatenates it.
 *
 * Rows keep their input order inside an output partition (input partition by input
 * partition), which makes the range shuffle + per-partition stable sort a stable sort.
 * The staging folder is deleted after the computation whatever its outcome, through
 * the graph core's layer cleanups (../../graph/cleanup.ts).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanupAnnotation } from "../../graph/cleanup.js";
import { config } from "../../graph/config.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { markUnfusable } from "../../graph/fuse.js";
import { defineOp, registerOpModule, type OpContext } from "../../graph/ops.js";
import { list, lit, ref, task, type Arg, type Task } from "../../graph/task.js";
import type { FrameMeta } from "../meta.js";
import type { Partition } from "../partition.js";
import { bucketRows, concatPartitions, hashBuckets } from "../kernels/hash-partition.js";
import type { Cell } from "../kernels/reduce-access.js";
import { rangeBuckets, type SortSpec } from "../kernels/sort.js";
import { readScratch, writeScratch, type ScratchBuckets } from "./remote.js";
import { staging, type StagedBuckets, type StagingSpec } from "./staging.js";

registerOpModule(import.meta.url);

/** How rows are assigned to output partitions. */
export type Partitioner =
  | { readonly kind: "hash"; readonly columns: readonly string[] }
  /** Ranges of a sort key; the divisions (N-1 key tuples) are the value of `divisions`. */
  | { readonly kind: "range"; readonly by: readonly string[]; readonly ascending: readonly boolean[]; readonly divisions: Key };

/** Partitions to shuffle. */
export interface ShuffleInput {
  readonly graph: LayeredGraph;
  readonly keys: readonly Key[];
  readonly meta: FrameMeta;
}

/** The shuffled partitions. */
export interface Shuffled {
  readonly graph: LayeredGraph;
  readonly keys: Key[];
  readonly staging: StagingSpec;
}

type PartitionerSpec = { kind: "hash"; columns: readonly string[] } | { kind: "range"; spec: SortSpec };

// On a cluster worker (ctx.scratch) the buckets go worker to worker (./remote.ts).
defineOp("dataframe.shuffle.init", (ctx: OpContext, spec: StagingSpec) => {
  if (!(ctx.scratch && spec.owner)) staging(spec).init();
  return spec.kind;
}, { withContext: true });

defineOp("dataframe.shuffle.split", (ctx: OpContext, _init: unknown, part: Partition, spec: StagingSpec, p: PartitionerSpec, n: number, input: number, divisions?: Cell[][]): StagedBuckets => {
  const buckets = p.kind === "hash" ? hashBuckets(part, p.columns, n) : rangeBuckets(part, p.spec, divisions ?? []);
  if (ctx.scratch && spec.owner) return writeScratch(ctx.scratch, spec.owner, input, n, bucketRows(part, buckets, n));
  return staging(spec).write(input, n, bucketRows(part, buckets, n));
}, { withContext: true });

defineOp("dataframe.shuffle.barrier", (staged: StagedBuckets[]) => staged);
// The barrier owns the buckets on a cluster: it must stay a task of its own.
markUnfusable("dataframe.shuffle.barrier");

defineOp("dataframe.shuffle.collect", (ctx: OpContext, staged: StagedBuckets[], spec: StagingSpec, output: number, meta: FrameMeta): Partition | Promise<Partition> => {
  if (ctx.scratch && spec.owner) return readScratch(ctx.scratch, spec.owner, staged as ScratchBuckets[], output).then((parts) => concatPartitions(parts, meta));
  return concatPartitions(staging(spec).read(staged, output), meta);
}, { withContext: true });

defineOp("dataframe.shuffle.cleanup", (spec: StagingSpec) => {
  staging(spec).dispose();
});

/**
 * Re-partitions `input` into `npartitions` partitions by `partitioner`.
 * @example const { graph, keys } = shuffle(df.toPartitions(), { kind: "hash", columns: ["id"] }, 8, "merge-left");
 */
export function shuffle(input: ShuffleInput, partitioner: Partitioner, npartitions: number, label = "shuffle"): Shuffled {
  const inKeys = input.keys;
  const token = [inKeys, partitioner, npartitions];
  const splitName = makeName(`${label}-split`, ...token);
  const dir = join(config.get().localDirectory ?? tmpdir(), `tusk-shuffle-${splitName.slice(-16)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const initKey = makeKey(makeName(`${label}-init`, ...token));
  const barrierKey = makeKey(makeName(`${label}-barrier`, ...token));
  const spec: StagingSpec = { kind: "disk", dir, owner: barrierKey };
  const collectName = makeName(label, ...token);
  const p: PartitionerSpec = partitioner.kind === "hash"
    ? { kind: "hash", columns: partitioner.columns }
    : { kind: "range", spec: { by: partitioner.by, ascending: partitioner.ascending } };
  const tasks: Task[] = [task(initKey, "dataframe.shuffle.init", lit(spec))];
  const splitKeys = inKeys.map((k, i) => {
    const key = makeKey(splitName, i);
    const args: Arg[] = [ref(initKey), ref(k), lit(spec), lit(p), lit(npartitions), lit(i)];
    if (partitioner.kind === "range") args.push(ref(partitioner.divisions));
    tasks.push(task(key, "dataframe.shuffle.split", ...args));
    return key;
  });
  tasks.push(task(barrierKey, "dataframe.shuffle.barrier", list(splitKeys.map(ref))));
  const keys = Array.from({ length: npartitions }, (_, j) => {
    const key = makeKey(collectName, j);
    tasks.push(task(key, "dataframe.shuffle.collect", ref(barrierKey), lit(spec), lit(j), lit(input.meta)));
    return key;
  });
  const deps = [...new Set([...inKeys.map(keyName), ...(partitioner.kind === "range" ? [keyName(partitioner.divisions)] : [])])];
  const annotations = cleanupAnnotation([{ op: "dataframe.shuffle.cleanup", args: [spec] }], { kind: "shuffle", partitioner: partitioner.kind });
  const graph = LayeredGraph.from(layer(collectName, tasks, deps, annotations), input.graph);
  return { graph, keys, staging: spec };
}
