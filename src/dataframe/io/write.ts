/**
 * `df.toCSV(dir)` and `df.toParquet(dir)`: one file per partition (`part.0.csv`,
 * `part.1.csv`, … or `part.0.parquet`, …), written by one task per partition (fused
 * with the tasks that make the partition, so a partition goes from its source to its
 * file in one thread). The promise resolves when every file is written, with their
 * paths in partition order. Files `part.N.<ext>` left in the folder by an earlier write
 * with more partitions are removed, so reading the folder back gives this frame.
 *
 * A path with `*` (`out/2024-*.csv`) names the files: `*` becomes the partition number.
 *
 * Differences from danfo: danfo's `toCSV(df, { filePath })` writes one file from memory
 * (or returns a string); here the result is a folder of files, as in Dask.
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ValidationError } from "../../errors.js";
import { TUSK, type Collection, type CollectionSpec } from "../../graph/collection.js";
import { computeOne, type ComputeOptions } from "../../graph/compute.js";
import { LayeredGraph, layer } from "../../graph/graph.js";
import { keyName, makeKey, makeName, type Key } from "../../graph/key.js";
import { lit, ref, task } from "../../graph/task.js";
import type { FrameMeta } from "../meta.js";
import type { CsvWriteOptions } from "./format-csv.js";
import type { WrittenFile } from "./kernels.js";
import "./kernels.js";
import { checkCompression } from "./parquet-write.js";

/** Anything that can hand over its partitions (a DataFrame or Series). */
export interface PartitionedFrame {
  toPartitions(): { graph: LayeredGraph; keys: readonly Key[]; meta: FrameMeta | { name: string; dtype: string } };
}

/** Options of `toCSV`. */
export interface ToCsvOptions extends CsvWriteOptions, ComputeOptions {}

/** Options of `toParquet`. */
export interface ToParquetOptions extends ComputeOptions {
  /** "snappy" (default), "zstd", "gzip", "brotli", "lz4" or "uncompressed". */
  compression?: string;
}

function filePaths(target: string, n: number, ext: string): { dir: string; paths: string[]; stale: RegExp | undefined } {
  if (typeof target !== "string" || target.length === 0) {
    throw new ValidationError(`the output must be a folder (e.g. "out/") or a name pattern with * (e.g. "out/part-*${ext}"), got ${JSON.stringify(target)}`);
  }
  if (target.includes("*")) {
    if (basename(target).split("*").length !== 2) throw new ValidationError(`the file name pattern must hold exactly one *, got ${JSON.stringify(target)}`);
    const dir = resolve(dirname(target));
    return { dir, paths: Array.from({ length: n }, (_, i) => join(dir, basename(target).replace("*", String(i)))), stale: undefined };
  }
  const dir = resolve(target);
  return { dir, paths: Array.from({ length: n }, (_, i) => join(dir, `part.${i}${ext}`)), stale: new RegExp(`^part\\.(\\d+)${ext.replace(".", "\\.")}$`) };
}

async function writeAll(frame: PartitionedFrame, target: string, ext: string, op: string, extra: unknown, options: ComputeOptions): Promise<string[]> {
  const { graph, keys } = frame.toPartitions();
  const { dir, paths, stale } = filePaths(target, keys.length, ext);
  await mkdir(dir, { recursive: true });
  const name = makeName(op === "dataframe.io.write-csv" ? "to-csv" : "to-parquet", keys, paths, extra);
  const tasks = keys.map((k, i) => task(makeKey(name, i), op, ref(k), lit(paths[i]), lit(extra)));
  const g = LayeredGraph.from(layer(name, tasks, [...new Set(keys.map(keyName))]), graph);
  const collection: Collection<WrittenFile[]> = {
    [TUSK]: (): CollectionSpec<WrittenFile[]> => ({
      graph: g,
      keys: tasks.map((t) => t.key),
      finalize: (values) => values as WrittenFile[],
      rebuild: () => collection,
    }),
  };
  const written = await computeOne(collection, options);
  if (stale) {
    for (const f of await readdir(dir)) {
      const m = stale.exec(f);
      if (m && Number(m[1]) >= keys.length) await rm(join(dir, f), { force: true });
    }
  }
  return written.map((w) => w.path);
}

function splitOptions<T extends ComputeOptions>(options: T): { compute: ComputeOptions; rest: Omit<T, keyof ComputeOptions> } {
  const { scheduler, nthreads, memoryLimit, localDirectory, progress, signal, optimize, retries, ...rest } = options;
  const compute: ComputeOptions = { scheduler, nthreads, memoryLimit, localDirectory, progress, signal, optimize, retries };
  for (const k of Object.keys(compute) as (keyof ComputeOptions)[]) if (compute[k] === undefined) delete compute[k];
  return { compute, rest };
}

/** danfo's form: `toCSV(df, { filePath, sep, header })`. */
export interface DanfoCsvOptions extends ToCsvOptions {
  filePath: string;
}

/**
 * Writes one CSV file per partition into `dir`; resolves with the file paths.
 * danfo's form `toCSV(df, { filePath: "out/" })` is accepted (the path is a folder).
 * @example await toCSV(df, "out/");  // out/part.0.csv, out/part.1.csv, …
 */
export async function toCSV(frame: PartitionedFrame, dir: string | DanfoCsvOptions, options: ToCsvOptions = {}): Promise<string[]> {
  if (typeof dir === "object" && dir !== null) {
    const { filePath, ...rest } = dir;
    return toCSV(frame, filePath, { ...rest, ...options });
  }
  const { compute, rest } = splitOptions(options);
  const sep = rest.sep ?? ",";
  if (typeof sep !== "string" || sep.length !== 1) throw new ValidationError(`toCSV: options.sep must be one character, got ${JSON.stringify(sep)}`);
  return writeAll(frame, dir, ".csv", "dataframe.io.write-csv", { sep, header: rest.header ?? true }, compute);
}

/**
 * Writes one Parquet file per partition into `dir`; resolves with the file paths.
 * @example await toParquet(df, "out/"); const back = await tk.readParquet("out/");
 */
export async function toParquet(frame: PartitionedFrame, dir: string, options: ToParquetOptions = {}): Promise<string[]> {
  const { compute, rest } = splitOptions(options);
  const compression = rest.compression ?? "snappy";
  checkCompression(compression);
  return writeAll(frame, dir, ".parquet", "dataframe.io.write-parquet", compression, compute);
}
