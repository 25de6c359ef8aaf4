/**
 * Micro-benchmark of the CSV parser on a taxi-like file (the W1 schema).
 * Run: npx tsx bench/csv-parse.ts [rows=1000000] [blocksize MB=16]
 * Writes /tmp/tusk-bench/taxi_<rows>.csv once (deterministic), then reports MB/s of
 * parseCsvBytes on the whole data (one thread), of readCsvBlock per block (cold and
 * warm checkpoint cache), and of the counting scan.
 */
import { mkdirSync, existsSync, writeFileSync, readFileSync, statSync } from "node:fs";
import { planBlocks, sniffCsv, readCsvBlock, parseCsvBytes, clearCsvCheckpoints, scanCsvBlocks } from "../src/dataframe/io/csv/index.js";

const rows = Number(process.argv[2] ?? 1_000_000);
const blockMB = Number(process.argv[3] ?? 16);
const dir = "/tmp/tusk-bench";
const path = `${dir}/taxi_${rows}.csv`;

function u(i: number, k: number): number {
  let x = (i + k * 1640531527) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}
function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
function generate(): void {
  mkdirSync(dir, { recursive: true });
  const parts: string[] = ["id,vendor,passenger_count,trip_distance,fare,tip,pickup_ts,dropoff_ts,payment\n"];
  const t0 = Date.UTC(2023, 0, 1);
  for (let i = 0; i < rows; i++) {
    const u1 = u(i, 1), u4 = u(i, 4), u5 = u(i, 5), u6 = u(i, 6);
    const vendor = u1 < 0.35 ? "CMT" : u1 < 0.65 ? "VTS" : u1 < 0.85 ? "DDS" : u1 < 0.95 ? "NYC" : "XYZ";
    const dist = Math.round(-Math.log(1 - u(i, 3)) * 300) / 100;
    const fare = Math.round((2.5 + dist * 2.5 + u4 * 5) * 100) / 100;
    const tip = u6 < 0.7 ? Math.round(fare * u5 * 30) / 100 : 0;
    const pick = t0 + Math.floor(u(i, 7) * 31536000) * 1000;
    const drop = pick + Math.floor(60 + dist * 150 + u4 * 300) * 1000;
    const pay = u6 < 0.7 ? "card" : u6 < 0.95 ? "cash" : u6 < 0.98 ? "dispute" : "no_charge";
    parts.push(`${i},${vendor},${1 + Math.floor(u(i, 2) * 6)},${dist},${fare},${tip},${iso(pick)},${iso(drop)},${pay}\n`);
  }
  writeFileSync(path, parts.join(""));
}

if (!existsSync(path)) generate();
const size = statSync(path).size;
const mb = size / 1e6;
console.log(`${path}: ${rows} rows, ${mb.toFixed(1)} MB`);

const schema = await sniffCsv(path, {});
console.log(schema.columns.map((c, j) => `${c}:${schema.dtypes[j]}`).join(" "));
const bytes = new Uint8Array(readFileSync(path));
const data = bytes.subarray(schema.headerBytes);

function time<T>(label: string, megabytes: number, f: () => T, reps = 5): T {
  let out!: T;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    out = f();
    const cpu = process.cpuUsage(c);
    best = Math.min(best, performance.now() - t);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
  }
  // CPU time is the steadier number on a shared machine
  console.log(`${label.padEnd(44)} ${(best / 1000).toFixed(3)} s  ${((megabytes / best) * 1000).toFixed(0)} MB/s wall, ${((megabytes / bestCpu) * 1000).toFixed(0)} MB/s cpu`);
  return out;
}

time("parseCsvBytes, all columns", mb, () => parseCsvBytes(data, schema, {}));
const numeric = ["id", "passenger_count", "trip_distance", "fare", "tip"];
time("parseCsvBytes, numeric columns", mb, () => parseCsvBytes(data, schema, { usecols: numeric }));
time("parseCsvBytes, strings (vendor, payment)", mb, () => parseCsvBytes(data, schema, { usecols: ["vendor", "payment"] }));
time("parseCsvBytes, datetimes", mb, () => parseCsvBytes(data, schema, { usecols: ["pickup_ts", "dropoff_ts"] }));
time("parseCsvBytes, usecols [] (tokenize only)", mb, () => parseCsvBytes(data, schema, { usecols: [] }));

const blocks = planBlocks(size, blockMB << 20).map((b, index) => ({ ...b, index }));
async function readAll(): Promise<number> {
  let n = 0;
  for (const b of blocks) n += (await readCsvBlock(path, b, schema, {})).nrows;
  return n;
}
for (const label of ["cold", "warm"]) {
  if (label === "cold") clearCsvCheckpoints();
  const t = performance.now();
  const n = await readAll();
  const dt = performance.now() - t;
  console.log(`readCsvBlock x${blocks.length} in order (${label} cache)`.padEnd(44), `${(dt / 1000).toFixed(3)} s  ${((mb / dt) * 1000).toFixed(0)} MB/s  rows=${n}`);
}
{
  clearCsvCheckpoints();
  const t = performance.now();
  const last = blocks[blocks.length - 1]!;
  await readCsvBlock(path, last, schema, {});
  const dt = performance.now() - t;
  console.log(`last block alone, cold (scans ${(last.start / 1e6).toFixed(0)} MB first)`.padEnd(44), `${(dt / 1000).toFixed(3)} s`);
  clearCsvCheckpoints();
  const t2 = performance.now();
  await scanCsvBlocks(path, blocks, schema);
  const dt2 = performance.now() - t2;
  console.log("scanCsvBlocks (counting pass)".padEnd(44), `${(dt2 / 1000).toFixed(3)} s  ${((last.start / 1e6 / dt2) * 1000).toFixed(0)} MB/s`);
}
