/**
 * Line-delimited JSON (NDJSON): one object per line. A file is split into byte blocks;
 * a block owns the lines that start inside it (a line starts at byte 0 or after an LF),
 * so blocks are cut at newlines and every line is read once. The schema comes from the
 * first MiB: columns in first-seen order; a column whose values are all integers in
 * int32 range is int32, all numbers float64, all booleans boolean, anything else
 * string (non-string values as their JSON text); null and missing keys are nulls.
 */
import { open, type FileHandle } from "node:fs/promises";
import { ValidationError } from "../../errors.js";
import type { ColumnMeta, Dtype, FrameMeta } from "../meta.js";
import { fromValues, type ColumnData } from "../partition.js";

const SAMPLE_BYTES = 1 << 20;
const LF = 10;

async function readRange(fh: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const buf = new Uint8Array(Math.max(0, end - start));
  let off = 0;
  while (off < buf.length) {
    const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return buf.subarray(0, off);
}

function countLf(b: Uint8Array): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let n = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

function parseLine(text: string, path: string, line: number): Record<string, unknown> | undefined {
  const t = text.trim();
  if (t.length === 0) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (error) {
    throw new ValidationError(`${path}:${line}: not valid JSON (${(error as Error).message}); each line of an NDJSON file must hold one JSON object`, { code: "ERR_JSON_BAD_LINE", cause: error });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ValidationError(`${path}:${line}: expected a JSON object per line, got ${Array.isArray(v) ? "an array" : JSON.stringify(v)}`, { code: "ERR_JSON_BAD_LINE" });
  }
  return v as Record<string, unknown>;
}

function kindOf(v: unknown): Dtype | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number") return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? "int32" : "float64";
  if (typeof v === "boolean") return "boolean";
  return "string";
}

function unify(a: Dtype | undefined, b: Dtype | undefined): Dtype | undefined {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  if ((a === "int32" && b === "float64") || (a === "float64" && b === "int32")) return "float64";
  return "string";
}

/** Columns and dtypes of an NDJSON file from its first MiB. */
export async function sniffNdjson(path: string): Promise<FrameMeta> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const bytes = await readRange(fh, 0, Math.min(size, SAMPLE_BYTES));
    let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    if (bytes.length < size) text = text.slice(0, text.lastIndexOf("\n") + 1);
    const kinds = new Map<string, Dtype | undefined>();
    text.split("\n").forEach((l, i) => {
      const row = parseLine(l, path, i + 1);
      if (!row) return;
      for (const [k, v] of Object.entries(row)) kinds.set(k, unify(kinds.get(k), kindOf(v)));
    });
    return { columns: [...kinds].map(([name, d]): ColumnMeta => ({ name, dtype: d ?? "float64" })) };
  } finally {
    await fh.close();
  }
}

function convert(v: unknown, dtype: Dtype, name: string, path: string, line: number): unknown {
  if (v === null || v === undefined) return null;
  switch (dtype) {
    case "string": return typeof v === "string" ? v : JSON.stringify(v);
    case "boolean":
      if (typeof v === "boolean") return v;
      break;
    case "int32":
      if (typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
      break;
    case "float64":
      if (typeof v === "number") return v;
      break;
    case "datetime": {
      const ms = typeof v === "number" ? v : Date.parse(String(v));
      if (!Number.isNaN(ms)) return ms;
      break;
    }
  }
  throw new ValidationError(
    `${path}:${line}: column ${JSON.stringify(name)} holds ${JSON.stringify(v)}, which is not ${dtype} (inferred from the first MiB of the file); ` +
      `pass readJSON(path, { dtypes: { ${JSON.stringify(name)}: "${dtype === "int32" ? "float64" : "string"}" } })`,
    { code: "ERR_JSON_DTYPE" },
  );
}

/** The rows of byte block [start, end) of an NDJSON file as columns of `meta`. */
export async function parseNdjsonBlock(path: string, start: number, end: number, meta: FrameMeta): Promise<{ columns: ColumnData[]; nrows: number }> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    // A line starts in the block when its first byte is in [start, end).
    let from = start;
    let linesBefore = 0;
    if (start > 0) {
      const head = await readRange(fh, 0, start);
      linesBefore = countLf(head);
      if (head[start - 1] !== LF) {
        const nl = await findLf(fh, start, size);
        from = nl < 0 ? size : nl + 1;
        if (from < size) linesBefore++;
      }
    }
    let to = end;
    if (end < size) {
      const nl = await findLf(fh, Math.max(end - 1, from), size);
      to = nl < 0 ? size : nl + 1;
    } else to = size;
    if (from >= end || from >= to) return { columns: meta.columns.map((c) => fromValues(c.dtype, [])), nrows: 0 };
    const bytes = await readRange(fh, from, to);
    const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8").split("\n");
    const cols: unknown[][] = meta.columns.map(() => []);
    let nrows = 0;
    lines.forEach((l, i) => {
      const line = linesBefore + i + 1;
      const row = parseLine(l, path, line);
      if (!row) return;
      meta.columns.forEach((c, j) => cols[j]!.push(convert(row[c.name], c.dtype, c.name, path, line)));
      nrows++;
    });
    return { columns: meta.columns.map((c, j) => fromValues(c.dtype, cols[j]!)), nrows };
  } finally {
    await fh.close();
  }
}

/** Position of the first LF at or after `pos`, or -1. */
async function findLf(fh: FileHandle, pos: number, size: number): Promise<number> {
  const CHUNK = 1 << 16;
  for (let p = pos; p < size; p += CHUNK) {
    const b = await readRange(fh, p, Math.min(size, p + CHUNK));
    const i = b.indexOf(LF);
    if (i >= 0) return p + i;
  }
  return -1;
}
