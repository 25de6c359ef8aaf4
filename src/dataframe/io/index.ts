/** Partitioned readers and writers of DataFrames. */
export { readCSV, csvSource, type ReadCsvOptions } from "./read-csv.js";
export { readParquet, parquetSource, type ReadParquetOptions } from "./read-parquet.js";
export { readJSON, ndjsonSource, type ReadJsonOptions } from "./read-json.js";
export { toCSV, toParquet, type ToCsvOptions, type ToParquetOptions, type DanfoCsvOptions, type PartitionedFrame } from "./write.js";
import "./frame-methods.js";
export { expandPaths, type InputFile } from "./paths.js";
export { writeSampleTaxiCsv, TAXI_HEADER } from "./sample-taxi.js";
