/**
 * User functions (apply, applyMap, map, mapPartitions), positional selection (iloc),
 * Series.dropNa, Series of different frames, datetime columns.
 */
import { afterAll, describe, expect, test as vtest } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import type { RecordBatch } from "apache-arrow";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo, type Series } from "../../src/dataframe/index.js";
import { assertEq } from "./helpers/assert-eq.js";
import { frameAndPartitions, toDanfo } from "./helpers/frames.js";

process.env.TZ = "UTC";
afterAll(() => shutdownPools());

const RUNS = { numRuns: 20 };
const SYNC = { scheduler: "sync" as const, progress: false };

describe("apply, applyMap, map", () => {
  test.prop([frameAndPartitions({ kinds: ["int32", "string"], nulls: false }).filter((x) => x.frame.nrows > 0)], RUNS)("Series.apply and map match danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    await assertEq(df.column("i0").apply((x: number) => x * 2 + 1), d.column("i0").apply((x: number) => x * 2 + 1), { checkDtypes: false });
    await assertEq(df.column("s1").apply((x: string) => `<${x}>`), d.column("s1").apply((x: string) => `<${x}>`));
    await assertEq(df.column("s1").map({ a: "A", b: "B" }), { columns: ["s1"], values: [(d.column("s1").values as string[]).map((v) => ({ a: "A", b: "B" } as Record<string, string>)[v] ?? null)] });
  });

  vtest("apply takes extra values in { args } and infers the output dtype", async () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }), { npartitions: 2 });
    const s = df.column("x").apply((x: number, k: number) => x > k, { args: [1] });
    expect(s.dtype).toBe("boolean");
    expect((await s.compute(SYNC)).values).toEqual([false, true, true]);
  });

  vtest("applyMap runs per value of every column", async () => {
    const d = new dfd.DataFrame({ a: [1, 2], b: [3, 4] });
    const out = await fromDanfo(d, { npartitions: 2 }).applyMap((x: number) => x * 10).compute(SYNC);
    expect(out.values).toEqual(d.applyMap((x: number) => x * 10).values);
  });

  vtest("DataFrame.apply with axis 1 gives a Series of one value per row", async () => {
    const d = new dfd.DataFrame({ a: [1, 2, 3], b: [10, 20, 30] });
    const s = fromDanfo(d, { npartitions: 2 }).apply((row: number[]) => row[0]! + row[1]!, { axis: 1 }) as Series;
    expect((await s.compute(SYNC)).values).toEqual((d.apply((row: number[]) => row[0]! + row[1]!, { axis: 1 }) as dfd.Series).values);
  });
});

describe("mapPartitions", () => {
  vtest("receives a danfo DataFrame, the args and the partition index", async () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3, 4] }), { npartitions: 2 });
    const out = df.mapPartitions((part: dfd.DataFrame, k: number, i: number) => part.addColumn("y", part.column("x").mul(k).add(i)), { args: [10], meta: { x: "int32", y: "float32" } });
    expect(out.columns).toEqual(["x", "y"]);
    expect((await out.compute(SYNC)).values).toEqual([[1, 10], [2, 20], [3, 31], [4, 41]]);
  });

  vtest("gives an Arrow RecordBatch with { arrow: true } and runs on threads", async () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3, 4, 5] }), { npartitions: 3 });
    const out = df.mapPartitions((part: RecordBatch) => part.slice(0, 1), { arrow: true });
    // 5 rows in 3 partitions: [1], [2, 3], [4, 5]
    expect((await out.compute({ scheduler: "threads", progress: false })).values).toEqual([[1], [2], [4]]);
  });
});

describe("iloc", () => {
  test.prop([frameAndPartitions({ kinds: ["int32", "string"] }), fc.nat(40), fc.nat(40)], RUNS)("rows as a range match danfo", async ({ frame, lengths }, a, b) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const start = Math.min(a, b, frame.nrows);
    const end = Math.min(Math.max(a, b), frame.nrows);
    const exp = { columns: d.columns, dtypes: d.dtypes, values: frame.columns.map((c) => c.slice(start, end)) };
    await assertEq(df.iloc({ rows: `${start}:${end}` }), exp);
    // without known partition lengths (after a row-wise step)
    await assertEq(df.query(df.column("i0").ne(-99999).or(df.column("i0").isNa())).iloc({ rows: `${start}:${end}` }), exp);
  });

  vtest("rows as increasing positions and columns as positions", async () => {
    const d = new dfd.DataFrame({ a: [0, 1, 2, 3, 4, 5], b: ["u", "v", "w", "x", "y", "z"] });
    const df = fromDanfo(d, { lengths: [2, 0, 3, 1] });
    const out = await df.iloc({ rows: [0, 3, 5], columns: [1] }).compute(SYNC);
    expect(out.values).toEqual(d.iloc({ rows: [0, 3, 5], columns: [1] }).values);
    expect(() => df.iloc({ rows: [3, 1] })).toThrow(/compute\(\)/);
  });
});

describe("Series across frames and row filters", () => {
  vtest("a Series of the unfiltered frame added to a filtered frame stays aligned by row", async () => {
    const d = new dfd.DataFrame({ fare: [5, 12, 30, 8], tip: [1, 2, 3, 4] });
    const df = fromDanfo(d, { npartitions: 2 });
    const out = await df.query(df.column("fare").gt(10)).addColumn("total", df.column("fare").add(df.column("tip"))).compute(SYNC);
    expect(out.values).toEqual([[12, 2, 14], [30, 3, 33]]);
  });

  vtest("Series of two frames partitioned alike are zipped by partition", async () => {
    const a = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }), { lengths: [1, 2] });
    const b = fromDanfo(new dfd.DataFrame({ y: [10, 20, 30] }), { lengths: [1, 2] });
    expect((await a.column("x").add(b.column("y")).compute(SYNC)).values).toEqual([11, 22, 33]);
    const c = fromDanfo(new dfd.DataFrame({ y: [10, 20, 30] }), { lengths: [2, 1] });
    await expect(a.column("x").add(c.column("y")).compute(SYNC)).rejects.toThrow(/different lengths/);
  });

  test.prop([frameAndPartitions({ kinds: ["float64", "int32"] })], RUNS)("Series.dropNa matches danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const vals = frame.columns[0]!.filter((v) => v !== null && !Number.isNaN(v));
    await assertEq(df.column("f0").dropNa(), { columns: ["f0"], dtypes: ["float32"], values: [vals] });
  });
});

describe("boolean arrays as masks", () => {
  test.prop([frameAndPartitions({ kinds: ["int32", "string"] }).chain((x) => fc.array(fc.boolean(), { minLength: x.frame.nrows, maxLength: x.frame.nrows }).map((mask) => ({ ...x, mask })))], RUNS)("query and loc({ rows }) with a boolean array match danfo", async ({ frame, lengths, mask }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const exp = { columns: d.columns, dtypes: d.dtypes, values: frame.columns.map((c) => c.filter((_, i) => mask[i])) };
    await assertEq(df.query(mask), exp);
    await assertEq(df.loc({ rows: mask, columns: ["s1"] }), { columns: ["s1"], dtypes: ["string"], values: [exp.values[1]!] });
    if (mask.some(Boolean)) await assertEq(df.query(mask), d.query(mask as never));
  });

  vtest("after a filter, an array mask is refused with the fix", () => {
    const df = fromDanfo(new dfd.DataFrame({ x: [1, 2, 3] }));
    expect(() => df.query(df.column("x").gt(1)).query([true, false])).toThrow(/row count is known/);
    expect(() => df.loc({ rows: [0, 1] as never })).toThrow(/compute\(\)/);
  });
});

describe("datetime columns", () => {
  vtest("dt fields of a datetime column; nulls stay null", async () => {
    const t = [new Date("2024-03-05T07:08:09Z"), null, new Date("1999-12-31T23:59:59Z")];
    const d = new dfd.DataFrame({ t }, { columns: ["t"], dtypes: ["datetime"] });
    const df = fromDanfo(d, { npartitions: 2 });
    expect(df.dtypes).toEqual(["datetime"]);
    expect((await df.column("t").dt.year().compute(SYNC)).values).toEqual([2024, null, 1999]);
    expect((await df.column("t").dt.month().compute(SYNC)).values).toEqual([2, null, 11]);
    expect((await df.column("t").dt.monthName().compute(SYNC)).values).toEqual(["March", null, "December"]);
    const after = df.column("t").gt(new Date("2000-01-01T00:00:00Z"));
    expect((await after.compute(SYNC)).values).toEqual([true, false, false]);
    const back = await df.compute(SYNC);
    expect(back.dtypes).toEqual(["datetime"]);
    expect((back.column("t").values as unknown[])[0]).toEqual(t[0]);
  });
});

describe("lazy scalars in expressions", () => {
  vtest("a Series minus its own mean (a reduction) is one graph, computed on threads", async () => {
    const x = [1, 2, 3, 4, 10];
    const df = fromDanfo(new dfd.DataFrame({ x }), { npartitions: 2 });
    const s = df.column("x");
    const centered = s.sub(s.mean());
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    expect((await centered.compute({ scheduler: "threads", progress: false })).values).toEqual(x.map((v) => v - mean));
    const big = df.query(s.gt(s.mean()));
    expect((await big.compute(SYNC)).values).toEqual([[10]]);
  });
});
