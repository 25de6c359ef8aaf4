import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { tableFromArrays } from "apache-arrow";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { encodeValue, decodeValue } from "../../src/graph/codec.js";
import { compute } from "../../src/graph/compute.js";
import { DataFrame, fromArrow, fromDanfo, makePartition, fromValues, frameMeta, readColumn, toValues } from "../../src/dataframe/index.js";
import { assertEq, computePartitions } from "./helpers/assert-eq.js";
import { frameAndPartitions, toDanfo } from "./helpers/frames.js";

afterAll(() => shutdownPools());

describe("fromDanfo → compute", () => {
  test.prop([frameAndPartitions()], { numRuns: 40 })("round-trips any frame under any partitioning", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    expect(df.npartitions).toBe(lengths.length);
    expect(df.columns).toEqual(d.columns);
    expect(df.dtypes).toEqual(d.dtypes);
    await assertEq(df, d);
  });

  vtest("gives danfo's dtype labels and stores float64", () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [0.1, 0.2], i: [1, 2], s: ["a", "b"], b: [true, false] }));
    expect(df.dtypes).toEqual(["float32", "int32", "string", "boolean"]);
    expect(df.meta.columns.map((c) => c.dtype)).toEqual(["float64", "int32", "string", "boolean"]);
  });

  vtest("keeps every digit of a double (danfo labels float32 but holds doubles)", async () => {
    const x = [0.1 + 0.2, 1 / 3, 1e-300, 123456789.123456789];
    const out = await fromDanfo(new dfd.DataFrame({ x }), { npartitions: 2 }).compute({ scheduler: "sync", progress: false });
    expect(out.column("x").values).toEqual(x);
  });

  vtest("runs on the threads scheduler with the same result", async () => {
    const d = new dfd.DataFrame({ a: [1, 2, 3, 4, 5], s: ["x", null, "y", "x", "z"] });
    const df = fromDanfo(d, { npartitions: 3 });
    const q = df.query(df.column("a").gt(1)).addColumn("u", df.column("s").str.toUpperCase());
    const out = await q.compute({ scheduler: "threads", progress: false });
    expect(out.values).toEqual([[2, null, null], [3, "y", "Y"], [4, "x", "X"], [5, "z", "Z"]]);
  });
});

describe("Arrow edges", () => {
  vtest("fromArrow splits a table and toArrow gives it back", async () => {
    const table = tableFromArrays({ x: Float64Array.from([1, 2, 3, 4, 5]), n: Int32Array.from([5, 4, 3, 2, 1]), s: ["a", "b", "a", "c", "b"] });
    const df = fromArrow(table, { npartitions: 2 });
    expect(df.npartitions).toBe(2);
    expect(df.dtypes).toEqual(["float32", "int32", "string"]);
    const back = await df.toArrow({ scheduler: "sync", progress: false });
    expect(back.numRows).toBe(5);
    expect([...back.getChild("x")!]).toEqual([1, 2, 3, 4, 5]);
    expect([...back.getChild("s")!]).toEqual(["a", "b", "a", "c", "b"]);
  });

  vtest("fromArrow joins a table of several batches (strings with different dictionaries, nulls)", async () => {
    const a = tableFromArrays({ x: Float64Array.from([1, 2, 3]), n: Int32Array.from([7, 8, 9]), s: ["a", "b", "a"] });
    const b = tableFromArrays({ x: Float64Array.from([4, 5]), n: Int32Array.from([1, 2]), s: ["c", "a"] });
    const table = a.concat(b);
    expect(table.batches.length).toBe(2);
    const df = fromArrow(table, { npartitions: 3 });
    const back = await df.toArrow({ scheduler: "sync", progress: false });
    expect([...back.getChild("x")!]).toEqual([1, 2, 3, 4, 5]);
    expect([...back.getChild("n")!]).toEqual([7, 8, 9, 1, 2]);
    expect([...back.getChild("s")!]).toEqual(["a", "b", "a", "c", "a"]);
  });

  vtest("Series.toArrow gives a one-column table", async () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }), { npartitions: 2 });
    const t = await df.column("x").gt(1).toArrow({ scheduler: "sync", progress: false });
    expect(t.schema.fields.map((f) => f.name)).toEqual(["x"]);
    expect([...t.getChild("x")!]).toEqual([false, true, true]);
  });

  vtest("datetimes travel as Float64 ms inside and as Timestamp(ms) out", async () => {
    const meta = frameMeta([["t", "datetime"]]);
    const part = makePartition(meta, [fromValues("datetime", [new Date(0), null, new Date(86_400_000)])]);
    const df = DataFrame.fromGraph((await import("../../src/dataframe/edges.js")).fromPartitions([part], meta, "t", 1).toPartitions().graph,
      (await import("../../src/dataframe/edges.js")).fromPartitions([part], meta, "t", 1).toPartitions().keys, meta);
    const table = await df.toArrow({ scheduler: "sync", progress: false });
    expect(String(table.schema.fields[0]!.type)).toBe("Timestamp<MILLISECOND>");
    expect(table.getChild("t")!.get(2)).toBe(86_400_000);
  });
});

describe("partition codec", () => {
  vtest("round-trips every dtype with nulls through its buffers without IPC", () => {
    const meta = frameMeta([["f", "float64"], ["i", "int32"], ["s", "string"], ["b", "boolean"], ["t", "datetime"]]);
    const cols = [
      fromValues("float64", [1.5, null, NaN]), fromValues("int32", [1, 2, null]), fromValues("string", ["a", null, "a"]),
      fromValues("boolean", [true, null, false]), fromValues("datetime", [0, 1000, null]),
    ];
    const part = makePartition(meta, cols);
    const enc = encodeValue(part);
    expect(enc.codec).toBe("dataframe.partition");
    const back = decodeValue({ ...enc, buffers: enc.buffers.map((b) => b.slice()) }) as typeof part;
    expect(back.numRows).toBe(3);
    meta.columns.forEach((c, j) => {
      const v = toValues(readColumn(back, j), 3);
      expect(v.map((x) => (x instanceof Date ? x.getTime() : x))).toEqual(toValues(cols[j]!, 3).map((x) => (x instanceof Date ? x.getTime() : x)));
    });
  });

  vtest("encodes float columns as views of the original buffers (zero copy)", () => {
    const values = new Float64Array([1, 2, 3]);
    const part = makePartition(frameMeta([["x", "float64"]]), [{ dtype: "float64", values, validity: null, nullCount: 0 }]);
    const enc = encodeValue(part);
    expect(enc.buffers[0]!.buffer).toBe(values.buffer);
  });
});

describe("shared buffers across threads", () => {
  vtest("two results passing through columns of one shared partition stay intact on threads, computed twice", async () => {
    const n = 20000;
    const d = new dfd.DataFrame({ a: Array.from({ length: n }, (_, i) => i), b: Array.from({ length: n }, (_, i) => i * 0.5) });
    const df = fromDanfo(d, { npartitions: 4 });
    const src = df.addColumn("c", df.column("a").mul(2)); // read by both results
    for (let k = 0; k < 2; k++) {
      const [x, y] = await compute(src.query(src.column("a").lt(10)), src.query(src.column("a").ge(n - 10)), { scheduler: "threads", progress: false });
      expect(x.shape[0]).toBe(10);
      expect(y.column("b").values).toEqual(Array.from({ length: 10 }, (_, i) => (n - 10 + i) * 0.5));
    }
    expect((await df.compute({ scheduler: "threads", progress: false })).shape[0]).toBe(n);
  });
});

describe("computePartitions helper", () => {
  vtest("exposes per-partition results", async () => {
    const df = fromDanfo(new dfd.DataFrame({ a: [1, 2, 3] }), { lengths: [0, 1, 2] });
    const { parts } = await computePartitions(df);
    expect(parts.map((p) => p.numRows)).toEqual([0, 1, 2]);
  });
});
