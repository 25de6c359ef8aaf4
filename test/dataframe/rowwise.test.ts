/**
 * Row-wise operations: chunked results equal danfo's on the whole frame, for random
 * frames and random partitionings. Where tusk documents a difference from danfo (a null
 * in arithmetic gives null, not danfo's 0; comparisons with a null are false; string
 * methods keep null where danfo gives NaN), the expected values are danfo's with those
 * rows set as the documented rule says.
 */
import { afterAll, describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import * as dfd from "danfojs-node";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo } from "../../src/dataframe/index.js";
import { assertEq } from "./helpers/assert-eq.js";
import { frameAndPartitions, toDanfo, type FrameSpec } from "./helpers/frames.js";

// danfo reads dates in local time, tusk in UTC: compare in UTC.
process.env.TZ = "UTC";

afterAll(() => shutdownPools());

const RUNS = { numRuns: 25 };
const isNull = (v: unknown): boolean => v === null || v === undefined;
/** danfo's values with rows where any input is null replaced by `fill`. */
function masked(values: unknown[], inputs: unknown[][], fill: unknown = null): unknown[] {
  return values.map((v, i) => (inputs.some((c) => isNull(c[i])) ? fill : v));
}
function col(spec: FrameSpec, name: string): unknown[] {
  return spec.columns[spec.names.indexOf(name)]!;
}
const NUM = { kinds: ["int32", "float64", "int32"] as const };

describe("arithmetic and comparison", () => {
  const arith = ["add", "sub", "mul", "div", "pow", "mod"] as const;
  test.prop([frameAndPartitions({ ...NUM, nan: false }), fc.constantFrom(...arith)], RUNS)("Series ⊕ Series matches danfo (null → null)", async ({ frame, lengths }, op) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const got = df.column("f1")[op](df.column("i0"));
    const exp = (d.column("f1")[op](d.column("i0")) as dfd.Series).values as number[];
    await assertEq(got, { columns: ["f1"], values: [masked(exp, [col(frame, "f1"), col(frame, "i0")])] }, { rtol: 1e-12 });
    expect(got.dtype).toBe("float32");
  });

  test.prop([frameAndPartitions(NUM), fc.constantFrom("add", "sub", "mul", "mod"), fc.integer({ min: -5, max: 5 }).filter((x) => x !== 0)], RUNS)("int32 ⊕ int scalar stays int32 and matches danfo", async ({ frame, lengths }, op, k) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const got = df.column("i0")[op as "add"](k);
    const exp = (d.column("i0")[op as "add"](k) as dfd.Series).values as number[];
    expect(got.dtype).toBe("int32");
    await assertEq(got, { columns: ["i0"], values: [masked(exp, [col(frame, "i0")])] });
  });

  test.prop([frameAndPartitions({ ...NUM, nan: false }), fc.constantFrom("maximum", "minimum")], RUNS)("maximum / minimum of two Series match danfo", async ({ frame, lengths }, op) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    if (frame.nrows === 0) return;
    const exp = (d.column("f1")[op](d.column("i0")) as dfd.Series).values as number[];
    await assertEq(df.column("f1")[op](df.column("i0")), { columns: ["f1"], values: [masked(exp, [col(frame, "f1"), col(frame, "i0")])] });
  });

  test.prop([frameAndPartitions({ ...NUM, nan: false })], RUNS)("DataFrame divNoNan by a scalar matches danfo", async ({ frame, lengths }) => {
    // danfo divides in float32 (tfjs): use values float32 holds exactly (quarters) so digits compare.
    const d = toDanfo({ ...frame, names: ["i0", "f1"], kinds: ["int32", "float64"], columns: frame.columns.slice(0, 2).map((c) => c.map((v) => Math.round(((v as number | null) ?? 0) * 4) / 4)) });
    const df = fromDanfo(d, { lengths });
    if (frame.nrows === 0) return;
    await assertEq(df.divNoNan(0), d.divNoNan(0), { checkDtypes: false });
    await assertEq(df.divNoNan(4), d.divNoNan(4), { checkDtypes: false, rtol: 1e-6 });
  });

  test.prop([frameAndPartitions(NUM), fc.constantFrom("gt", "ge", "lt", "le", "eq", "ne"), fc.integer({ min: -3, max: 3 })], RUNS)("comparison with a scalar matches danfo (null → false, ne → true)", async ({ frame, lengths }, op, k) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const exp = (d.column("i0")[op as "gt"](k) as dfd.Series).values as boolean[];
    await assertEq(df.column("i0")[op as "gt"](k), { columns: ["i0"], dtypes: ["boolean"], values: [masked(exp, [col(frame, "i0")], op === "ne")] });
  });

  test.prop([frameAndPartitions({ kinds: ["int32", "int32"] })], RUNS)("and / or of masks match danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const a = df.column("i0").gt(0); const b = df.column("i1").lt(100);
    const da = d.column("i0").gt(0); const db = d.column("i1").lt(100);
    const nulls = [col(frame, "i0"), col(frame, "i1")];
    const andExp = (da.and(db).values as boolean[]).map((v, i) => (isNull(nulls[0]![i]) ? false : isNull(nulls[1]![i]) ? false : v));
    const orExp = (da.or(db).values as boolean[]).map((v, i) => {
      const x = !isNull(nulls[0]![i]) && (nulls[0]![i] as number) > 0;
      const y = !isNull(nulls[1]![i]) && (nulls[1]![i] as number) < 100;
      return isNull(nulls[0]![i]) || isNull(nulls[1]![i]) ? x || y : v;
    });
    await assertEq(a.and(b), { columns: ["i0"], values: [andExp] });
    await assertEq(a.or(b), { columns: ["i0"], values: [orExp] });
  });

  test.prop([frameAndPartitions(NUM), fc.integer({ min: 0, max: 3 })], RUNS)("abs and round match danfo", async ({ frame, lengths }, dp) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    await assertEq(df.column("f1").round(dp), d.column("f1").round(dp));
    const absExp = masked(d.column("f1").abs().values as number[], [col(frame, "f1")]);
    await assertEq(df.column("f1").abs(), { columns: ["f1"], dtypes: ["float32"], values: [absExp] });
  });
});

describe("frame verbs", () => {
  test.prop([frameAndPartitions({ kinds: ["int32", "float64"], nan: false, nulls: false }), fc.constantFrom("add", "sub", "mul", "gt", "le", "eq"), fc.integer({ min: -3, max: 3 })], RUNS)("DataFrame ⊕ scalar matches danfo on every column", async ({ frame, lengths }, op, k) => {
    if (frame.nrows === 0) return;
    // danfo computes frame arithmetic in float32 (tfjs): compare quarters, which float32 holds exactly.
    const spec = { ...frame, columns: frame.columns.map((c) => c.map((v) => Math.round((v as number) * 4) / 4)) };
    const d = toDanfo(spec);
    const df = fromDanfo(d, { lengths });
    await assertEq(df[op as "add"](k), d[op as "add"](k), { checkDtypes: false, rtol: 1e-6 });
  });

  test.prop([frameAndPartitions(), fc.integer({ min: -500, max: 500 })], RUNS)("query matches danfo", async ({ frame, lengths }, k) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    // danfo's gt treats a null as 0; tusk's is false: filter nulls out of danfo's mask for the reference.
    const mask = (frame.nrows ? (d.column("i0").values as unknown[]) : []).map((v) => !isNull(v) && (v as number) > k);
    const ref = mask.some(Boolean) ? d.query(mask as never) : undefined;
    const got = df.query(df.column("i0").gt(k));
    if (ref) await assertEq(got, ref);
    else await assertEq(got, { columns: d.columns, dtypes: d.dtypes, values: d.columns.map(() => []) });
  });

  test.prop([frameAndPartitions()], RUNS)("loc columns, drop, rename and addColumn match danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    await assertEq(df.loc({ columns: ["s2", "i0"] }), d.loc({ columns: ["s2", "i0"] }));
    await assertEq(df.drop({ columns: ["f1"] }), d.drop({ columns: ["f1"] }));
    await assertEq(df.rename({ i0: "n", s2: "t" }), d.rename({ i0: "n", s2: "t" }));
    if (frame.nrows > 0) {
      const exp = d.addColumn("k", d.column("s2").str.toUpperCase());
      const expVals = exp.column("k").values as unknown[];
      const got = df.addColumn("k", df.column("s2").str.toUpperCase());
      // danfo labels an all-null column float32; tusk keeps the string dtype of str.toUpperCase.
      await assertEq(got, { columns: exp.columns, dtypes: [...d.dtypes, "string"], values: [...frame.columns, masked(expVals, [col(frame, "s2")])] });
    }
  });

  test.prop([frameAndPartitions()], RUNS)("isNa, fillNa, dropNa match danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    if (frame.nrows > 0) await assertEq(df.isNa(), d.isNa());
    else await assertEq(df.isNa(), { columns: d.columns, dtypes: d.columns.map(() => "boolean"), values: d.columns.map(() => []) });
    // danfo's fillNa({ columns }) writes into the frame it is called on: give it a fresh copy each time.
    await assertEq(df.fillNa(7, { columns: ["i0", "f1"] }), toDanfo(frame).fillNa(7, { columns: ["i0", "f1"] }));
    await assertEq(df.fillNa("zz", { columns: ["s2"] }), toDanfo(frame).fillNa("zz", { columns: ["s2"] }));
    const d2 = toDanfo(frame);
    const dropped = df.dropNa();
    if (frame.nrows > 0 && (d2.dropNa() as dfd.DataFrame).shape[0] > 0) await assertEq(dropped, d2.dropNa());
    else await assertEq(dropped, { columns: d.columns, dtypes: d.dtypes, values: d.columns.map(() => []) });
  });

  test.prop([frameAndPartitions({ kinds: ["int32", "string"] })], RUNS)("replace and asType match danfo", async ({ frame, lengths }) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    // danfo's replace and asType throw on a null (null.toString()): compare where danfo can.
    if (col(frame, "s1").every((v) => !isNull(v)) && col(frame, "i0").every((v) => !isNull(v)) && frame.nrows > 0) {
      await assertEq(df.replace("a", "A", { columns: ["s1"] }), toDanfo(frame).replace("a", "A", { columns: ["s1"] }));
      await assertEq(df.replace(3, 30, { columns: ["i0"] }), toDanfo(frame).replace(3, 30, { columns: ["i0"] }));
      const exp = d.asType("i0", "string");
      await assertEq(df.asType("i0", "string"), { columns: exp.columns, dtypes: exp.dtypes, values: [masked(exp.column("i0").values as unknown[], [col(frame, "i0")]), col(frame, "s1")] });
    }
  });
});

describe("str and dt", () => {
  const methods: Array<[string, unknown[]]> = [
    ["toLowerCase", []], ["toUpperCase", []], ["capitalize", []], ["charAt", [1]], ["concat", ["!", 0]], ["startsWith", ["a"]],
    ["endsWith", ["b"]], ["includes", ["a"]], ["indexOf", ["a"]], ["lastIndexOf", ["b"]], ["replace", ["a", "-"]], ["repeat", [2]],
    ["search", ["b"]], ["slice", [0, 2]], ["split", [","]], ["substr", [1, 2]], ["substring", [1, 3]], ["trim", []], ["join", ["x", "-"]], ["len", []],
  ];
  test.prop([frameAndPartitions({ kinds: ["string"] }).filter((x) => x.frame.nrows > 0), fc.constantFrom(...methods)], { numRuns: 40 })("str methods match danfo (null stays null)", async ({ frame, lengths }, [method, args]) => {
    const d = toDanfo(frame);
    const df = fromDanfo(d, { lengths });
    const got = (df.column("s0").str as unknown as Record<string, (...a: unknown[]) => ReturnType<typeof df.column>>)[method]!(...args);
    const exp = ((d.column("s0").str as unknown as Record<string, (...a: unknown[]) => dfd.Series>)[method]!(...args)).values as unknown[];
    await assertEq(got, { columns: ["s0"], values: [masked(exp, [col(frame, "s0")])] });
  });

  // danfo's dt fails on a null (new Date("null")), so the reference has none; tusk keeps a null as null (tested below).
  test.prop([fc.array(fc.integer({ min: 0, max: 4e12 }), { minLength: 1, maxLength: 20 }), fc.constantFrom("year", "month", "dayOfMonth", "dayOfWeek", "hours", "minutes", "seconds", "monthName", "dayOfWeekName")], RUNS)("dt methods on date strings match danfo (UTC)", async (ms, method) => {
    const strings = ms.map((m) => new Date(m).toISOString());
    const d = new dfd.DataFrame({ t: strings }, { columns: ["t"], dtypes: ["string"] });
    const df = fromDanfo(d, { npartitions: 3 });
    const got = (df.column("t").dt as unknown as Record<string, () => ReturnType<typeof df.column>>)[method]!();
    const exp = ((d.column("t").dt as unknown as Record<string, () => dfd.Series>)[method]!()).values as unknown[];
    await assertEq(got, { columns: ["t"], values: [masked(exp, [strings])] });
  });
});
