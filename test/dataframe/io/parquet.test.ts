import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Field, Int64, LargeUtf8, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, vectorFromArray } from "apache-arrow";
import * as dfd from "danfojs-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ValidationError } from "../../../src/errors.js";
import { shutdownPools } from "../../../src/graph/local/pool.js";
import { readCSV } from "../../../src/dataframe/io/read-csv.js";
import { parquetSource, readParquet } from "../../../src/dataframe/io/read-parquet.js";
import { toParquet } from "../../../src/dataframe/io/write.js";
import { loadParquetWasm } from "../../../src/dataframe/io/parquet-write.js";
import { writeSampleTaxiCsv } from "../../../src/dataframe/io/sample-taxi.js";
import { fromDanfo } from "../../../src/dataframe/edges.js";
import { rows, tempDir } from "./helpers.js";

const sync = { scheduler: "sync", progress: false } as const;
const { dir, cleanup } = tempDir();
const taxi = join(dir, "taxi.csv");

beforeAll(async () => {
  await writeSampleTaxiCsv(taxi, 300);
});
afterAll(async () => {
  cleanup();
  await shutdownPools();
});

/** A Parquet file with one Int64 column, written by parquet-wasm (one row group per `groups` entry). */
async function int64File(path: string, groups: bigint[][]): Promise<void> {
  const pw = await loadParquetWasm();
  const batches = groups.map((g) => {
    const schema = new Schema([new Field("n", new Int64(), false)]);
    const child = makeData({ type: new Int64(), length: g.length, nullCount: 0, data: BigInt64Array.from(g) as never });
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: g.length, nullCount: 0, children: [child] }));
  });
  const props = new pw.WriterPropertiesBuilder().setMaxRowGroupSize(groups[0]!.length).build();
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(new Table(batches), "stream")), props));
}

describe("Parquet", () => {
  test("CSV → frame → Parquet → frame gives the same frame, one file per partition", async () => {
    const df = await readCSV(taxi, { blocksize: 8_000 });
    const out = join(dir, "pq");
    const paths = await toParquet(df, out, sync);
    expect(paths.length).toBe(df.npartitions);
    expect(readdirSync(out).sort()).toEqual(paths.map((_, i) => `part.${i}.parquet`).sort());
    const back = await readParquet(out);
    expect(back.columns).toEqual(df.columns);
    expect(back.dtypes).toEqual(df.dtypes);
    expect(back.npartitions).toBe(df.npartitions);
    expect(rows(await back.compute(sync))).toEqual(rows(await df.compute(sync)));
  });

  test("equals danfo's frame after a round trip through the threads scheduler", async () => {
    const d = new dfd.DataFrame({ x: [1.5, null, 3, 4.25], s: ["a", null, "b", "a"], b: [true, false, false, true], i: [1, 2, 3, 4] });
    const df = fromDanfo(d, { npartitions: 2 });
    const out = join(dir, "pq2");
    await toParquet(df, out, { scheduler: "threads", progress: false, compression: "zstd" });
    const back = await readParquet(join(out, "*.parquet"));
    expect(rows(await back.compute({ scheduler: "threads", progress: false }))).toEqual(rows(d));
  });

  test("plain and large Utf8 columns (short, long, unicode, empty, null) become dictionary strings", async () => {
    const pw = await loadParquetWasm();
    const values = ["ORD", "a", "", null, "ORD", "a\u0000", "été", "a much longer string", "ORD", "🦣", "a"];
    for (const type of [new Utf8(), new LargeUtf8()]) {
      const v = vectorFromArray(values, type as never);
      const schema = new Schema([new Field("s", type, true)]);
      const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: v.length, nullCount: 0, children: [v.data[0]!] }));
      const p = join(dir, `strings-${String(type)}.parquet`);
      writeFileSync(p, pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(new Table([batch]), "stream"))));
      const df = await readParquet(p);
      expect(df.dtypes).toEqual(["string"]);
      expect(rows(await df.compute(sync)).values).toEqual(values.map((x) => [x]));
    }
  });

  test("row groups are partitions with lengths known at call time", async () => {
    const p = join(dir, "groups.parquet");
    await int64File(p, [[1n, 2n, 3n], [4n, 5n, 6n], [7n]]);
    const source = await parquetSource(p);
    expect(source.npartitions).toBe(3);
    expect(source.lengths).toEqual([3, 3, 1]);
  });

  test("Int64 columns become int32 when every value fits", async () => {
    const p = join(dir, "small-ints.parquet");
    await int64File(p, [[1n, -2147483648n], [2147483647n, 0n]]);
    const df = await readParquet(p);
    expect(df.dtypes).toEqual(["int32"]);
    expect(rows(await df.compute(sync)).values).toEqual([[1], [-2147483648], [2147483647], [0]]);
  });

  test("Int64 columns become float64 when a value does not fit in int32, or when asked", async () => {
    const p = join(dir, "big-ints.parquet");
    await int64File(p, [[1n, 2n], [2147483648n, 9007199254740991n]]);
    const df = await readParquet(p);
    expect(df.dtypes).toEqual(["float32"]); // danfo's label of float64
    expect(rows(await df.compute(sync)).values).toEqual([[1], [2], [2147483648], [9007199254740991]]);
    const asked = await readParquet(join(dir, "small-ints.parquet"), { int64: "float64" });
    expect(asked.meta.columns[0]!.dtype).toBe("float64");
  });

  test("only the requested columns are decoded", async () => {
    const df = await readCSV(taxi);
    await toParquet(df, join(dir, "pq3"), sync);
    const back = await readParquet(join(dir, "pq3"), { columns: ["fare", "vendor"] });
    expect(back.columns).toEqual(["vendor", "fare"]);
    const { graph } = back.toPartitions(["fare"]);
    const reads = [...graph.toGraph().values()].filter((t) => t.op === "dataframe.io.read-parquet");
    expect(reads.every((t) => JSON.stringify((t.args[0] as { lit: { columns: string[] } }).lit.columns) === '["fare"]')).toBe(true);
    const expected = rows(await dfd.readCSV(taxi));
    expect(rows(await back.compute(sync)).values).toEqual(expected.values.map((r) => [r[1], r[4]]));
  });

  test("a missing file or a non-Parquet file is an error naming it", async () => {
    await expect(readParquet(join(dir, "nope.parquet"))).rejects.toThrow(join(dir, "nope.parquet"));
    const err = await readParquet(taxi).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain(taxi);
  });

  test("rewriting a folder with fewer partitions removes the stale files", async () => {
    const out = join(dir, "pq4");
    await toParquet(await readCSV(taxi, { blocksize: 5_000 }), out, sync);
    const many = readdirSync(out).length;
    await toParquet(await readCSV(taxi), out, sync);
    expect(many).toBeGreaterThan(1);
    expect(readdirSync(out)).toEqual(["part.0.parquet"]);
    expect(rows(await (await readParquet(out)).compute(sync)).values.length).toBe(300);
  });
});
