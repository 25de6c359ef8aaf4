// One analysis of a taxi CSV, written twice: danfo.mjs with danfo.js, tusk.mjs with tusk
// (the same calls, `tk.` for `dfd.` and an `await` where values are needed). Long trips
// with company, a total per trip, then the mean total, summed tips and trip count per
// (vendor, passenger count), ten highest mean totals first. run.mjs checks both agree.
//   node examples/danfo-twin/{danfo,tusk}.mjs data/taxi.csv
import * as dfd from "danfojs-node";

const path = process.argv[2] ?? "data/taxi-sample.csv";
const t0 = performance.now();

const df = await dfd.readCSV(path);
const long = df.query(df.column("trip_distance").gt(2).and(df.column("passenger_count").ge(2)));
const withTotal = long.addColumn("total", long.column("fare").add(long.column("tip")));
const byGroup = withTotal.groupby(["vendor", "passenger_count"]).agg({ total: "mean", tip: "sum", id: "count" });
const top = byGroup.sortValues("total_mean", { ascending: false }).head(10);

top.print();
console.log(JSON.stringify({ columns: top.columns, rows: top.values }));
const seconds = (performance.now() - t0) / 1000;
console.error(`${path}: ${seconds.toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
