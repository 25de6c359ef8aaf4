import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ValidationError } from "../../../src/errors.js";
import { expandPaths, segmentRegExp } from "../../../src/dataframe/io/paths.js";
import { tempDir } from "./helpers.js";

describe("expandPaths", () => {
  const { dir, cleanup } = tempDir();
  beforeAll(() => {
    for (const f of ["a.csv", "b.csv", "c.txt", "a1.csv", ".hidden.csv", "sub/x.csv", "sub/deep/y.csv", "sub2/z.csv"]) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), "h\n1\n");
    }
  });
  afterAll(cleanup);
  const names = async (p: string | string[], ext?: string) => (await expandPaths(p, "test", ext)).map((f) => f.path.slice(dir.length + 1));

  test("a star matches within one segment, sorted, skipping hidden files", async () => {
    expect(await names(join(dir, "*.csv"))).toEqual(["a.csv", "a1.csv", "b.csv"]);
  });

  test("? and character classes match one character", async () => {
    expect(await names(join(dir, "a?.csv"))).toEqual(["a1.csv"]);
    expect(await names(join(dir, "[ab].csv"))).toEqual(["a.csv", "b.csv"]);
    expect(await names(join(dir, "[!a].csv"))).toEqual(["b.csv"]);
  });

  test("globs in folder segments and ** across folders", async () => {
    expect(await names(join(dir, "sub*/*.csv"))).toEqual(["sub/x.csv", "sub2/z.csv"]);
    expect(await names(join(dir, "**/*.csv"))).toEqual(["a.csv", "a1.csv", "b.csv", "sub/deep/y.csv", "sub/x.csv", "sub2/z.csv"]);
  });

  test("a list keeps its order; a directory stands for its files with the extension", async () => {
    expect(await names([join(dir, "b.csv"), join(dir, "a.csv")])).toEqual(["b.csv", "a.csv"]);
    expect(await names(join(dir, "sub"), ".csv")).toEqual(["sub/x.csv"]);
  });

  test("sizes are reported", async () => {
    const [f] = await expandPaths(join(dir, "a.csv"), "test");
    expect(f!.size).toBe(4);
  });

  test("a missing file is an error naming its path", async () => {
    const p = join(dir, "nope.csv");
    const err = await expandPaths(p, "readCSV").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe("ERR_FILE_NOT_FOUND");
    expect((err as Error).message).toContain(p);
    expect((err as Error).message).toContain("readCSV");
  });

  test("a glob matching nothing is an error naming the pattern", async () => {
    const err = await expandPaths(join(dir, "*.parquet"), "readParquet").catch((e: unknown) => e);
    expect((err as ValidationError).code).toBe("ERR_FILE_NOT_FOUND");
    expect((err as Error).message).toContain("*.parquet");
  });

  test("empty input is rejected with what to pass", async () => {
    await expect(expandPaths([], "readCSV")).rejects.toThrow(/a path, a glob/);
  });

  test("segmentRegExp escapes regex characters", () => {
    expect(segmentRegExp("a.(1)+*.csv").test("a.(1)+x.csv")).toBe(true);
    expect(segmentRegExp("a.csv").test("abcsv")).toBe(false);
  });
});
