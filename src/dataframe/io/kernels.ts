/**
 * Per-partition IO ops (readers and writers), registered by name. This module is an op
 * module: worker threads import it before running tasks (`registerOpModule` below), and
 * it imports `../partition.js` so the partition codec exists in every thread.
 *
 * - `dataframe.io.read-csv`: one byte block of one file → a partition (the CSV parser's
 *   `readCsvBlock`; only the projected columns are converted).
 * - `dataframe.io.read-parquet`: one row group of one file → a partition (parquet-wasm,
 *   only the projected columns are decoded).
 * - `dataframe.io.read-ndjson`: one byte block of a line-delimited JSON file.
 * - `dataframe.io.write-csv` / `dataframe.io.write-parquet`: a partition → one file.
 *
 * Warnings of `onBadLines: "warn"` are printed by the thread that parsed the block
 * (to stderr, at most {@link MAX_WARNINGS} lines per block plus a count of the rest).
 */
import { openAsBlob } from "node:fs";
import { mkdir, open, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { tableFromIPC, type Table } from "apache-arrow";
import { MetadataMismatchError, ValidationError } from "../../errors.js";
import { defineOp, registerOpModule } from "../../graph/ops.js";
import type { FrameMeta } from "../meta.js";
import { makePartition, type ColumnData, type Partition } from "../partition.js";
import { arrowDataToColumn, concatColumns } from "./arrow-columns.js";
import { readCsvBlock, type CsvBlock, type CsvOptions, type CsvSchema } from "./csv/index.js";
import { formatCsvPartition, type CsvWriteOptions } from "./format-csv.js";
import { parseNdjsonBlock } from "./ndjson.js";
import { loadParquetWasm, partitionToParquet, type ParquetWasm } from "./parquet-write.js";

registerOpModule(import.meta.url);

/** Bad-line warnings printed per block; the rest are counted. */
export const MAX_WARNINGS = 10;

function printWarnings(path: string, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const shown = warnings.slice(0, MAX_WARNINGS);
  const more = warnings.length - shown.length;
  console.warn(shown.join("\n") + (more > 0 ? `\n… and ${more} more bad lines skipped in ${path}` : ""));
}

/** Arguments of a CSV read task. */
export interface CsvReadArgs {
  readonly path: string;
  readonly block: CsvBlock;
  readonly schema: CsvSchema;
  readonly options: CsvOptions;
}

defineOp("dataframe.io.read-csv", async (a: CsvReadArgs, meta: FrameMeta): Promise<Partition> => {
  const parsed = await readCsvBlock(a.path, a.block, a.schema, a.options);
  printWarnings(a.path, parsed.warnings);
  parsed.data.forEach((col, i) => {
    const want = meta.columns[i]!;
    if (col.dtype !== want.dtype) {
      throw new MetadataMismatchError(
        `${a.path}: column ${JSON.stringify(want.name)} was read as ${want.dtype} (inferred from the first MiB of the file) ` +
          `but the rows from line ${parsed.firstLine} on hold ${col.dtype === "float64" ? "numbers that are not int32" : `${col.dtype} values`}. ` +
          `Pass the dtype: readCSV(path, { dtypes: { ${JSON.stringify(want.name)}: "${col.dtype}" } })`,
        { code: "ERR_CSV_DTYPE_MISMATCH" },
      );
    }
  });
  return makePartition(meta, parsed.data as ColumnData[], parsed.nrows);
});

/** Arguments of a Parquet read task. */
export interface ParquetReadArgs {
  readonly path: string;
  readonly rowGroup: number;
  /** Columns of the file to decode (names in the file). */
  readonly columns: readonly string[];
  readonly numRows: number;
}


const openFiles = new Map<string, ReturnType<ParquetWasm["ParquetFile"]["fromFile"]>>();

/** Reads some columns of one row group of a Parquet file as an Arrow table (one batch). */
export async function readRowGroup(path: string, rowGroup: number, columns: readonly string[]): Promise<Table> {
  const pw = await loadParquetWasm();
  let file = openFiles.get(path);
  if (!file) {
    if (openFiles.size > 16) openFiles.delete(openFiles.keys().next().value!);
    file = openAsBlob(path).then((blob) => pw.ParquetFile.fromFile(blob));
    openFiles.set(path, file);
  }
  let f;
  try {
    f = await file;
  } catch (error) {
    openFiles.delete(path);
    throw new ValidationError(`${path}: not a readable Parquet file (${String(error)})`, { cause: error });
  }
  const wasmTable = await f.read({ rowGroups: [rowGroup], columns: [...columns], batchSize: 1 << 30 });
  return tableFromIPC(wasmTable.intoIPCStream());
}

defineOp("dataframe.io.read-parquet", async (a: ParquetReadArgs, meta: FrameMeta): Promise<Partition> => {
  if (meta.columns.length === 0) return makePartition(meta, [], a.numRows);
  const table = await readRowGroup(a.path, a.rowGroup, a.columns);
  const cols = meta.columns.map((c, j) => {
    const vector = table.getChild(a.columns[j]!);
    if (!vector) throw new MetadataMismatchError(`${a.path}: row group ${a.rowGroup} has no column ${JSON.stringify(a.columns[j])}`);
    const parts = vector.data.map((d) => arrowDataToColumn(d, c.dtype, c.name));
    return parts.length === 0 ? arrowDataToColumn(vector.data[0]!, c.dtype, c.name) : concatColumns(parts, c.dtype);
  });
  return makePartition(meta, cols, table.numRows);
});

/** Arguments of an NDJSON read task. */
export interface NdjsonReadArgs {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

defineOp("dataframe.io.read-ndjson", async (a: NdjsonReadArgs, meta: FrameMeta): Promise<Partition> => {
  const { columns, nrows } = await parseNdjsonBlock(a.path, a.start, a.end, meta);
  return makePartition(meta, columns, nrows);
});

/** What a writer task returns. */
export interface WrittenFile {
  readonly path: string;
  readonly rows: number;
  readonly bytes: number;
}

defineOp("dataframe.io.write-csv", async (part: Partition, path: string, options: CsvWriteOptions): Promise<WrittenFile> => {
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, "w");
  let bytes = 0;
  try {
    for (const chunk of formatCsvPartition(part, options)) {
      const b = Buffer.from(chunk, "utf8");
      await fh.write(b);
      bytes += b.byteLength;
    }
  } finally {
    await fh.close();
  }
  return { path, rows: part.numRows, bytes };
});

defineOp("dataframe.io.write-parquet", async (part: Partition, path: string, compression: string): Promise<WrittenFile> => {
  const bytes = await partitionToParquet(part, compression);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return { path, rows: part.numRows, bytes: bytes.byteLength };
});
