import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { shutdownPools } from "../../../src/graph/local/pool.js";
import { readCSV } from "../../../src/dataframe/io/read-csv.js";
import { toCSV } from "../../../src/dataframe/io/write.js";
import "../../../src/dataframe/io/index.js";
import { formatDatetime } from "../../../src/dataframe/io/format-csv.js";
import { writeSampleTaxiCsv } from "../../../src/dataframe/io/sample-taxi.js";
import { fromDanfo } from "../../../src/dataframe/edges.js";
import { rows, tempDir } from "./helpers.js";

const sync = { scheduler: "sync", progress: false } as const;
const { dir, cleanup } = tempDir();
const taxi = join(dir, "taxi.csv");
beforeAll(async () => {
  await writeSampleTaxiCsv(taxi, 400);
});
afterAll(async () => {
  cleanup();
  await shutdownPools();
});

describe("toCSV", () => {
  test("toCSV then readCSV gives the same frame (one file per partition, threads)", async () => {
    const df = await readCSV(taxi, { blocksize: 9_000 });
    const out = join(dir, "out");
    const paths = await toCSV(df, out, { scheduler: "threads", progress: false });
    expect(paths.length).toBe(df.npartitions);
    expect(readdirSync(out).sort()).toEqual(paths.map((_, i) => `part.${i}.csv`).sort());
    const back = await readCSV(join(out, "*.csv"));
    expect(back.dtypes).toEqual(df.dtypes);
    expect(rows(await back.compute(sync))).toEqual(rows(await df.compute(sync)));
  });

  test("the file is the input file again, with JavaScript's spelling of integral doubles", async () => {
    const df = await readCSV(taxi);
    const [path] = await toCSV(df, join(dir, "same"), sync);
    // The generator writes DuckDB's "0.0"; JavaScript's shortest spelling of that double is "0".
    expect(readFileSync(path!, "utf8")).toBe(readFileSync(taxi, "utf8").replace(/\.0(?=,)/g, ""));
  });

  test("quotes strings that need it, writes nulls as empty fields, round-trips through danfo", async () => {
    const d = new dfd.DataFrame({ s: ['a,b', 'say "hi"', "line\nbreak", null, "plain"], x: [1.5, null, -0.1, 1e21, 2], b: [true, false, false, true, false] });
    const out = join(dir, "quoted");
    const paths = await toCSV(fromDanfo(d, { npartitions: 2 }), out, sync);
    const back = await readCSV(paths);
    expect(rows(await back.compute(sync))).toEqual(rows(d));
  });

  test("danfo's { filePath, sep } form and a * name pattern", async () => {
    const df = await readCSV(taxi, { usecols: ["id", "vendor"], blocksize: 6_000 });
    const paths = await toCSV(df, { filePath: join(dir, "semi"), sep: ";", header: true, scheduler: "sync", progress: false });
    expect(readFileSync(paths[0]!, "utf8").split("\n")[0]).toBe("id;vendor");
    const named = await toCSV(df, join(dir, "named", "taxi-*.csv"), sync);
    expect(named.map((p) => p.split("/").pop())).toEqual(named.map((_, i) => `taxi-${i}.csv`));
    expect(rows(await (await readCSV(named)).compute(sync))).toEqual(rows(await df.compute(sync)));
  });

  test("df.toCSV and df.toParquet are DataFrame methods", async () => {
    const df = await readCSV(taxi, { usecols: ["id", "fare"] });
    const csv = await df.toCSV(join(dir, "method-csv"), sync);
    const pq = await df.toParquet(join(dir, "method-pq"), sync);
    expect(rows(await (await readCSV(csv)).compute(sync))).toEqual(rows(await df.compute(sync)));
    expect(pq.length).toBe(df.npartitions);
  });

  test("datetimes are ISO without offset, with milliseconds only when present", () => {
    expect(formatDatetime(Date.UTC(2023, 4, 1, 18, 56, 52))).toBe("2023-05-01T18:56:52");
    expect(formatDatetime(Date.UTC(2023, 4, 1, 18, 56, 52, 7))).toBe("2023-05-01T18:56:52.007");
  });
});
