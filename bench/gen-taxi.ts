/**
 * `npm run bench -- gen-taxi [--rows 2000000] [--out data/taxi_2000000.csv]`: writes the
 * deterministic taxi-like CSV of the peer benchmarks (same columns, distributions and
 * values as /work/shared/peers/gen_data.cjs, without DuckDB). 20 M rows ≈ 1.5 GB.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { writeSampleTaxiCsv } from "../src/dataframe/io/sample-taxi.js";

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rows = Number(opt("--rows") ?? 2_000_000);
const out = opt("--out") ?? `data/taxi_${rows}.csv`;
mkdirSync(dirname(out), { recursive: true });
const t0 = performance.now();
await writeSampleTaxiCsv(out, rows);
console.log(`${out}: ${rows} rows, ${(statSync(out).size / 2 ** 20).toFixed(1)} MiB, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
