/**
 * A partition as CSV text, in chunks (so a writer never holds the whole file as one
 * string). Numbers are written with JavaScript's shortest round-trip spelling (reading
 * them back gives the same doubles); null and NaN are empty fields (as pandas writes
 * them); datetimes are ISO 8601 in UTC without an offset (`2023-05-01T18:56:52`, with
 * `.sss` when there are milliseconds); booleans `true`/`false`; a string is quoted when
 * it holds the delimiter, a quote, CR or LF, or is empty (so `""` stays an empty
 * string for readers that keep one).
 */
import { isValid, readColumn, type ColumnData, type Partition } from "../partition.js";

/** Options of `toCSV`. */
export interface CsvWriteOptions {
  /** Field separator (default ","). */
  readonly sep?: string;
  /** Write the header line (default true). */
  readonly header?: boolean;
}

const ROWS_PER_CHUNK = 16_384;

function quoteIfNeeded(s: string, sep: string): string {
  if (s.length === 0) return '""';
  if (s.includes(sep) || s.includes('"') || s.includes("\n") || s.includes("\r")) return `"${s.replaceAll('"', '""')}"`;
  return s;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** ISO 8601 text of a datetime (ms since the epoch, UTC), without an offset. */
export function formatDatetime(ms: number): string {
  if (!Number.isFinite(ms)) return "";
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const base = `${y < 0 ? "-" : ""}${String(Math.abs(y)).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const msPart = d.getUTCMilliseconds();
  return msPart === 0 ? base : `${base}.${String(msPart).padStart(3, "0")}`;
}

function cellWriter(col: ColumnData, sep: string): (i: number) => string {
  const v = col.validity;
  switch (col.dtype) {
    case "float64": {
      const x = col.values;
      return (i) => (isValid(v, i) && !Number.isNaN(x[i]!) ? String(x[i]!) : "");
    }
    case "int32": {
      const x = col.values;
      return (i) => (isValid(v, i) ? String(x[i]!) : "");
    }
    case "datetime": {
      const x = col.values;
      return (i) => (isValid(v, i) ? formatDatetime(x[i]!) : "");
    }
    case "boolean": {
      const x = col.values;
      return (i) => (isValid(v, i) ? ((x[i >> 3]! & (1 << (i & 7))) !== 0 ? "true" : "false") : "");
    }
    case "string": {
      const quoted = col.dictionary.map((s) => quoteIfNeeded(s, sep));
      const idx = col.indices;
      return (i) => (isValid(v, i) ? quoted[idx[i]!]! : "");
    }
  }
}

/**
 * The CSV text of a partition, in chunks of {@link ROWS_PER_CHUNK} rows.
 * @example for (const chunk of formatCsvPartition(batch, {})) process.stdout.write(chunk);
 */
export function* formatCsvPartition(part: Partition, options: CsvWriteOptions = {}): Generator<string> {
  const sep = options.sep ?? ",";
  const names = part.schema.fields.map((f) => f.name);
  if (options.header ?? true) yield names.map((n) => quoteIfNeeded(n, sep)).join(sep) + "\n";
  const writers = names.map((_, j) => cellWriter(readColumn(part, j), sep));
  const n = part.numRows;
  const ncols = writers.length;
  for (let start = 0; start < n; start += ROWS_PER_CHUNK) {
    const end = Math.min(n, start + ROWS_PER_CHUNK);
    const lines = new Array<string>(end - start);
    for (let i = start; i < end; i++) {
      let line = ncols > 0 ? writers[0]!(i) : "";
      for (let j = 1; j < ncols; j++) line += sep + writers[j]!(i);
      lines[i - start] = line;
    }
    yield lines.join("\n") + "\n";
  }
}
