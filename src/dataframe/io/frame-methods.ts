/**
 * `df.toCSV(dir)` and `df.toParquet(dir)` as DataFrame methods (DESIGN's public API),
 * added to the class from the IO module so the writers stay in `io/` (loaded with
 * `tusk`'s entry point, which imports this module).
 */
import { DataFrame } from "../frame.js";
import { toCSV, toParquet, type DanfoCsvOptions, type ToCsvOptions, type ToParquetOptions } from "./write.js";

declare module "../frame.js" {
  interface DataFrame {
    /**
     * Writes one CSV file per partition into `dir` (`part.0.csv`, …); resolves with the
     * paths when all are written. Differences from danfo: a folder of files, not one file.
     * @example await df.toCSV("out/");
     */
    toCSV(dir: string | DanfoCsvOptions, options?: ToCsvOptions): Promise<string[]>;
    /**
     * Writes one Parquet file per partition into `dir` (`part.0.parquet`, …).
     * @example await df.toParquet("out/"); const back = await tk.readParquet("out/");
     */
    toParquet(dir: string, options?: ToParquetOptions): Promise<string[]>;
  }
}

const proto = DataFrame.prototype as unknown as Record<string, unknown>;
if (!("toCSV" in proto)) {
  proto.toCSV = function toCSVMethod(this: DataFrame, dir: string | DanfoCsvOptions, options?: ToCsvOptions): Promise<string[]> {
    return toCSV(this, dir, options);
  };
}
if (!("toParquet" in proto)) {
  proto.toParquet = function toParquetMethod(this: DataFrame, dir: string, options?: ToParquetOptions): Promise<string[]> {
    return toParquet(this, dir, options);
  };
}
