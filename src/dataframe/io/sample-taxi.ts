/**
 * A deterministic taxi-like CSV for examples and benchmarks: the same columns,
 * distributions and values as `/work/shared/peers/gen_data.cjs` (which needs DuckDB),
 * written in TypeScript and streamed to disk. Every value comes from a fixed integer
 * hash of the row id (no RNG state), so the file is byte-identical across runs.
 *
 * Columns: `id` int, `vendor` (CMT/VTS/DDS/NYC/XYZ at 35/30/20/10/5 %),
 * `passenger_count` 1–6, `trip_distance` (exponential, mean 3, 2 decimals), `fare`,
 * `tip` (0 unless paid by card), `pickup_ts`, `dropoff_ts` (ISO, 2023), `payment`
 * (card/cash/dispute/no_charge at 70/25/3/2 %). About 75 bytes a row: 20 M rows ≈ 1.5 GB.
 */
import { open } from "node:fs/promises";
import { ValidationError } from "../../errors.js";

const TWO31 = 2147483648;

/** 31-bit murmur-style finalizer of gen_data.cjs (`h31`), exact in 32-bit integer ops. */
function h31(x: number): number {
  x ^= x >> 16;
  x = Math.imul(x, 2146121005) & 0x7fffffff;
  x ^= x >> 15;
  x = Math.imul(x, 1973270061) & 0x7fffffff;
  x ^= x >> 16;
  x = Math.imul(x, 1448263725) & 0x7fffffff;
  return x ^ (x >> 15);
}

/** Pseudo-uniform in [0, 1) from row `i` and salt `k` (gen_data.cjs `uu`). */
export function taxiUniform(i: number, k: number): number {
  return h31((i + k * 1640531527) % TWO31) / TWO31;
}

/** DuckDB's `round(x, 2)` on a double, as integer hundredths (x ≥ 0 here). */
function hundredths(x: number): number {
  return Math.round(x * 100);
}

/** A 2-decimal value from integer hundredths, spelled the way DuckDB writes the double k/100. */
function fmtHundredths(k: number): string {
  const whole = Math.floor(k / 100);
  const frac = k - whole * 100;
  if (frac === 0) return `${whole}.0`;
  if (frac % 10 === 0) return `${whole}.${frac / 10}`;
  return `${whole}.${frac < 10 ? "0" : ""}${frac}`;
}

/** Round half to even (C's nearbyint), as DuckDB casts a double to BIGINT. */
function nearbyint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const DAY_S = 86400;
const BASE_MS = Date.UTC(2023, 0, 1);
let dayNames: string[] | undefined;
const TWO = Array.from({ length: 60 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

function isoSeconds(s: number): string {
  dayNames ??= Array.from({ length: 400 }, (_, d) => new Date(BASE_MS + d * DAY_S * 1000).toISOString().slice(0, 10));
  const d = Math.floor(s / DAY_S);
  let r = s - d * DAY_S;
  const h = Math.floor(r / 3600);
  r -= h * 3600;
  const m = Math.floor(r / 60);
  return `${dayNames[d]}T${TWO[h]}:${TWO[m]}:${TWO[r - m * 60]}`;
}

/** The header line of the taxi CSV. */
export const TAXI_HEADER = "id,vendor,passenger_count,trip_distance,fare,tip,pickup_ts,dropoff_ts,payment";

/** Row `i` of the taxi CSV, without the line end. */
export function taxiRow(i: number): string {
  const u1 = taxiUniform(i, 1), u2 = taxiUniform(i, 2), u3 = taxiUniform(i, 3), u4 = taxiUniform(i, 4);
  const u5 = taxiUniform(i, 5), u6 = taxiUniform(i, 6), u7 = taxiUniform(i, 7);
  const vendor = u1 < 0.35 ? "CMT" : u1 < 0.65 ? "VTS" : u1 < 0.85 ? "DDS" : u1 < 0.95 ? "NYC" : "XYZ";
  const passengers = 1 + Math.floor(u2 * 6);
  const tdK = hundredths(-Math.log(1.0 - u3) * 3.0);
  const td = tdK / 100;
  const base = 2.5 + td * 2.5 + u4 * 5.0;
  const fareK = hundredths(base);
  const card = u6 < 0.7;
  const tipS = card ? fmtHundredths(hundredths(base * u5 * 0.3)) : "0.0";
  const pickup = Math.floor(u7 * 31536000);
  const dropoff = pickup + nearbyint(60 + td * 150 + u4 * 300);
  const payment = card ? "card" : u6 < 0.95 ? "cash" : u6 < 0.98 ? "dispute" : "no_charge";
  return `${i},${vendor},${passengers},${fmtHundredths(tdK)},${fmtHundredths(fareK)},${tipS},${isoSeconds(pickup)},${isoSeconds(dropoff)},${payment}`;
}

/** Writes bytes of rows into a reusable buffer (about 10x faster than building strings). */
class RowWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  ascii(s: string): void {
    for (let j = 0; j < s.length; j++) this.buf[this.pos++] = s.charCodeAt(j);
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  byte(c: number): void {
    this.buf[this.pos++] = c;
  }
  uint(n: number): void {
    if (n < 10) { this.buf[this.pos++] = 48 + n; return; }
    let digits = 0;
    for (let t = n; t > 0; t = Math.floor(t / 10)) digits++;
    let p = this.pos + digits;
    this.pos = p;
    for (let t = n; t > 0; t = Math.floor(t / 10)) this.buf[--p] = 48 + (t % 10);
  }
  hundredths(k: number): void {
    const whole = Math.floor(k / 100);
    const frac = k - whole * 100;
    this.uint(whole);
    this.buf[this.pos++] = 46;
    if (frac % 10 === 0) this.buf[this.pos++] = 48 + frac / 10;
    else { this.buf[this.pos++] = 48 + Math.floor(frac / 10); this.buf[this.pos++] = 48 + (frac % 10); }
  }
  two(n: number): void {
    this.buf[this.pos++] = 48 + Math.floor(n / 10);
    this.buf[this.pos++] = 48 + (n % 10);
  }
  iso(s: number, days: Uint8Array[]): void {
    const d = Math.floor(s / DAY_S);
    let r = s - d * DAY_S;
    const h = Math.floor(r / 3600);
    r -= h * 3600;
    const m = Math.floor(r / 60);
    this.bytes(days[d]!);
    this.two(h); this.byte(58); this.two(m); this.byte(58); this.two(r - m * 60);
  }
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const VENDORS = ["CMT", "VTS", "DDS", "NYC", "XYZ"].map((v) => enc(`,${v},`));
const PAYMENTS = ["card", "cash", "dispute", "no_charge"].map((p) => enc(`,${p}\n`));

/** Appends row `i` (with its line end) to `w`; the same bytes as {@link taxiRow}. */
function writeRow(w: RowWriter, i: number, days: Uint8Array[]): void {
  const u1 = taxiUniform(i, 1), u2 = taxiUniform(i, 2), u3 = taxiUniform(i, 3), u4 = taxiUniform(i, 4);
  const u5 = taxiUniform(i, 5), u6 = taxiUniform(i, 6), u7 = taxiUniform(i, 7);
  const tdK = hundredths(-Math.log(1.0 - u3) * 3.0);
  const td = tdK / 100;
  const base = 2.5 + td * 2.5 + u4 * 5.0;
  const card = u6 < 0.7;
  const pickup = Math.floor(u7 * 31536000);
  w.uint(i);
  w.bytes(VENDORS[u1 < 0.35 ? 0 : u1 < 0.65 ? 1 : u1 < 0.85 ? 2 : u1 < 0.95 ? 3 : 4]!);
  w.uint(1 + Math.floor(u2 * 6)); w.byte(44);
  w.hundredths(tdK); w.byte(44);
  w.hundredths(hundredths(base)); w.byte(44);
  w.hundredths(card ? hundredths(base * u5 * 0.3) : 0); w.byte(44);
  w.iso(pickup, days); w.byte(44);
  w.iso(pickup + nearbyint(60 + td * 150 + u4 * 300), days);
  w.bytes(PAYMENTS[card ? 0 : u6 < 0.95 ? 1 : u6 < 0.98 ? 2 : 3]!);
}

/**
 * Writes `rows` rows of the taxi CSV (with its header) to `path`, streaming in chunks.
 * @example
 * await writeSampleTaxiCsv("data/taxi.csv", 100_000);
 * const df = await tk.readCSV("data/taxi.csv");
 */
export async function writeSampleTaxiCsv(path: string, rows: number): Promise<void> {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new ValidationError(`rows must be a non-negative integer, got ${rows}`);
  const days = Array.from({ length: 400 }, (_, d) => enc(`${new Date(BASE_MS + d * DAY_S * 1000).toISOString().slice(0, 10)}T`));
  const fh = await open(path, "w");
  try {
    const CHUNK = 50_000;
    await fh.write(TAXI_HEADER + "\n");
    const w = new RowWriter(CHUNK * 128);
    for (let start = 0; start < rows; start += CHUNK) {
      const end = Math.min(rows, start + CHUNK);
      w.pos = 0;
      for (let i = start; i < end; i++) writeRow(w, i, days);
      await fh.write(w.buf, 0, w.pos);
    }
  } finally {
    await fh.close();
  }
}
