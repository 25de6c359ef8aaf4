/**
 * Numbers converted while tokenizing (tokenize.ts, `numeric` batches) must give exactly
 * what the general path gives: `Number(text)` for float64, the integer for int32 (with
 * widening to float64 when a later field is not an int32), nulls for null tokens.
 */
import { describe, expect, test } from "vitest";
import { fc, test as propTest } from "@fast-check/vitest";
import { parseCsvBytes, type CsvDtype } from "../../../../src/dataframe/io/csv/index.js";
import { columnValues, enc, type Cell } from "./helpers.js";

const NULLS = ["", "NaN", "nan", "NA", "null"];

const digits = (min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((d) => d.join(""));

/** Decimal texts of every shape the grammar allows, short and long, with exponents. */
const floatText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom("", "-", "+"), digits(1, 20), fc.option(digits(0, 20)), fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "-", "+"), digits(1, 3))))
    .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : exp.join("")}`),
  fc.tuple(fc.constantFrom("", "-"), digits(1, 17)).map(([sign, frac]) => `${sign}.${frac}`),
  fc.double({ noNaN: true }).map((x) => String(x)),
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map((x) => x.toFixed(2)),
  fc.constantFrom("inf", "-Infinity", "0", "-0", "0.0", "00.10", "5.", "1e308", "1e-324", "9007199254740993", "0.1000000000000000055511151231257827"),
);

const intText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map((x) => String(x)),
  fc.tuple(fc.constantFrom("", "-", "+"), digits(1, 10)).map(([s, d]) => `${s}${d}`).filter((t) => Math.abs(Number(t)) <= 2 ** 31 - 1),
  fc.constantFrom("-0", "007", "2147483647", "-2147483648"),
);

interface Field { text: string; quoted: boolean }
const field = (value: fc.Arbitrary<string>): fc.Arbitrary<Field> =>
  fc.record({ text: fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(...NULLS) }), quoted: fc.boolean() });

function csv(rows: Field[][], eol: string, trailing: boolean): string {
  return rows.map((r) => r.map((f) => (f.quoted ? `"${f.text}"` : f.text)).join(",")).join(eol) + (trailing ? eol : "");
}

function expected(f: Field, dtype: CsvDtype): Cell {
  if (NULLS.includes(f.text)) return null;
  const v = Number(f.text.replace(/^([+-]?)inf$/i, "$1Infinity"));
  return dtype === "int32" ? v | 0 : v;
}

function parse(text: string, dtypes: CsvDtype[]): Record<string, Cell[]> {
  const columns = dtypes.map((_, j) => `c${j}`);
  const block = parseCsvBytes(enc(text), { columns, dtypes, headerBytes: 0 }, {});
  expect(block.data.map((d) => d.dtype)).toEqual(dtypes);
  return columnValues(block);
}

describe("numbers converted while tokenizing", () => {
  propTest.prop([
    fc.array(fc.tuple(field(floatText), field(intText), field(floatText)), { minLength: 1, maxLength: 30 }),
    fc.constantFrom("\n", "\r\n"),
    fc.boolean(),
  ], { numRuns: 200 })("float64 and int32 columns equal Number(text), nulls included", (rows, eol, trailing) => {
    const dtypes: CsvDtype[] = ["float64", "int32", "float64"];
    const got = parse(csv(rows, eol, trailing), dtypes);
    dtypes.forEach((dtype, j) => {
      const want = rows.map((r) => expected(r[j]!, dtype));
      // Object.is: -0 and 0 differ, NaN equals NaN
      got[`c${j}`]!.forEach((v, i) => expect(Object.is(v, want[i]), `row ${i} ${JSON.stringify(rows[i]![j])}: got ${v}, want ${want[i]}`).toBe(true));
    });
  });

  propTest.prop([fc.array(field(floatText), { minLength: 2, maxLength: 40 }), fc.nat(), fc.constantFrom("\n", "\r\n")], { numRuns: 100 })(
    "a block cut at any row boundary parses to the same values",
    (fields, cut, eol) => {
      const lines = fields.map((f) => csv([[f, { text: "x", quoted: false }]], eol, true));
      const k = cut % (lines.length + 1);
      const dtypes: CsvDtype[] = ["float64", "string"];
      const whole = parse(lines.join(""), dtypes).c0!;
      const parts = [...parse(lines.slice(0, k).join(""), dtypes).c0!, ...parse(lines.slice(k).join(""), dtypes).c0!];
      expect(parts.length).toBe(whole.length);
      parts.forEach((v, i) => expect(Object.is(v, whole[i])).toBe(true));
    },
  );

  test("edge cases around the end of a field", () => {
    // number at the very end (no line end), before CRLF, and a CR at the very end
    expect(parse("1.5,2\n-0.25,-3", ["float64", "int32"])).toEqual({ c0: [1.5, -0.25], c1: [2, -3] });
    expect(parse("1.5,2\r\n3,4\r\n", ["float64", "int32"])).toEqual({ c0: [1.5, 3], c1: [2, 4] });
    expect(parse("7\r", ["float64"])).toEqual({ c0: [7] });
    expect(Object.is(parse("-0\n", ["float64"]).c0![0], -0)).toBe(true);
    expect(parse("-0\n", ["int32"]).c0).toEqual([0]);
    // 15 digits take the fast path, 16 and more the exact general one
    expect(parse("123456789012345\n1234567890123456\n0.1234567890123456789\n", ["float64"]).c0)
      .toEqual([123456789012345, 1234567890123456, 0.1234567890123456789]);
    // an int32 column meeting a 10-digit integer, a decimal or an exponent widens to float64
    for (const t of ["2147483648", "1.5", "1e3"]) {
      const block = parseCsvBytes(enc(`1\n${t}\n3\n`), { columns: ["a"], dtypes: ["int32"], headerBytes: 0 }, {});
      expect(block.data[0]!.dtype).toBe("float64");
      expect(columnValues(block).a).toEqual([1, Number(t), 3]);
    }
    expect(parse("-2147483648\n2147483647\n", ["int32"]).c0).toEqual([-2147483648, 2147483647]);
  });

  test("a number followed by other bytes is not a number: the dtype error still names the value", () => {
    for (const t of ["12abc", "1.2.3", "5-", "1\r2", "--1", "1 "]) {
      expect(() => parseCsvBytes(enc(`1\n${t}\n`), { columns: ["a"], dtypes: ["float64"], headerBytes: 0 }, { file: "f.csv" }), t)
        .toThrow(/f\.csv:2: column "a" holds/);
    }
  });
});
