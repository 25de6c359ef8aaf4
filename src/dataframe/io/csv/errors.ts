/**
 * Errors of the CSV reader. `code` is stable: callers branch on it, not on the message.
 */
import { TuskError } from "../../../errors.js";

export type CsvErrorCode =
  | "ERR_CSV_BAD_LINE" // wrong field count or unterminated quote
  | "ERR_CSV_DTYPE" // a value that does not fit its column's dtype
  | "ERR_CSV_OPTIONS"; // invalid options or usecols/dtypes naming unknown columns

/**
 * A malformed CSV line or value, or options that do not fit the file. Carries the file
 * and the 1-based line number (0 for option errors).
 * @example
 * try { parseCsvBytes(bytes, schema, { file: "a.csv" }); }
 * catch (e) { if (e instanceof CsvParseError && e.code === "ERR_CSV_BAD_LINE") console.log(e.line); }
 */
export class CsvParseError extends TuskError {
  declare readonly code: CsvErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: string | undefined;
  constructor(
    code: CsvErrorCode,
    message: string,
    where: { file: string; line: number; column?: string },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
  }
}
