/**
 * A partition as Parquet bytes (parquet-wasm): the batch goes through Arrow IPC into
 * wasm memory and is written as one row group. Datetime columns (float64 ms in tusk)
 * are written as Timestamp(ms, UTC-naive) so pandas, DuckDB and Polars see datetimes;
 * strings stay dictionary-encoded.
 */
import {
  Dictionary, Field, Int32, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8, makeData, tableToIPC, type Data,
} from "apache-arrow";
import { ValidationError } from "../../errors.js";
import { readColumn, type Partition } from "../partition.js";

/** The parquet-wasm module (Node build). */
export type ParquetWasm = typeof import("parquet-wasm/node");
let parquetWasm: Promise<ParquetWasm> | undefined;
/** parquet-wasm, loaded on first use (its wasm takes ~100 ms to instantiate). */
export function loadParquetWasm(): Promise<ParquetWasm> {
  parquetWasm ??= import("parquet-wasm/node");
  return parquetWasm;
}

const COMPRESSIONS = ["uncompressed", "snappy", "gzip", "brotli", "lz4", "zstd"] as const;

/** Checks a compression name at the public boundary. */
export function checkCompression(name: string): void {
  if (!(COMPRESSIONS as readonly string[]).includes(name)) {
    throw new ValidationError(`compression must be one of ${COMPRESSIONS.join(", ")}, got ${JSON.stringify(name)}`);
  }
}

/**
 * The batch as it goes to IPC: datetimes as Timestamp(ms), and each dictionary column
 * with its own dictionary id (partitions may share one Dictionary type between string
 * columns, which IPC rejects: "two different dictionaries with the same Id").
 */
function forIpc(part: Partition): Partition {
  const fields = part.schema.fields;
  const outFields: Field[] = [];
  const children: Data[] = [];
  fields.forEach((f, j) => {
    const child = part.data.children[j]!;
    const dtype = f.metadata.get("tusk.dtype");
    if (dtype === "datetime") {
      const col = readColumn(part, j);
      const ms = (col as { values: Float64Array }).values;
      const big = new BigInt64Array(ms.length);
      for (let i = 0; i < ms.length; i++) big[i] = Number.isFinite(ms[i]!) ? BigInt(Math.round(ms[i]!)) : 0n;
      const type = new TimestampMillisecond();
      outFields.push(new Field(f.name, type, true, f.metadata));
      children.push(makeData({ type, length: part.numRows, nullCount: col.nullCount, data: big as never, nullBitmap: col.validity ?? undefined }));
    } else if (String(child.type).startsWith("Dictionary")) {
      const type = new Dictionary(new Utf8(), new Int32());
      outFields.push(new Field(f.name, type, true, f.metadata));
      children.push(child.clone(type as never));
    } else {
      outFields.push(f);
      children.push(child);
    }
  });
  const schema = new Schema(outFields);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: part.numRows, nullCount: 0, children }));
}

/** Parquet bytes of a partition. */
export async function partitionToParquet(part: Partition, compression = "snappy"): Promise<Uint8Array> {
  checkCompression(compression);
  const pw = await loadParquetWasm();
  const ipc = tableToIPC(new Table(forIpc(part)), "stream");
  const table = pw.Table.fromIPCStream(ipc);
  const codes: Record<string, number> = {
    uncompressed: pw.Compression.UNCOMPRESSED, snappy: pw.Compression.SNAPPY, gzip: pw.Compression.GZIP,
    brotli: pw.Compression.BROTLI, lz4: pw.Compression.LZ4_RAW, zstd: pw.Compression.ZSTD,
  };
  const props = new pw.WriterPropertiesBuilder().setCompression(codes[compression]!).build();
  return pw.writeParquet(table, props);
}
