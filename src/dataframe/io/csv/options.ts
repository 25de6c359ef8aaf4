/** Validation of `CsvOptions` at the public boundary, and per-column selections. */
import { CsvParseError } from "./errors.js";
import type { CsvDtype, CsvOptions } from "./types.js";

const DTYPES: ReadonlySet<string> = new Set(["float64", "int32", "string", "boolean", "datetime"]);

function optionsError(message: string): CsvParseError {
  return new CsvParseError("ERR_CSV_OPTIONS", message, { file: "", line: 0 });
}

/** The delimiter as a byte; it must be one ASCII character other than `"`, CR or LF. */
export function delimiterByte(options: CsvOptions): number {
  const d = options.delimiter ?? ",";
  const c = d.charCodeAt(0);
  if (d.length !== 1 || c >= 0x80 || c === 34 || c === 10 || c === 13) {
    throw optionsError(`options.delimiter must be one ASCII character other than '"', CR and LF, got ${JSON.stringify(d)}`);
  }
  return c;
}

function unknown(kind: string, names: readonly string[], columns: readonly string[]): CsvParseError {
  return optionsError(`${kind} names columns the file does not have: ${names.map((x) => JSON.stringify(x)).join(", ")}; the columns are ${columns.map((x) => JSON.stringify(x)).join(", ")}`);
}

/** `inferred` with `options.dtypes` applied; unknown names or dtypes throw. */
export function resolveDtypes(columns: readonly string[], inferred: readonly CsvDtype[], options: CsvOptions): CsvDtype[] {
  const over = options.dtypes;
  if (over === undefined) return [...inferred];
  const missing = Object.keys(over).filter((k) => !columns.includes(k));
  if (missing.length > 0) throw unknown("options.dtypes", missing, columns);
  for (const [k, v] of Object.entries(over)) {
    if (!DTYPES.has(v)) throw optionsError(`options.dtypes[${JSON.stringify(k)}] must be one of ${[...DTYPES].join(", ")}, got ${JSON.stringify(v)}`);
  }
  return columns.map((c, j) => (Object.hasOwn(over, c) ? over[c]! : inferred[j]!));
}

/** Indices (file order) of the columns to materialize. */
export function selectedColumns(columns: readonly string[], options: CsvOptions): number[] {
  const use = options.usecols;
  if (use === undefined) return columns.map((_, j) => j);
  const missing = use.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw unknown("options.usecols", missing, columns);
  const want = new Set(use);
  return columns.flatMap((c, j) => (want.has(c) ? [j] : []));
}

export function checkOnBadLines(options: CsvOptions): "error" | "skip" | "warn" {
  const m = options.onBadLines ?? "error";
  if (m !== "error" && m !== "skip" && m !== "warn") {
    throw optionsError(`options.onBadLines must be "error", "skip" or "warn", got ${JSON.stringify(m)}`);
  }
  return m;
}
