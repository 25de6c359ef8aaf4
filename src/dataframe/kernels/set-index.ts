/**
 * Kernels of `setIndex` (../verbs/set-index.ts): the [min, max] of the index column in
 * one partition (missing values apart), and a literal value as a task (divisions given
 * by the caller, for the range shuffle).
 */
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { Partition } from "../partition.js";
import { cellsOf, columnData, type Cell } from "./reduce-access.js";
import { cmpCell } from "./sort.js";

registerOpModule(import.meta.url);

/** What one partition's index column spans. */
export interface PartitionBounds {
  /** Smallest and largest non-missing value, or null when the partition has none. */
  readonly min: Cell;
  readonly max: Cell;
  /** Rows whose index is missing (null or NaN). */
  readonly missing: number;
  /** True when the non-missing values are in ascending order in the partition. */
  readonly ascending: boolean;
}

/** The bounds of column `column` in a partition. */
export function partitionBounds(part: Partition, column: string): PartitionBounds {
  const cells = cellsOf(columnData(part, column));
  let min: Cell = null, max: Cell = null, prev: Cell = null, missing = 0, ascending = true;
  for (const c of cells) {
    if (c === null || (typeof c === "number" && c !== c)) { missing++; continue; }
    if (min === null || cmpCell(c, min, true) < 0) min = c;
    if (max === null || cmpCell(c, max, true) > 0) max = c;
    if (prev !== null && cmpCell(prev, c, true) > 0) ascending = false;
    prev = c;
  }
  return { min, max, missing, ascending };
}

defineOp("dataframe.set-index.bounds", partitionBounds);
defineOp("dataframe.set-index.literal", <T>(value: T): T => value);
