/**
 * `tk.readParquet(pathOrGlob, options)`: a lazy DataFrame over Parquet files
 * (parquet-wasm). Each row group of each file is one partition; a task decodes only
 * the columns the computation uses. At call time only the footers are read (schema,
 * row groups, row counts: so partition lengths are known without reading data).
 *
 * Types: floats → float64; 8/16/32-bit integers → int32; **Int64/UInt64 → int32 when
 * every value fits in int32, else float64** (exact up to 2^53). parquet-wasm exposes no
 * column statistics, so with the default `int64: "auto"` the Int64 columns (only they)
 * are read once at call time to check their range; pass `int64: "float64"` to skip that
 * scan. Timestamps and dates → datetime (ms); strings (also large/dictionary) → string;
 * booleans → boolean. A directory stands for its `*.parquet` files (what `toParquet`
 * writes).
 */
import { tableFromIPC } from "apache-arrow";
import { ValidationError } from "../../errors.js";
import { DataFrame } from "../frame.js";
import { makeKey, makeName, type Key } from "../../graph/key.js";
import { lit, task, type Task } from "../../graph/task.js";
import type { SourceExpr } from "../expr/frame-expr.js";
import { parseDtype, type ColumnMeta, type Dtype, type FrameMeta } from "../meta.js";
import { fieldDtype } from "../partition.js";
import { int64FitsInt32 } from "./arrow-columns.js";
import { readRowGroup, type ParquetReadArgs } from "./kernels.js";
import { loadParquetWasm } from "./parquet-write.js";
import { expandPaths } from "./paths.js";
import { openAsBlob } from "node:fs";

/** Options of `tk.readParquet`. */
export interface ReadParquetOptions {
  /** Only these columns are read. */
  columns?: readonly string[];
  /** How Int64 columns are stored: "auto" (int32 when all values fit, else float64; default) or "float64". */
  int64?: "auto" | "float64";
  /** Dtype overrides (e.g. { id: "float64" }). */
  dtypes?: Record<string, string>;
}

interface FileInfo {
  path: string;
  rowGroups: number[];
  fields: Array<{ name: string; type: string; dtype: Dtype }>;
}

async function readFooter(path: string): Promise<FileInfo> {
  const pw = await loadParquetWasm();
  let file;
  try {
    file = await pw.ParquetFile.fromFile(await openAsBlob(path));
  } catch (error) {
    throw new ValidationError(`readParquet: ${path} is not a Parquet file (${String(error)})`, { code: "ERR_PARQUET_INVALID", cause: error });
  }
  const md = file.metadata();
  const rowGroups = md.rowGroups().map((g) => g.numRows());
  const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
  const fields = schema.fields.map((f) => ({ name: f.name, type: String(f.type), dtype: fieldDtype(f) }));
  file.free();
  return { path, rowGroups, fields };
}

/**
 * The SourceExpr of Parquet files (exported for tests).
 * @example const source = await parquetSource("out/*.parquet");
 */
export async function parquetSource(input: string | readonly string[], options: ReadParquetOptions = {}): Promise<SourceExpr> {
  const int64 = options.int64 ?? "auto";
  if (int64 !== "auto" && int64 !== "float64") throw new ValidationError(`readParquet: options.int64 must be "auto" or "float64", got ${JSON.stringify(int64)}`);
  const files = await expandPaths(input, "readParquet", ".parquet");
  const infos = await Promise.all(files.map((f) => readFooter(f.path)));
  const first = infos[0]!;
  for (const info of infos) {
    const a = info.fields.map((f) => f.name).join("\u0000");
    if (a !== first.fields.map((f) => f.name).join("\u0000")) {
      throw new ValidationError(`readParquet: ${info.path} has columns ${JSON.stringify(info.fields.map((f) => f.name))} but ${first.path} has ${JSON.stringify(first.fields.map((f) => f.name))}; read them separately and use tk.concat`, { code: "ERR_PARQUET_SCHEMA_MISMATCH" });
    }
  }
  const names = first.fields.map((f) => f.name);
  const wanted = options.columns ?? names;
  const missing = wanted.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new ValidationError(`readParquet: options.columns names columns the file does not have: ${missing.map((c) => JSON.stringify(c)).join(", ")}; the columns are ${names.map((c) => JSON.stringify(c)).join(", ")}`, { code: "ERR_UNKNOWN_COLUMN" });
  }
  const overrides = options.dtypes ?? {};
  for (const k of Object.keys(overrides)) if (!names.includes(k)) throw new ValidationError(`readParquet: options.dtypes names a column the file does not have: ${JSON.stringify(k)}`, { code: "ERR_UNKNOWN_COLUMN" });
  const columns: ColumnMeta[] = [];
  for (const name of names.filter((n) => wanted.includes(n))) {
    const j = names.indexOf(name);
    let dtype: Dtype = first.fields[j]!.dtype;
    const isInt64 = infos.some((i) => /^U?Int64$/.test(i.fields[j]!.type));
    const isFloat = infos.some((i) => i.fields[j]!.dtype === "float64" && !/Int64$/.test(i.fields[j]!.type));
    if (Object.hasOwn(overrides, name)) dtype = parseDtype(overrides[name]!, `readParquet: options.dtypes[${JSON.stringify(name)}]`);
    else if (isInt64 && !isFloat && int64 === "auto") dtype = (await int64ColumnFits(infos, name)) ? "int32" : "float64";
    columns.push({ name, dtype });
  }
  const meta: FrameMeta = { columns };
  const parts = infos.flatMap((info) => info.rowGroups.map((numRows, rowGroup) => ({ path: info.path, rowGroup, numRows })));
  const token = [files.map((f) => [f.path, f.size, f.mtimeMs]), meta];
  return {
    kind: "source",
    name: "read-parquet",
    meta,
    npartitions: parts.length,
    token,
    lengths: parts.map((p) => p.numRows),
    lower(cols: readonly string[]): { tasks: Task[]; keys: Key[] } {
      const colMeta: FrameMeta = { columns: cols.map((c) => meta.columns.find((m) => m.name === c)!) };
      const name = makeName("read-parquet", token, cols);
      const tasks = parts.map((p, i) => {
        const args: ParquetReadArgs = { path: p.path, rowGroup: p.rowGroup, columns: [...cols], numRows: p.numRows };
        return task(makeKey(name, i), "dataframe.io.read-parquet", lit(args), lit(colMeta));
      });
      return { tasks, keys: tasks.map((t) => t.key) };
    },
  };
}

/** Reads one Int64 column of every row group and tells whether all values fit in int32. */
async function int64ColumnFits(infos: readonly FileInfo[], name: string): Promise<boolean> {
  for (const info of infos) {
    for (let g = 0; g < info.rowGroups.length; g++) {
      const table = await readRowGroup(info.path, g, [name]);
      for (const d of table.getChild(name)?.data ?? []) {
        const values = (d.values as BigInt64Array).subarray(d.offset, d.offset + d.length);
        const validity = d.nullCount > 0 && d.nullBitmap && d.offset % 8 === 0 ? d.nullBitmap.subarray(d.offset >> 3) : null;
        if (!int64FitsInt32(values, validity)) return false;
      }
    }
  }
  return true;
}

/**
 * Reads Parquet files lazily: one partition per row group.
 * @example
 * const df = await tk.readParquet("out/*.parquet", { columns: ["origin", "delay"] });
 */
export async function readParquet(input: string | readonly string[], options: ReadParquetOptions = {}): Promise<DataFrame> {
  return DataFrame.fromSource(await parquetSource(input, options));
}
