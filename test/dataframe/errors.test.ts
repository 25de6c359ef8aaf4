/** Errors at graph-building time, from meta: class, code and a message that says what to do. */
import { afterAll, describe, expect, test } from "vitest";
import * as dfd from "danfojs-node";
import { GraphError, MetadataMismatchError, TaskError, ValidationError } from "../../src/errors.js";
import { shutdownPools } from "../../src/graph/local/pool.js";
import { fromDanfo } from "../../src/dataframe/index.js";

afterAll(() => shutdownPools());

const df = fromDanfo(new dfd.DataFrame({ fare: [5, 12, 30], tip: [1, 2, 3], vendor: ["a", "b", "a"] }), { npartitions: 2 });

function caught(f: () => unknown): Error {
  try { f(); } catch (e) { return e as Error; }
  throw new Error("expected an error");
}

describe("errors from meta", () => {
  test("unknown column lists the columns and suggests the closest", () => {
    const e = caught(() => df.column("fair"));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe("ERR_UNKNOWN_COLUMN");
    expect(e.message).toContain('Column "fair" does not exist');
    expect(e.message).toContain('Columns: "fare", "tip", "vendor"');
    expect(e.message).toContain('Did you mean "fare"?');
    expect(() => df.loc({ columns: ["Vendor"] })).toThrow(/Did you mean "vendor"/);
    expect(() => df.drop({ columns: ["nope"] })).toThrow(ValidationError);
    expect(() => df.rename({ nope: "x" })).toThrow(ValidationError);
  });

  test("arithmetic on a string column says how to convert", () => {
    const e = caught(() => df.column("vendor").add(1));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe("ERR_DTYPE");
    expect(e.message).toContain('Cannot add Series "vendor" (dtype string)');
    expect(e.message).toContain('asType("vendor", "float32")');
    expect(() => df.column("fare").mul(df.column("vendor"))).toThrow(/arithmetic needs numbers/);
    expect(() => df.add(1)).toThrow(/Cannot add column "vendor"/);
  });

  test("a mask that is not boolean is refused", () => {
    const e = caught(() => df.query(df.column("fare")));
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).code).toBe("ERR_NOT_BOOLEAN");
    expect(e.message).toContain("query needs a boolean mask, got a Series of dtype int32");
    expect(() => df.loc({ rows: df.column("vendor") })).toThrow(/boolean mask/);
    expect(() => df.column("fare").and(df.column("tip"))).toThrow(/and needs boolean values/);
  });

  test("str on a number column and dt on a boolean are refused", () => {
    expect(() => df.column("fare").str).toThrow(/\.str needs a string Series/);
    expect(() => df.column("fare").gt(1).dt).toThrow(/\.dt needs a datetime/);
  });

  test("methods that need the whole data say so and suggest compute()", () => {
    for (const f of [() => df.iat(100, 0), () => df.transpose(), () => df.T, () => df.at(0, "fare"), () => df.column("fare").iat(3), () => df.dropNa({ axis: 0 }),
      () => df.append([1], 0), () => df.getDummies(), () => df.sample(2), () => df.apply((r: number[]) => r[0], { axis: 0 })]) {
      const e = caught(f);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).code).toBe("ERR_NOT_CHUNKED");
      expect(e.message).toMatch(/compute\(\)/);
    }
  });

  test("inplace is refused with the fix", () => {
    expect(() => df.fillNa(0, { inplace: true })).toThrow(/Rebind instead: s = s.fillNa/);
  });

  test("a function that closes over a variable names it", () => {
    const k = 3;
    const e = caught(() => df.column("fare").apply((x: number) => x * k));
    expect(e).toBeInstanceOf(GraphError);
    expect(e.message).toContain('uses "k"');
    expect(e.message).toContain("{ args: [k] }");
  });

  test("combining Series of a frame and of its filtered version is refused with the fix", () => {
    const f = df.query(df.column("fare").gt(6));
    expect(() => f.column("fare").add(df.column("tip"))).toThrow(/Take both from the same frame/);
  });
});

describe("mapPartitions output checked against meta", () => {
  test("a partition with other columns fails with a Found/Expected table", async () => {
    const bad = df.mapPartitions((part: dfd.DataFrame) => part.drop({ columns: ["tip"] }), { meta: { fare: "float32", tip: "float32", vendor: "string" } });
    const err = await bad.compute({ scheduler: "sync", progress: false }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(TaskError);
    const cause = (err as TaskError).cause;
    expect(cause).toBeInstanceOf(MetadataMismatchError);
    expect((cause as Error).message).toContain("Found");
    expect((cause as Error).message).toContain("Expected");
    expect((cause as Error).message).toMatch(/\* 1 +\| vendor: string +\| tip: float64/);
  });

  test("on the threads scheduler the message keeps the table", async () => {
    const bad = df.mapPartitions((part: dfd.DataFrame) => part.drop({ columns: ["tip"] }));
    const err = await bad.compute({ scheduler: "threads", progress: false }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(TaskError);
    expect(err.message).toContain("differ from the declared meta");
    expect(err.message).toContain("Expected");
  });
});
