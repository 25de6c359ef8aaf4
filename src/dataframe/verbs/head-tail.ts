/**
 * `head(n)` and `tail(n)` read only the partitions they need: the first (last)
 * partition is computed alone; if it has fewer than `n` rows the next 1, 2, 4, …
 * partitions are computed, until `n` rows are found or the frame ends. Each partition
 * task is sliced to at most `n` rows in its worker, so little crosses threads. With
 * filters before them, a head over a selective filter may read many partitions (as in
 * Dask, whose `head` reads one partition and warns; tusk keeps going, so the answer is
 * always danfo's).
 *
 * Row count: `length` is a lazy Scalar (the sum of the partitions' row counts; with a
 * CSV source it must parse the file). danfo's `shape` is a synchronous property; tusk
 * cannot know the rows without computing, so `shape()` returns a promise of
 * `[rows, columns]` (differences from danfo: call it, and await it).
 */
import { TUSK, type Collection } from "../../graph/collection.js";
import { computeOne, type ComputeOptions } from "../../graph/compute.js";
import { ValidationError } from "../../errors.js";
import { layer } from "../../graph/graph.js";
import { makeKey, makeName } from "../../graph/key.js";
import { lit, ref, task } from "../../graph/task.js";
import "../kernels/reduce.js";
import type { Partition } from "../partition.js";
import type { Parts } from "./tree-reduce.js";

/** Checks danfo's rule for `rows`. */
export function checkRows(rows: number, what: string): number {
  if (!Number.isInteger(rows) || rows <= 0) {
    throw new ValidationError(`${what}(rows): rows must be a positive integer (danfo: "Number of rows cannot be less than 1"), got ${rows}`);
  }
  return rows;
}

/** Computes the sliced partitions `indices` (a small collection over the frame's graph). */
function computeSlices(parts: Parts, indices: readonly number[], n: number, options: ComputeOptions): Promise<Partition[]> {
  const name = makeName(n >= 0 ? "head" : "tail", parts.keys, n);
  const tasks = indices.map((i) => task(makeKey(name, i), "dataframe.reduce.slice", ref(parts.keys[i]!), lit(n)));
  const graph = parts.graph.with(layer(name, tasks, [...parts.graph.layers.keys()], { kind: n >= 0 ? "head" : "tail" }));
  const keys = tasks.map((t) => t.key);
  const collection: Collection<Partition[]> = {
    [TUSK]: () => ({
      graph, keys,
      finalize: (values) => values as Partition[],
      rebuild: () => collection,
    }),
  };
  return computeOne(collection, options);
}

/**
 * The first (`rows > 0`) rows of the frame as partitions, reading as few partitions as it can.
 * @example const parts = await headPartitions(df.toPartitions(), 5);
 */
export async function headPartitions(parts: Parts, rows: number, options: ComputeOptions = {}, fromEnd = false): Promise<Partition[]> {
  const total = parts.keys.length;
  const got: Partition[] = [];
  let have = 0;
  let next = 0;
  let wave = 1;
  while (have < rows && next < total) {
    const count = Math.min(wave, total - next);
    const idx = Array.from({ length: count }, (_, j) => (fromEnd ? total - 1 - (next + j) : next + j));
    const slices = await computeSlices(parts, idx, fromEnd ? -(rows - have) : rows - have, options);
    for (const s of slices) {
      if (have >= rows) break;
      const take = Math.min(s.numRows, rows - have);
      const piece = fromEnd ? s.slice(s.numRows - take, s.numRows) : s.slice(0, take);
      if (fromEnd) got.unshift(piece);
      else got.push(piece);
      have += take;
    }
    next += count;
    wave *= 2;
  }
  return got;
}
