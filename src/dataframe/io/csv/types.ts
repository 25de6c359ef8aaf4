/**
 * Public types of the CSV reader: options, schema and the parsed column layout.
 * Kept apart from the parser so that callers (e.g. `tk.readCSV`) can import types only.
 */

/** Column types the CSV reader can produce. */
export type CsvDtype = "float64" | "int32" | "string" | "boolean" | "datetime";

/** Options of the CSV reader (a subset of danfo's / pandas' `read_csv`). */
export interface CsvOptions {
  /** Field separator, one ASCII character. Default `","`. */
  delimiter?: string;
  /** Whether the first line holds the column names. Default `true`; if `false`, columns are `"0"`, `"1"`, … */
  header?: boolean;
  /** Dtype overrides per column name (names after de-duplication, e.g. `"a.1"`). */
  dtypes?: Record<string, CsvDtype>;
  /** Only these columns are materialized; the others are tokenized but never converted. */
  usecols?: readonly string[];
  /** What to do with a line whose field count differs from the header's. Default `"error"`. */
  onBadLines?: "error" | "skip" | "warn";
  /** Non-UTF-8 bytes always decode to U+FFFD; this is the only (and default) mode. */
  encodingErrors?: "replace";
}

/** Column names and dtypes of a file plus the byte length of its BOM and header line(s). */
export interface CsvSchema {
  columns: string[];
  dtypes: CsvDtype[];
  /** Bytes before the first data row (UTF-8 BOM + header line including its line end). */
  headerBytes: number;
}

/** Column data ready to wrap as Arrow vectors with no copy (validity: LSB-first bitmap, 1 = valid). */
export type ParsedColumn =
  | { dtype: "float64"; values: Float64Array; validity: Uint8Array | null; nullCount: number }
  | { dtype: "int32"; values: Int32Array; validity: Uint8Array | null; nullCount: number }
  | { dtype: "boolean"; values: Uint8Array /* bit-packed, Arrow layout */; validity: Uint8Array | null; nullCount: number }
  | { dtype: "datetime"; values: Float64Array /* ms since epoch, UTC */; validity: Uint8Array | null; nullCount: number }
  | { dtype: "string"; indices: Int32Array; dictionary: string[]; validity: Uint8Array | null; nullCount: number };

/** The rows of one block, column by column. */
export interface ParsedBlock {
  /** Names of the materialized columns, in file order. */
  columns: string[];
  /** One entry per name in `columns`. Its dtype is the schema's, except int32 widened to float64 when a block holds a non-int32 number. */
  data: ParsedColumn[];
  nrows: number;
  /** 1-based file line of the first row (of where the block starts when it has no rows). */
  firstLine: number;
  /** Bad lines dropped under `onBadLines: "warn"`, one message each, for the caller to print. */
  warnings: string[];
}

/**
 * A byte block of a file. `quoteParity` / `linesBefore` are optional hints (from
 * `scanCsvBlocks`) describing the file at byte `start`; without them the reader works
 * them out itself.
 */
export interface CsvBlock {
  start: number;
  end: number;
  index: number;
  /** Parity of `"` bytes in [headerBytes, start): 1 means `start` lies inside a quoted field. */
  quoteParity?: 0 | 1;
  /** Number of `\n` bytes in [0, start). */
  linesBefore?: number;
}
