/**
 * The CSV reader's core: bytes → typed, Arrow-ready columns, and byte blocks for
 * parallel reading. `tk.readCSV` builds on `sniffCsv` + `planBlocks` + `readCsvBlock`.
 *
 * @example
 * import { sniffCsv, planBlocks, readCsvBlock } from "./io/csv/index.js";
 * const schema = await sniffCsv("taxi.csv", {});
 * const blocks = planBlocks(fileSize, 64 << 20).map((b, index) => ({ ...b, index }));
 * const first = await readCsvBlock("taxi.csv", blocks[0], schema, {});
 */
export type { CsvDtype, CsvOptions, CsvSchema, CsvBlock, ParsedColumn, ParsedBlock } from "./types.js";
export { CsvParseError, type CsvErrorCode } from "./errors.js";
export { planBlocks } from "./blocks.js";
export { sniffCsvBytes } from "./infer.js";
export { parseCsvBytes } from "./parse-block.js";
export { sniffCsv, readCsvBlock, scanCsvBlocks, clearCsvCheckpoints } from "./read.js";
