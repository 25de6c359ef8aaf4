import { afterAll, beforeAll, describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dfd from "danfojs-node";
import { planBlocks, readCsvBlock, sniffCsv } from "../../../../src/dataframe/io/csv/index.js";
import { rows, type Cell } from "./helpers.js";

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tusk-csv-danfo-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const row = fc.tuple(
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.option(fc.stringMatching(/^[a-z][a-z ,"\n]{0,8}$/), { freq: 6 }),
  fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: -1e5, max: 1e5 }).map((x) => x / 100)),
  fc.boolean(),
  fc.integer({ min: 0, max: 2e9 }).map((s) => new Date(s * 1000).toISOString().slice(0, 19)),
);

describe("against danfo's readCSV", () => {
  test.prop([fc.array(row, { minLength: 1, maxLength: 30 }), fc.integer({ min: 8, max: 200 })], { numRuns: 15 })(
    "values match dfd.readCSV (datetimes as UTC ms of danfo's strings)",
    async (data, blocksize) => {
      const text =
        "id,name,fare,ok,when\n" +
        data.map(([i, n, f, b, w]) => [String(i), n === null ? "" : quote(n), String(f), String(b), w].join(",")).join("\n") +
        "\n";
      const path = join(dir, "t.csv");
      writeFileSync(path, text);
      const df = await dfd.readCSV(path);
      const theirs = (df.values as Cell[][]).map((r) => r.map((v, j) => (j === 4 ? Date.parse(`${v as string}Z`) : v)));
      const schema = await sniffCsv(path, {});
      expect(schema.dtypes.slice(0, 1).concat(schema.dtypes.slice(3))).toEqual(["int32", "boolean", "datetime"]);
      const blocks = planBlocks(text.length, blocksize);
      const ours = (await Promise.all(blocks.map((b, index) => readCsvBlock(path, { ...b, index }, schema, {})))).flatMap(rows);
      expect(ours).toEqual(theirs);
    },
  );
});
