// The main job of the quick start (`npm start`): makes a sample taxi CSV if there is
// none, then runs a real chunked computation on the local thread pool and prints the
// result and the time it took.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as tk from "tusk";

const path = process.env.TUSK_SAMPLE ?? "data/taxi-sample.csv";
const rows = Number(process.env.TUSK_SAMPLE_ROWS ?? 1_000_000);

if (!existsSync(path)) {
  mkdirSync(dirname(path), { recursive: true });
  const t0 = performance.now();
  await tk.writeSampleTaxiCsv(path, rows);
  console.log(`made ${path} (${rows.toLocaleString()} rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const t0 = performance.now();
const df = await tk.readCSV(path, { blocksize: "16MB" });
console.log(`${path}: ${df.npartitions} partitions, columns ${df.columns.join(", ")}`);
const long = df.query(df.column("trip_distance").gt(5));
const byVendor = long.groupby(["vendor"]).agg({ fare: "mean", tip: "sum", id: "count" });
const result = await byVendor.compute();
result.print();
console.log(`trips over 5 miles by vendor: ${((performance.now() - t0) / 1000).toFixed(2)} s on ${tk.config.get().nthreads} threads`);
await tk.shutdown();
