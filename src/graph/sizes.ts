/** Byte sizes written as numbers or strings like "2GB", "512 MiB", "1.5e9". */
import { ValidationError } from "../errors.js";

const UNITS: Record<string, number> = {
  b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12,
  kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
  k: 1e3, m: 1e6, g: 1e9, t: 1e12,
};

/**
 * Parses a byte size. Decimal units (KB, MB, GB) are powers of 1000, binary ones (KiB,
 * MiB, GiB) of 1024, as in Dask.
 * @example parseBytes("2GB") // 2_000_000_000
 */
export function parseBytes(value: number | string, what = "size"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new ValidationError(`${what} must be a non-negative number of bytes, got ${value}`);
    return value;
  }
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? (m[2] || "b").toLowerCase() : "";
  if (!m || !(unit in UNITS)) {
    throw new ValidationError(`${what} must be a number of bytes or a string like "2GB" or "512MiB", got ${JSON.stringify(value)}`);
  }
  return Math.round(Number(m[1]) * UNITS[unit]!);
}

/** Formats bytes for people: "1.50 GB". */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return `${i === 0 ? n : n.toFixed(2)} ${units[i]}`;
}
