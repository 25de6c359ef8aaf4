/**
 * `tk.readJSON(pathOrGlob, options)` for line-delimited JSON (NDJSON, one object per
 * line): byte blocks (default 64 MB) cut at newlines, one partition each, parsed in a
 * task. Columns and dtypes come from the first MiB of the first file (see ./ndjson.ts).
 *
 * Differences from danfo: only line-delimited JSON is chunked (danfo's `readJSON` reads
 * one JSON array); a file holding one JSON array is an error that says to use danfo's
 * `readJSON` for small files or convert to NDJSON.
 */
import { open } from "node:fs/promises";
import { ValidationError } from "../../errors.js";
import { DataFrame } from "../frame.js";
import { makeKey, makeName, type Key } from "../../graph/key.js";
import { parseBytes } from "../../graph/sizes.js";
import { lit, task, type Task } from "../../graph/task.js";
import type { SourceExpr } from "../expr/frame-expr.js";
import { parseDtype, type FrameMeta } from "../meta.js";
import type { NdjsonReadArgs } from "./kernels.js";
import "./kernels.js";
import { sniffNdjson } from "./ndjson.js";
import { expandPaths } from "./paths.js";

/** Options of `tk.readJSON`. */
export interface ReadJsonOptions {
  /** Bytes per partition (default "64MB"). */
  blocksize?: number | string;
  /** Dtype overrides. */
  dtypes?: Record<string, string>;
  /** Must be true or absent: only line-delimited JSON is supported. */
  lines?: boolean;
}

async function firstByte(path: string): Promise<number | undefined> {
  const fh = await open(path, "r");
  try {
    const b = new Uint8Array(64);
    const { bytesRead } = await fh.read(b, 0, 64, 0);
    for (let i = 0; i < bytesRead; i++) if (b[i] !== 32 && b[i] !== 9 && b[i] !== 10 && b[i] !== 13 && b[i] !== 0xef && b[i] !== 0xbb && b[i] !== 0xbf) return b[i];
    return undefined;
  } finally {
    await fh.close();
  }
}

/**
 * The SourceExpr of NDJSON files (exported for tests).
 * @example const source = await ndjsonSource("logs/*.jsonl");
 */
export async function ndjsonSource(input: string | readonly string[], options: ReadJsonOptions = {}): Promise<SourceExpr> {
  if (options.lines === false) throw new ValidationError("readJSON: only line-delimited JSON (one object per line) can be read in partitions; for a small JSON array file use danfo's dfd.readJSON and tk.fromDanfo");
  const blocksize = parseBytes(options.blocksize ?? 64_000_000, "readJSON: options.blocksize");
  if (blocksize < 1) throw new ValidationError(`readJSON: options.blocksize must be at least 1 byte, got ${options.blocksize}`);
  const files = await expandPaths(input, "readJSON", ".json");
  if ((await firstByte(files[0]!.path)) === 0x5b) {
    throw new ValidationError(`readJSON: ${files[0]!.path} holds a JSON array; tk.readJSON reads line-delimited JSON (one object per line). Convert it (e.g. jq -c '.[]' file.json > file.jsonl) or, if it is small, use dfd.readJSON and tk.fromDanfo`, { code: "ERR_JSON_NOT_NDJSON" });
  }
  const sniffed = await sniffNdjson(files[0]!.path);
  const over = options.dtypes ?? {};
  for (const k of Object.keys(over)) if (!sniffed.columns.some((c) => c.name === k)) throw new ValidationError(`readJSON: options.dtypes names a column not in the first MiB of ${files[0]!.path}: ${JSON.stringify(k)}; columns: ${sniffed.columns.map((c) => JSON.stringify(c.name)).join(", ")}`, { code: "ERR_UNKNOWN_COLUMN" });
  const meta: FrameMeta = { columns: sniffed.columns.map((c) => (Object.hasOwn(over, c.name) ? { name: c.name, dtype: parseDtype(over[c.name]!, `readJSON: options.dtypes[${JSON.stringify(c.name)}]`) } : c)) };
  const blocks = files.flatMap((f) => {
    const n = Math.max(1, Math.ceil(f.size / blocksize));
    return Array.from({ length: n }, (_, i) => ({ path: f.path, start: Math.round((i * f.size) / n), end: Math.round(((i + 1) * f.size) / n) }));
  });
  const token = [files.map((f) => [f.path, f.size, f.mtimeMs]), meta, blocksize];
  return {
    kind: "source",
    name: "read-json",
    meta,
    npartitions: blocks.length,
    token,
    lower(cols: readonly string[]): { tasks: Task[]; keys: Key[] } {
      const colMeta: FrameMeta = { columns: cols.map((c) => meta.columns.find((m) => m.name === c)!) };
      const name = makeName("read-json", token, cols);
      const tasks = blocks.map((b, i) => {
        const args: NdjsonReadArgs = { path: b.path, start: b.start, end: b.end };
        return task(makeKey(name, i), "dataframe.io.read-ndjson", lit(args), lit(colMeta));
      });
      return { tasks, keys: tasks.map((t) => t.key) };
    },
  };
}

/**
 * Reads line-delimited JSON files lazily: one partition per byte block.
 * @example
 * const df = await tk.readJSON("logs/*.jsonl");
 */
export async function readJSON(input: string | readonly string[], options: ReadJsonOptions = {}): Promise<DataFrame> {
  return DataFrame.fromSource(await ndjsonSource(input, options));
}
