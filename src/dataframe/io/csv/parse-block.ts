/**
 * `parseCsvBytes`: rows (already cut at row boundaries) → typed columns.
 *
 * Two passes per batch of BATCH_ROWS rows, so the bytes of a batch are still in cache
 * for the second: `tokenize` records field boundaries for all columns (and converts the
 * simple numbers of float64/int32 columns as it scans them), then each materialized
 * column's builder converts its fields. Columns outside `usecols` are
 * tokenized (they must be, to find the next field) but never converted.
 */
import { CsvParseError } from "./errors.js";
import { BooleanBuilder, Float64Builder, Int32Builder, type ColumnBuilder, type ColumnContext } from "./columns.js";
import { DictionaryBuilder } from "./dictionary.js";
import { checkOnBadLines, delimiterByte, resolveDtypes, selectedColumns } from "./options.js";
import { makeBatch, NUMERIC_FLOAT, NUMERIC_INT, NUMERIC_NONE, tokenize, type BadLineKind } from "./tokenize.js";
import type { CsvDtype, CsvOptions, CsvSchema, ParsedBlock } from "./types.js";

const BATCH_ROWS = 1024;

function makeBuilder(dtype: CsvDtype, ctx: ColumnContext, capacity: number): ColumnBuilder {
  switch (dtype) {
    case "float64":
      return new Float64Builder(ctx, capacity);
    case "datetime":
      return new Float64Builder(ctx, capacity, "datetime");
    case "int32":
      return new Int32Builder(ctx, capacity);
    case "boolean":
      return new BooleanBuilder(ctx, capacity);
    case "string":
      return new DictionaryBuilder(ctx, capacity);
  }
}

export function badLineMessage(file: string, line: number, expected: number, found: number, kind: BadLineKind): string {
  const what =
    kind === "quote"
      ? `a quoted field opened on this line is never closed`
      : `expected ${expected} field${expected === 1 ? "" : "s"}, found ${found}`;
  return `${file}:${line}: bad line: ${what}; pass onBadLines: "skip" or "warn" to drop such lines`;
}

/**
 * Parses CSV rows (no header; cut at row boundaries) into columns with the given schema.
 * `options.firstLine` is the file line of the first byte (for messages), `options.file`
 * the name used in messages.
 * @example
 * const bytes = new TextEncoder().encode("1,x\n2,y\n");
 * const block = parseCsvBytes(bytes, { columns: ["a", "b"], dtypes: ["int32", "string"], headerBytes: 0 }, {});
 * // block.data[0].values → Int32Array [1, 2]; block.data[1] → { indices: [0, 1], dictionary: ["x", "y"] }
 */
export function parseCsvBytes(
  bytes: Uint8Array,
  schema: CsvSchema,
  options: CsvOptions & { file?: string; firstLine?: number },
): ParsedBlock {
  return parseRows(bytes, schema, options).block;
}

/** `parseCsvBytes`, also returning the line number after the last byte (firstLine + LF count). */
export function parseRows(
  bytes: Uint8Array,
  schema: CsvSchema,
  options: CsvOptions & { file?: string; firstLine?: number },
): { block: ParsedBlock; endLine: number } {
  const delim = delimiterByte(options);
  const mode = checkOnBadLines(options);
  const file = options.file ?? "<bytes>";
  const firstLine = options.firstLine ?? 1;
  const ncols = schema.columns.length;
  const dtypes = resolveDtypes(schema.columns, schema.dtypes, options);
  const selected = selectedColumns(schema.columns, options);
  const warnings: string[] = [];
  const onBad = (line: number, found: number, kind: BadLineKind): void => {
    const msg = badLineMessage(file, line, ncols, found, kind);
    if (mode === "error") throw new CsvParseError("ERR_CSV_BAD_LINE", msg, { file, line });
    if (mode === "warn") warnings.push(msg);
  };

  const n = bytes.length;
  // Selected float64 and int32 columns convert their simple numbers while tokenizing.
  const numeric = new Uint8Array(Math.max(1, ncols));
  for (const j of selected) numeric[j] = dtypes[j] === "float64" ? NUMERIC_FLOAT : dtypes[j] === "int32" ? NUMERIC_INT : NUMERIC_NONE;
  const batch = makeBatch(ncols, BATCH_ROWS, numeric);
  const cur = { pos: 0, line: firstLine };
  let builders: ColumnBuilder[] | null = null;
  let nrows = 0;
  let rowLine = firstLine;
  while (cur.pos < n) {
    const rows = tokenize(bytes, n, delim, cur, batch, onBad);
    if (nrows === 0 && rows > 0) rowLine = batch.lines[0]!;
    if (builders === null) {
      const perRow = cur.pos / Math.max(rows, 1);
      const capacity = Math.ceil((n / Math.max(perRow, 1)) * 1.02) + 16;
      builders = selected.map((j) => makeBuilder(dtypes[j]!, { file, column: schema.columns[j]! }, capacity));
    }
    for (let k = 0; k < selected.length; k++) {
      const col = selected[k]!;
      const stop = builders[k]!.append(bytes, batch, col, 0);
      if (stop < rows) {
        const widened = Float64Builder.fromInt32(builders[k] as Int32Builder);
        widened.append(bytes, batch, col, stop);
        builders[k] = widened;
      }
    }
    nrows += rows;
  }
  builders ??= selected.map((j) => makeBuilder(dtypes[j]!, { file, column: schema.columns[j]! }, 0));
  const block: ParsedBlock = {
    columns: selected.map((j) => schema.columns[j]!),
    data: builders.map((b) => b.finish()),
    nrows,
    firstLine: rowLine,
    warnings,
  };
  return { block, endLine: cur.line };
}
