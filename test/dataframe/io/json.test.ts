import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fc, test as fcTest } from "@fast-check/vitest";
import { afterAll, describe, expect, test } from "vitest";
import { ValidationError } from "../../../src/errors.js";
import { readJSON } from "../../../src/dataframe/io/read-json.js";
import { rows, tempDir } from "./helpers.js";

const sync = { scheduler: "sync", progress: false } as const;
const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe("readJSON (NDJSON)", () => {
  test("infers columns and dtypes; missing keys and null are nulls", async () => {
    const p = join(dir, "a.jsonl");
    writeFileSync(p, '{"a":1,"b":"x","c":true}\n{"a":2.5,"b":null}\n\n{"a":3,"b":"y","c":false,"d":{"k":1}}\n');
    const df = await readJSON(p);
    expect(df.columns).toEqual(["a", "b", "c", "d"]);
    expect(df.dtypes).toEqual(["float32", "string", "boolean", "string"]);
    expect(rows(await df.compute(sync)).values).toEqual([[1, "x", true, null], [2.5, null, null, null], [3, "y", false, '{"k":1}']]);
  });

  fcTest.prop([
    fc.array(fc.record({ i: fc.integer({ min: -5000, max: 5000 }), s: fc.string({ maxLength: 8 }) }), { maxLength: 30 }),
    fc.integer({ min: 1, max: 120 }),
  ], { numRuns: 25 })("blocks are cut at newlines: any block size gives every line once", async (data, blocksize) => {
    const p = join(dir, "prop.jsonl");
    writeFileSync(p, '{"i":0,"s":"first"}\n' + data.map((r) => JSON.stringify(r)).join("\n"));
    const df = await readJSON(p, { blocksize });
    expect(rows(await df.compute(sync)).values).toEqual([[0, "first"], ...data.map((r) => [r.i, r.s])]);
  });

  test("a bad line fails with the file and line number (at call time when it is in the sample)", async () => {
    const p = join(dir, "bad.jsonl");
    writeFileSync(p, '{"a":1}\n{"a":2}\n{"a":3\n{"a":4}\n');
    const early = await readJSON(p, { blocksize: 9 }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(ValidationError);
    expect((early as Error).message).toContain(`${p}:3`);
    const late = join(dir, "bad-late.jsonl");
    const good = Array.from({ length: 120_000 }, (_, i) => `{"a":${i}}`).join("\n");
    writeFileSync(late, `${good}\n{"a":\n{"a":1}\n`);
    const err = await (await readJSON(late, { blocksize: 100_000 })).compute(sync).catch((e: unknown) => e);
    expect((err as Error).message).toContain(`${late}:120001`);
  });

  test("a value that does not fit the inferred dtype says which dtypes to pass", async () => {
    const p = join(dir, "types.jsonl");
    writeFileSync(p, '{"a":1}\n{"a":"x"}\n');
    // The whole file is sampled, so "a" is a string column; force int32 to see the check.
    const err = await (await readJSON(p, { dtypes: { a: "int32" } })).compute(sync).catch((e: unknown) => e);
    expect((err as Error).message).toContain(`${p}:2`);
    expect((err as Error).message).toContain("dtypes");
  });

  test("a JSON array file is rejected with what to do", async () => {
    const p = join(dir, "array.json");
    writeFileSync(p, '[{"a":1}]');
    const err = await readJSON(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/line-delimited/);
  });

  test("a missing file is an error naming it", async () => {
    await expect(readJSON(join(dir, "none.jsonl"))).rejects.toThrow(join(dir, "none.jsonl"));
  });
});
