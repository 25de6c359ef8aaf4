/**
 * `tk.readCSV(pathOrGlobOrList, options)`: a lazy DataFrame over CSV files.
 *
 * At call time (in the caller, once): paths and globs are expanded (a missing file is
 * an error naming it), every file's header and first MiB are sniffed for names and
 * dtypes (the files must have the same columns; dtypes are unified: int32 with float64
 * gives float64, other disagreements give string), and each file is planned as byte
 * blocks of `blocksize` (default 64 MB). Nothing else is read.
 *
 * Each block is one partition, parsed in a task by the CSV parser (`readCsvBlock`)
 * straight from bytes into typed columns; the task reads the block's bytes itself, so
 * only paths and offsets travel to worker threads. The optimizer tells the source which
 * columns a computation uses, and only those are converted (projection pushdown).
 *
 * Differences from danfo: lazy (compute() returns danfo objects); options are
 * pandas/Dask-style (`delimiter`, `header`, `dtypes`, `usecols`, `onBadLines`,
 * `blocksize`) instead of Papa Parse's config; numbers are parsed exactly (the double
 * `Number(text)` gives) and stored as float64/int32; ISO dates become datetimes.
 */
import { availableParallelism } from "node:os";
import { ValidationError } from "../../errors.js";
import { DataFrame } from "../frame.js";
import { config } from "../../graph/config.js";
import { warmPool } from "../../graph/local/pool.js";
import { opModulesFor } from "../../graph/ops.js";
import { makeKey, makeName, type Key } from "../../graph/key.js";
import { parseBytes } from "../../graph/sizes.js";
import { lit, task, type Task } from "../../graph/task.js";
import type { SourceExpr } from "../expr/frame-expr.js";
import { parseDtype, type ColumnMeta, type Dtype, type FrameMeta } from "../meta.js";
import { CsvParseError, planBlocks, sniffCsv, type CsvDtype, type CsvOptions, type CsvSchema } from "./csv/index.js";
import type { CsvReadArgs } from "./kernels.js";
import "./kernels.js";
import { expandPaths, type InputFile } from "./paths.js";

/** Options of `tk.readCSV`. */
export interface ReadCsvOptions {
  /** Field separator, one ASCII character (default ","). danfo's `sep` is accepted too. */
  delimiter?: string;
  sep?: string;
  /** The first line holds column names (default true); if false, columns are "0", "1", … */
  header?: boolean;
  /** Dtypes of some columns ("float32"/"float64", "int32", "string", "boolean", "datetime"), overriding inference. */
  dtypes?: Record<string, string>;
  /** Only these columns are read. */
  usecols?: readonly string[];
  /** A line with the wrong number of fields: "error" (default; names file and line), "skip", or "warn" (printed by the thread that parsed it). */
  onBadLines?: "error" | "skip" | "warn";
  /**
   * Bytes per partition: a number or a string like "64MB". Default: 64 MB, or less when
   * the files are small, so that there are at least two blocks per core (of at least
   * 1 MB each): a 140 MB file on 2 cores is read as 4 blocks, not 3 uneven rounds.
   */
  blocksize?: number | string;
}

/** What a CSV source knows at call time. */
interface CsvFilePlan {
  readonly file: InputFile;
  readonly schema: CsvSchema;
  readonly blocks: ReadonlyArray<{ start: number; end: number }>;
}

const DEFAULT_BLOCKSIZE = 64_000_000;
const MIN_AUTO_BLOCKSIZE = 1_000_000;

/** 64 MB, or smaller so that `total` bytes make at least two blocks per local core. */
export function defaultBlocksize(total: number, cores = availableParallelism()): number {
  return Math.min(DEFAULT_BLOCKSIZE, Math.max(MIN_AUTO_BLOCKSIZE, Math.ceil(total / (2 * cores))));
}

function unifyDtype(a: CsvDtype, b: CsvDtype): CsvDtype {
  if (a === b) return a;
  if ((a === "int32" && b === "float64") || (a === "float64" && b === "int32")) return "float64";
  return "string";
}

function toCsvDtype(d: Dtype): CsvDtype {
  return d;
}

function rethrow(error: unknown, path: string): never {
  if (error instanceof CsvParseError) {
    throw new ValidationError(error.message.includes(path) || error.file ? error.message : `${path}: ${error.message}`, { code: error.code, cause: error });
  }
  throw error;
}

/**
 * With the threads scheduler (the default), starts the thread pool and has it import
 * the CSV kernels while this thread sniffs the files and the caller builds its graph
 * (the threads' start-up then overlaps that work instead of following it).
 */
function warmThreads(): void {
  const { scheduler, nthreads } = config.get();
  if (scheduler === "threads") void warmPool(nthreads, opModulesFor([{ op: "dataframe.io.read-csv", args: [] }]));
}

/**
 * The SourceExpr of CSV files (exported for tests and for readers built on it).
 * @example const source = await csvSource("data/*.csv", { blocksize: "16MB" });
 */
export async function csvSource(input: string | readonly string[], options: ReadCsvOptions = {}): Promise<SourceExpr> {
  const { delimiter, sep, header, dtypes, usecols, onBadLines } = options;
  if (delimiter !== undefined && sep !== undefined && delimiter !== sep) {
    throw new ValidationError(`readCSV: pass either delimiter or sep, not both (got ${JSON.stringify(delimiter)} and ${JSON.stringify(sep)})`);
  }
  if (onBadLines !== undefined && !["error", "skip", "warn"].includes(onBadLines)) {
    throw new ValidationError(`readCSV: options.onBadLines must be "error", "skip" or "warn", got ${JSON.stringify(onBadLines)}`);
  }
  const given = options.blocksize === undefined ? undefined : parseBytes(options.blocksize, "readCSV: options.blocksize");
  if (given !== undefined && given < 1) throw new ValidationError(`readCSV: options.blocksize must be at least 1 byte, got ${options.blocksize}`);
  const csvDtypes: Record<string, CsvDtype> | undefined = dtypes === undefined ? undefined
    : Object.fromEntries(Object.entries(dtypes).map(([k, v]) => [k, toCsvDtype(parseDtype(v, `readCSV: options.dtypes[${JSON.stringify(k)}]`))]));
  const parseOptions: CsvOptions = {
    delimiter: delimiter ?? sep ?? ",",
    header: header ?? true,
    onBadLines: onBadLines ?? "error",
  };
  warmThreads();
  const files = await expandPaths(input, "readCSV", ".csv");
  const blocksize = given ?? defaultBlocksize(files.reduce((n, f) => n + f.size, 0));
  const schemas = await Promise.all(files.map(async (f) => {
    try {
      return await sniffCsv(f.path, { ...parseOptions, dtypes: csvDtypes });
    } catch (error) {
      return rethrow(error, f.path);
    }
  }));
  const first = schemas[0]!;
  schemas.forEach((s, k) => {
    if (s.columns.length !== first.columns.length || s.columns.some((c, j) => c !== first.columns[j])) {
      throw new ValidationError(
        `readCSV: ${files[k]!.path} has columns ${JSON.stringify(s.columns)} but ${files[0]!.path} has ${JSON.stringify(first.columns)}; ` +
          `all files of one readCSV must have the same header (read them separately and use tk.concat)`,
        { code: "ERR_CSV_SCHEMA_MISMATCH" },
      );
    }
  });
  const unified = first.dtypes.map((d, j) => schemas.reduce((acc, s) => unifyDtype(acc, s.dtypes[j]!), d));
  if (usecols !== undefined) {
    const missing = usecols.filter((c) => !first.columns.includes(c));
    if (missing.length > 0) {
      throw new ValidationError(`readCSV: options.usecols names columns the file does not have: ${missing.map((c) => JSON.stringify(c)).join(", ")}; the columns are ${first.columns.map((c) => JSON.stringify(c)).join(", ")}`, { code: "ERR_UNKNOWN_COLUMN" });
    }
  }
  const keep = usecols === undefined ? undefined : new Set(usecols);
  const meta: FrameMeta = {
    columns: first.columns.flatMap((name, j): ColumnMeta[] => (keep && !keep.has(name) ? [] : [{ name, dtype: unified[j]! }])),
  };
  const plans: CsvFilePlan[] = files.map((file, k) => ({
    file,
    schema: { columns: first.columns, dtypes: unified, headerBytes: schemas[k]!.headerBytes },
    blocks: planBlocks(file.size, blocksize),
  }));
  const npartitions = plans.reduce((n, p) => n + p.blocks.length, 0);
  const token = [files.map((f) => [f.path, f.size, f.mtimeMs]), parseOptions, unified, blocksize];
  return {
    kind: "source",
    name: "read-csv",
    meta,
    npartitions,
    token,
    lower(columns: readonly string[]): { tasks: Task[]; keys: Key[] } {
      const colMeta: FrameMeta = { columns: columns.map((c) => meta.columns.find((m) => m.name === c)!) };
      const name = makeName("read-csv", token, columns);
      const tasks: Task[] = [];
      for (const plan of plans) {
        plan.blocks.forEach((b) => {
          const args: CsvReadArgs = {
            path: plan.file.path,
            block: { start: b.start, end: b.end, index: tasks.length },
            schema: plan.schema,
            options: { ...parseOptions, usecols: [...columns] },
          };
          tasks.push(task(makeKey(name, tasks.length), "dataframe.io.read-csv", lit(args), lit(colMeta)));
        });
      }
      return { tasks, keys: tasks.map((t) => t.key) };
    },
  };
}

/**
 * Reads CSV files lazily: one partition per byte block (default 64 MB) of each file.
 * Rejects at call time for a missing file (naming it) or bad options; a malformed line
 * fails the computation with an error naming the file and line (unless `onBadLines`).
 * @example
 * const df = await tk.readCSV("data/*.csv", { blocksize: "64MB", dtypes: { id: "int32" } });
 * const out = await df.groupby(["vendor"]).agg({ fare: "mean" }).compute();
 */
export async function readCSV(input: string | readonly string[], options: ReadCsvOptions = {}): Promise<DataFrame> {
  return DataFrame.fromSource(await csvSource(input, options));
}
