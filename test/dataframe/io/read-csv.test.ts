import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { fc, test as fcTest } from "@fast-check/vitest";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { MetadataMismatchError, TaskError, ValidationError } from "../../../src/errors.js";
import { shutdownPools } from "../../../src/graph/local/pool.js";
import { csvSource, readCSV } from "../../../src/dataframe/io/read-csv.js";
import { writeSampleTaxiCsv } from "../../../src/dataframe/io/sample-taxi.js";
import { rows, tempDir } from "./helpers.js";

const sync = { scheduler: "sync", progress: false } as const;
const { dir, cleanup } = tempDir();
const taxi = join(dir, "taxi.csv");
const asStrings = { dtypes: { pickup_ts: "string", dropoff_ts: "string" } };

beforeAll(async () => {
  await writeSampleTaxiCsv(taxi, 500);
});
afterAll(async () => {
  cleanup();
  await shutdownPools();
});

describe("readCSV", () => {
  test("knows columns, dtypes and partitions without reading the data", async () => {
    const df = await readCSV(taxi, { blocksize: 10_000 });
    expect(df.columns).toEqual(["id", "vendor", "passenger_count", "trip_distance", "fare", "tip", "pickup_ts", "dropoff_ts", "payment"]);
    expect(df.dtypes).toEqual(["int32", "string", "int32", "float32", "float32", "float32", "datetime", "datetime", "string"]);
    expect(df.npartitions).toBe(4);
  });

  test("equals danfo's readCSV on the whole file, for any block size", async () => {
    const expected = rows(await dfd.readCSV(taxi));
    for (const blocksize of [1_000, 7_777, "64MB"]) {
      const got = rows(await (await readCSV(taxi, { ...asStrings, blocksize })).compute(sync));
      expect(got).toEqual(expected);
    }
  });

  test("the threads scheduler gives the same frame", async () => {
    const df = await readCSV(taxi, { ...asStrings, blocksize: 5_000 });
    expect(rows(await df.compute({ scheduler: "threads", progress: false }))).toEqual(rows(await df.compute(sync)));
  });

  test("ISO datetimes are parsed as UTC datetimes", async () => {
    const out = await (await readCSV(taxi, { usecols: ["pickup_ts"] })).compute(sync);
    expect((out.values as unknown[][])[0]![0]).toEqual(new Date("2023-05-01T18:56:52Z"));
  });

  test("usecols keeps the file order of the columns given", async () => {
    const df = await readCSV(taxi, { usecols: ["tip", "id"] });
    expect(df.columns).toEqual(["id", "tip"]);
    const expected = rows(await dfd.readCSV(taxi));
    const got = rows(await df.compute(sync));
    expect(got.values).toEqual(expected.values.map((r) => [r[0], r[5]]));
  });

  test("only the projected columns are materialized by the read tasks", async () => {
    const source = await csvSource(taxi, { blocksize: 20_000 });
    const { tasks } = source.lower(["fare"]);
    expect(tasks.length).toBe(source.npartitions);
    const args = (tasks[0]!.args[0] as { lit: { options: { usecols: string[] } } }).lit;
    expect(args.options.usecols).toEqual(["fare"]);
    const df = await readCSV(taxi, { blocksize: 20_000 });
    const { graph, keys, meta } = df.toPartitions(["fare"]);
    expect(meta.columns).toEqual([{ name: "fare", dtype: "float64" }]);
    const readTasks = [...graph.toGraph().values()].filter((t) => t.op === "dataframe.io.read-csv");
    expect(readTasks.length).toBe(keys.length);
    for (const t of readTasks) expect((t.args[0] as { lit: { options: { usecols: string[] } } }).lit.options.usecols).toEqual(["fare"]);
  });

  test("dtypes override inference, with danfo's names accepted", async () => {
    const df = await readCSV(taxi, { dtypes: { id: "float32", passenger_count: "string" } });
    expect(df.dtypes.slice(0, 3)).toEqual(["float32", "string", "string"]);
    const out = rows(await df.compute(sync));
    expect(out.values[0]!.slice(0, 3)).toEqual([0, "VTS", "6"]);
  });

  test("a glob reads every matching file in name order", async () => {
    const d = join(dir, "parts");
    const text = "a,b\n1,x\n2,y\n";
    const { mkdirSync } = await import("node:fs");
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "p1.csv"), text);
    writeFileSync(join(d, "p0.csv"), "a,b\n0,w\n");
    writeFileSync(join(d, "p2.csv"), "a,b\n3.5,z\n");
    const df = await readCSV(join(d, "p*.csv"));
    expect(df.npartitions).toBe(3);
    expect(df.dtypes).toEqual(["float32", "string"]); // int32 in two files, float64 in one
    expect(rows(await df.compute(sync)).values).toEqual([[0, "w"], [1, "x"], [2, "y"], [3.5, "z"]]);
  });

  test("files with different headers are rejected naming both", async () => {
    const a = join(dir, "h1.csv");
    const b = join(dir, "h2.csv");
    writeFileSync(a, "a,b\n1,2\n");
    writeFileSync(b, "a,c\n1,2\n");
    const err = await readCSV([a, b]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain(a);
    expect((err as Error).message).toContain(b);
  });

  test("a missing file is an error at call time naming the path", async () => {
    const p = join(dir, "missing.csv");
    await expect(readCSV(p)).rejects.toThrow(p);
    await expect(readCSV(p)).rejects.toBeInstanceOf(ValidationError);
  });

  test("unknown usecols and bad options are rejected at call time", async () => {
    await expect(readCSV(taxi, { usecols: ["fair"] })).rejects.toThrow(/"fair".*columns are/);
    await expect(readCSV(taxi, { blocksize: "lots" })).rejects.toThrow(/blocksize/);
    await expect(readCSV(taxi, { dtypes: { id: "int64" } })).rejects.toThrow(/dtypes\["id"\]/);
    await expect(readCSV(taxi, { onBadLines: "ignore" as never })).rejects.toThrow(/onBadLines/);
  });

  describe("malformed lines", () => {
    const bad = join(dir, "bad.csv");
    beforeAll(() => writeFileSync(bad, "a,b\n1,2\n3,4\n5,6,7\n8,9\n"));

    test("fail the computation with the file and the line", async () => {
      const df = await readCSV(bad);
      const err = await df.compute(sync).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain(`${bad}:4`);
      expect((err as Error).message).toContain("onBadLines");
    });

    test("fail on threads too, as a TaskError naming file and line", async () => {
      const df = await readCSV(bad);
      const err = await df.compute({ scheduler: "threads", progress: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskError);
      expect((err as Error).message).toContain(`${bad}:4`);
    });

    test("are dropped with onBadLines: skip", async () => {
      const out = await (await readCSV(bad, { onBadLines: "skip" })).compute(sync);
      expect(rows(out).values).toEqual([[1, 2], [3, 4], [8, 9]]);
    });

    test("are dropped and printed once with onBadLines: warn", async () => {
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      try {
        const out = await (await readCSV(bad, { onBadLines: "warn" })).compute(sync);
        expect(rows(out).values).toEqual([[1, 2], [3, 4], [8, 9]]);
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0]![0])).toContain(`${bad}:4`);
      } finally {
        warn.mockRestore();
      }
    });
  });

  test("a column inferred int32 that later holds decimals fails with the dtypes fix", async () => {
    const p = join(dir, "widen.csv");
    const head = Array.from({ length: 150_000 }, (_, i) => `${i},1`).join("\n");
    writeFileSync(p, `a,b\n${head}\n0.5,1\n`);
    const df = await readCSV(p, { blocksize: 400_000 });
    expect(df.dtypes[0]).toBe("int32");
    const err = await df.compute(sync).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).cause).toBeInstanceOf(MetadataMismatchError);
    expect((err as Error).message).toContain(`dtypes: { "a": "float64" }`);
    const fixed = await readCSV(p, { blocksize: 400_000, dtypes: { a: "float64" } });
    const values = rows(await fixed.compute(sync)).values;
    expect(values.length).toBe(150_001);
    expect(values[150_000]).toEqual([0.5, 1]);
  });

  fcTest.prop([
    fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.oneof(fc.constant(""), fc.string({ unit: "grapheme-ascii", maxLength: 6 })), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 })), { maxLength: 40 }),
    fc.integer({ min: 1, max: 200 }),
  ], { numRuns: 25 })("any block size gives the rows of the file, once each", async (data, blocksize) => {
    const p = join(dir, "prop.csv");
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    writeFileSync(p, "i,s,x\n" + data.map(([i, s, x]) => `${i},${quote(s)},${x}`).join("\n") + (data.length ? "\n" : ""));
    const df = await readCSV(p, { blocksize, dtypes: { i: "int32", s: "string", x: "float64" } });
    const got = rows(await df.compute(sync)).values;
    expect(got).toEqual(data.map(([i, s, x]) => [i, s === "" ? null : s, x === 0 ? 0 : x]));
  });
});
