/** Helpers of the IO tests: temp folders and frame comparison. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as dfd from "danfojs-node";

/** A fresh temp folder, and a function that removes it. */
export function tempDir(prefix = "tusk-io-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Columns and row values of a danfo frame, with Dates as ms and NaN as null (comparable with toEqual). */
export function rows(df: dfd.DataFrame): { columns: string[]; values: unknown[][] } {
  const values = (df.values as unknown[][]).map((r) => r.map((v) => (v instanceof Date ? v.getTime() : typeof v === "number" && Number.isNaN(v) ? null : v ?? null)));
  return { columns: [...df.columns], values };
}
