import { afterAll, beforeAll, describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  clearCsvCheckpoints,
  CsvParseError,
  parseCsvBytes,
  planBlocks,
  readCsvBlock,
  scanCsvBlocks,
  sniffCsv,
  sniffCsvBytes,
  type CsvDtype,
  type ParsedBlock,
} from "../../../../src/dataframe/io/csv/index.js";
import { countBytes, rowEndFrom } from "../../../../src/dataframe/io/csv/blocks.js";
import { checkBlock, enc, rows, type Cell } from "./helpers.js";

let dir = "";
let fileNo = 0;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tusk-csv-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tempFile(content: string | Uint8Array): string {
  const path = join(dir, `f${fileNo++}.csv`);
  writeFileSync(path, content);
  return path;
}

describe("planBlocks", () => {
  test.prop([fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 3000 })])("tiles [0, size) with about size/blocksize blocks", (size, bs) => {
    const blocks = planBlocks(size, bs);
    expect(blocks[0]!.start).toBe(0);
    expect(blocks.at(-1)!.end).toBe(size);
    for (let i = 1; i < blocks.length; i++) expect(blocks[i]!.start).toBe(blocks[i - 1]!.end);
    expect(blocks.length).toBe(Math.max(1, Math.ceil(size / bs)));
    for (const b of blocks) expect(b.end - b.start).toBeLessThanOrEqual(bs);
  });
  test("rejects bad sizes", () => {
    expect(() => planBlocks(10, 0)).toThrow(/blocksize must be a positive integer, got 0/);
    expect(() => planBlocks(-1, 10)).toThrow(/fileSize/);
  });
});

describe("counting", () => {
  test.prop([fc.uint8Array({ maxLength: 300 }).map((a) => a.map((x) => [10, 34, 0, 255, 65][x % 5]!)), fc.nat(8), fc.nat(8)])(
    "countBytes equals a naive count at any alignment",
    (arr, off, cut) => {
      const buf = new Uint8Array(arr.length + 16);
      buf.set(arr, off);
      const view = buf.subarray(off, off + arr.length);
      const e = Math.max(0, arr.length - cut);
      const s = Math.min(e, cut);
      const naive = { lf: 0, quotes: 0 };
      for (let i = s; i < e; i++) {
        if (view[i] === 10) naive.lf++;
        if (view[i] === 34) naive.quotes++;
      }
      expect(countBytes(view, s, e)).toEqual(naive);
    },
  );
  test("rowEndFrom is quote-aware and reports the parity when it runs out", () => {
    const b = enc('ab"c\nd"e\nf"');
    expect(rowEndFrom(b, 0, b.length, 0)).toBe(9);
    expect(rowEndFrom(b, 0, b.length, 1)).toBe(5);
    expect(rowEndFrom(b, 9, b.length, 0)).toBe(-2); // ends inside quotes
  });
});

// ---- random tables written as CSV ------------------------------------------------

interface Table {
  dtypes: CsvDtype[];
  rows: Cell[][];
}

const strCell = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9 ]{0,6}$/) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom("a", ",", '"', "\n", "\r\n", "\r", " ", "é", "x"), { maxLength: 6 }).map((a) => a.join("")) },
);
const cellOf: Record<CsvDtype, fc.Arbitrary<Cell>> = {
  int32: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { freq: 5 }),
  float64: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), { freq: 5 }), // String(-0) is "0"
  boolean: fc.option(fc.boolean(), { freq: 5 }),
  datetime: fc.option(fc.integer({ min: Date.UTC(1900, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }).map((s) => s * 1000), { freq: 5 }),
  string: strCell.map((s) => (s === "" ? null : s)),
};
const tableArb: fc.Arbitrary<Table> = fc
  .array(fc.constantFrom<CsvDtype>("int32", "float64", "boolean", "datetime", "string", "string"), { minLength: 2, maxLength: 5 })
  .chain((dtypes) => fc.record({ dtypes: fc.constant(dtypes), rows: fc.array(fc.tuple(...dtypes.map((d) => cellOf[d])), { maxLength: 40 }) }));

function fieldText(v: Cell, dtype: CsvDtype, forceQuote: boolean): string {
  const s = v === null ? "" : dtype === "datetime" ? new Date(v as number).toISOString().slice(0, 19) : String(v);
  return forceQuote || /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

interface Written {
  text: string;
  /** 1-based line of each row. */
  lines: number[];
}
function writeCsv(t: Table, eol: string, trailing: boolean, quoteAll: boolean): Written {
  const header = t.dtypes.map((_, j) => `c${j}`).join(",");
  let text = header;
  let line = 2;
  const lines: number[] = [];
  t.rows.forEach((r) => {
    text += eol;
    lines.push(line);
    const row = r.map((v, j) => fieldText(v, t.dtypes[j]!, quoteAll)).join(",");
    text += row;
    line += 1 + (row.match(/\n/g)?.length ?? 0);
  });
  if (trailing) text += eol;
  return { text, lines };
}

function concatRows(blocks: ParsedBlock[]): Cell[][] {
  return blocks.flatMap((b) => rows(b));
}

describe("readCsvBlock", () => {
  test.prop(
    [
      tableArb,
      fc.constantFrom("\n", "\r\n"),
      fc.boolean(),
      fc.boolean(),
      fc.integer({ min: 1, max: 60 }),
      fc.constantFrom<"cold" | "warm" | "hints">("cold", "warm", "hints"),
    ],
    { numRuns: 120 },
  )("blocks of any size give the same rows as the whole file, at the right lines", async (table, eol, trailing, quoteAll, blocksize, mode) => {
    const { text, lines } = writeCsv(table, eol, trailing, quoteAll);
    const path = tempFile(text);
    const dtypes = Object.fromEntries(table.dtypes.map((d, j) => [`c${j}`, d]));
    const schema = await sniffCsv(path, { dtypes });
    const bytes = enc(text);
    const whole = parseCsvBytes(bytes.subarray(schema.headerBytes), schema, { firstLine: 2 });
    const expected = table.rows.map((r, i) => r.map((v) => v));
    expect(rows(whole)).toEqual(expected);

    let blocks = planBlocks(bytes.length, blocksize).map((b, index) => ({ ...b, index }));
    clearCsvCheckpoints();
    if (mode === "hints") blocks = await scanCsvBlocks(path, blocks, schema);
    if (mode === "warm") for (const b of blocks) await readCsvBlock(path, b, schema, {});
    const order = mode === "cold" ? [...blocks].reverse() : blocks;
    const parsed: ParsedBlock[] = [];
    for (const b of order) {
      if (mode === "cold") clearCsvCheckpoints();
      parsed[b.index] = await readCsvBlock(path, b, schema, {});
    }
    parsed.forEach(checkBlock);
    expect(concatRows(parsed)).toEqual(expected);
    let r = 0;
    for (const p of parsed) {
      if (p.nrows > 0) expect(p.firstLine).toBe(lines[r]);
      r += p.nrows;
    }
  });

  test("a quoted field with newlines straddling a block boundary", async () => {
    const big = "x".repeat(50) + "\n" + "y".repeat(50) + "\n,\n" + "z".repeat(50);
    const text = `id,note\n1,"${big}"\n2,plain\n3,"a\nb"\n`;
    const path = tempFile(text);
    const schema = await sniffCsv(path, {});
    for (const bs of [7, 20, 40, 60, 100]) {
      const blocks = planBlocks(text.length, bs);
      for (const cold of [true, false]) {
        clearCsvCheckpoints();
        const out: ParsedBlock[] = [];
        for (let i = blocks.length - 1; i >= 0; i--) {
          if (cold) clearCsvCheckpoints();
          out[i] = await readCsvBlock(path, { ...blocks[i]!, index: i }, schema, {});
        }
        expect(concatRows(out)).toEqual([
          [1, big],
          [2, "plain"],
          [3, "a\nb"],
        ]);
      }
    }
  });

  test("a bad line in a later block reports its file line", async () => {
    const lines = ["a,b", ...Array.from({ length: 50 }, (_, i) => (i === 41 ? `${i},"multi\nline",x` : `${i},"q\nq"`))];
    const text = lines.join("\n") + "\n";
    const path = tempFile(text);
    const schema = await sniffCsv(path, {});
    const blocks = planBlocks(text.length, 64);
    const expectedLine = 1 + 1 + 41 * 2;
    let err: unknown;
    for (let i = blocks.length - 1; i >= 0 && err === undefined; i--) {
      clearCsvCheckpoints();
      await readCsvBlock(path, { ...blocks[i]!, index: i }, schema, {}).catch((e: unknown) => (err = e));
    }
    expect(err).toBeInstanceOf(CsvParseError);
    const e = err as CsvParseError;
    expect(e.code).toBe("ERR_CSV_BAD_LINE");
    expect(e.line).toBe(expectedLine);
    expect(e.file).toBe(path);
    expect(e.message).toContain(`${path}:${expectedLine}: bad line: expected 2 fields, found 3`);
  });

  test("BOM, no trailing newline and header: false through blocks", async () => {
    const body = "1,x\n2,y\n3,z";
    const path = tempFile(new Uint8Array([0xef, 0xbb, 0xbf, ...enc(body)]));
    const schema = await sniffCsv(path, { header: false });
    expect(schema).toEqual({ columns: ["0", "1"], dtypes: ["int32", "string"], headerBytes: 3 });
    for (const bs of [1, 2, 3, 5, 100]) {
      const blocks = planBlocks(body.length + 3, bs);
      const out = await Promise.all(blocks.map((b, index) => readCsvBlock(path, { ...b, index }, schema, {})));
      expect(concatRows(out)).toEqual([
        [1, "x"],
        [2, "y"],
        [3, "z"],
      ]);
    }
  });

  test("sniffCsv infers from the first MiB; rejects a missing file", async () => {
    const path = tempFile("a,b,c\n" + "1,2.5,x\n".repeat(200_000) + "oops,2.5,x\n");
    const schema = await sniffCsv(path, {});
    expect(schema.dtypes).toEqual(["int32", "float64", "string"]);
    expect(sniffCsvBytes(enc("a\n1\n"), {}, true).dtypes).toEqual(["int32"]);
    await expect(sniffCsv(join(dir, "missing.csv"), {})).rejects.toThrow(/ENOENT/);
    const size = 6 + 8 * 200_001 + 3;
    const last = planBlocks(size, 1 << 20).at(-1)!;
    await expect(readCsvBlock(path, { ...last, index: 1 }, schema, {})).rejects.toThrow(/:200002: column "a" holds "oops"/);
  });
});
