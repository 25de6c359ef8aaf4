import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { TAXI_HEADER, taxiRow, taxiUniform, writeSampleTaxiCsv } from "../../../src/dataframe/io/sample-taxi.js";
import { tempDir } from "./helpers.js";

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe("writeSampleTaxiCsv", () => {
  test("writes the header and the same bytes as taxiRow, deterministically", async () => {
    const a = join(dir, "a.csv");
    const b = join(dir, "b.csv");
    await writeSampleTaxiCsv(a, 120_000);
    await writeSampleTaxiCsv(b, 120_000);
    const text = readFileSync(a, "utf8");
    expect(readFileSync(b, "utf8")).toBe(text);
    const lines = text.split("\n");
    expect(lines[0]).toBe(TAXI_HEADER);
    expect(lines.length).toBe(120_002); // header + rows + "" after the last line end
    for (const i of [0, 1, 19_999, 20_000, 50_000, 119_999]) expect(lines[i + 1]).toBe(taxiRow(i));
  });

  test("the first rows are pinned (the 2 M-row file gives the same W1 figures as the peers' DuckDB-made file)", () => {
    expect(taxiRow(0)).toBe("0,VTS,6,1.09,10.02,0.67,2023-05-01T18:56:52,2023-05-01T19:05:23,card");
    expect(taxiRow(1)).toBe("1,DDS,3,4.86,19.52,3.82,2023-01-14T10:20:02,2023-01-14T10:38:03,card");
  });

  test("distributions: vendor and payment shares, passengers 1-6, tip 0 unless card", () => {
    const n = 20_000;
    const vendors: Record<string, number> = {};
    const payments: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const f = taxiRow(i).split(",");
      vendors[f[1]!] = (vendors[f[1]!] ?? 0) + 1;
      payments[f[8]!] = (payments[f[8]!] ?? 0) + 1;
      expect(Number(f[2])).toBeGreaterThanOrEqual(1);
      expect(Number(f[2])).toBeLessThanOrEqual(6);
      if (f[8] !== "card") expect(f[5]).toBe("0.0");
    }
    const share = (x: number | undefined) => (x ?? 0) / n;
    expect(share(vendors.CMT)).toBeCloseTo(0.35, 1);
    expect(share(vendors.XYZ)).toBeCloseTo(0.05, 1);
    expect(share(payments.card)).toBeCloseTo(0.7, 1);
    for (let i = 0; i < 100; i++) {
      const u = taxiUniform(i, 3);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });

  test("rejects a bad row count", async () => {
    await expect(writeSampleTaxiCsv(join(dir, "c.csv"), -1)).rejects.toThrow(/rows must be a non-negative integer/);
  });
});
