import { describe, expect } from "vitest";
import { fc, test } from "@fast-check/vitest";
import { isNullToken, parseBoolBytes, parseFloatBytes, parseIntBytes } from "../../../../src/dataframe/io/csv/number.js";
import { parseDatetimeBytes } from "../../../../src/dataframe/io/csv/datetime.js";
import { enc } from "./helpers.js";

const pf = (s: string): number => {
  const b = enc(s);
  return parseFloatBytes(b, 0, b.length);
};
/** Same double, bit for bit (Object.is tells -0 from 0 and NaN from NaN). */
const same = (a: number, b: number): boolean => Object.is(a, b);

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const printed = fc.oneof(
  finite.map((x) => String(x)),
  fc.tuple(finite.filter((x) => Math.abs(x) < 1e21), fc.integer({ min: 0, max: 20 })).map(([x, k]) => x.toFixed(k)),
  fc.tuple(finite, fc.integer({ min: 0, max: 20 })).map(([x, k]) => x.toExponential(k)),
  fc.tuple(finite, fc.integer({ min: 1, max: 21 })).map(([x, k]) => x.toPrecision(k)),
  // plain decimals of the kind CSVs hold: short mantissas, few decimals
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 12 })).map(([m, k]) => (m / 10 ** k).toFixed(k)),
  // hand-built texts: leading zeros, '+', '.5', '5.', exponents, long digit strings
  fc
    .tuple(
      fc.constantFrom("", "+", "-"),
      fc.stringMatching(/^[0-9]{0,25}$/),
      fc.constantFrom("", "."),
      fc.stringMatching(/^[0-9]{0,25}$/),
      fc.oneof(fc.constant(""), fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.integer({ min: 0, max: 400 })).map(([e, s, x]) => `${e}${s}${x}`)),
    )
    .map(([s, a, d, b, e]) => s + a + d + b + e)
    .filter((t) => /[0-9]/.test(t.replace(/[eE].*$/, ""))),
);

describe("parseFloatBytes", () => {
  test.prop([printed], { numRuns: 3000 })("equals Number(text) bit for bit", (text) => {
    expect(same(pf(text), Number(text))).toBe(true);
  });

  test.prop([finite])("round-trips String(x) (-0 prints as 0)", (x) => {
    expect(same(pf(String(x)), Object.is(x, -0) ? 0 : x)).toBe(true);
  });

  test("handles the hard cases of the fast path's edges", () => {
    for (const t of [
      "9007199254740992", "9007199254740993", "9007199254740991.5", "1e22", "1e23", "123456789012345678e-5",
      "0.1", "0.3", "2.2250738585072011e-308", "4.9e-324", "1e-400", "1e400", "-0", "-0.0", "0e999",
      "179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      "00000000000000000000001.5", "1.50000000000000000000000", ".5", "5.", "+.5e-3", "1E+05",
    ]) {
      expect(same(pf(t), Number(t)), t).toBe(true);
    }
  });

  test("accepts inf forms and rejects non-numbers", () => {
    expect(pf("inf")).toBe(Infinity);
    expect(pf("-Infinity")).toBe(-Infinity);
    expect(pf("+INF")).toBe(Infinity);
    for (const t of ["", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x10", "1_0", " 1", "1 ", "abc", "NaN", "--1", "1e5.5"]) {
      expect(pf(t), t).toBeNaN();
    }
  });
});

describe("parseIntBytes / tokens", () => {
  test.prop([fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })])("parses int32 texts", (x) => {
    const b = enc(String(x));
    expect(parseIntBytes(b, 0, b.length)).toBe(x);
  });
  test("rejects non-integers", () => {
    for (const t of ["1.0", "1e3", "", "-", "12a", "1234567890123456"]) {
      const b = enc(t);
      expect(parseIntBytes(b, 0, b.length), t).toBeNaN();
    }
  });
  test("null tokens are exactly '', NaN, nan, NA, null", () => {
    for (const t of ["", "NaN", "nan", "NA", "null"]) expect(isNullToken(enc(t), 0, enc(t).length), t).toBe(true);
    for (const t of ["N/A", "None", "NULL", "na", "Nan", "nul"]) expect(isNullToken(enc(t), 0, enc(t).length), t).toBe(false);
  });
  test("booleans", () => {
    const v = (t: string): number => parseBoolBytes(enc(t), 0, t.length);
    expect(["true", "True", "TRUE"].map(v)).toEqual([1, 1, 1]);
    expect(["false", "False", "FALSE"].map(v)).toEqual([0, 0, 0]);
    expect(["tRUE", "TRue", "yes", "1", "FALSe", ""].map(v)).toEqual([-1, -1, -1, -1, -1, -1]);
  });
});

describe("parseDatetimeBytes", () => {
  const pd = (t: string): number => parseDatetimeBytes(enc(t), 0, t.length);
  const ms = fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) });

  test.prop([ms])("matches Date.parse on ISO texts (UTC when no offset)", (t) => {
    const iso = new Date(t).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    expect(pd(iso)).toBe(t);
    expect(pd(iso.slice(0, 23))).toBe(t);
    expect(pd(iso.slice(0, 19).replace("T", " "))).toBe(Math.floor(t / 1000) * 1000);
    expect(pd(iso.slice(0, 10))).toBe(Date.parse(iso.slice(0, 10)));
  });

  test("offsets and fractions", () => {
    expect(pd("2023-05-01T10:00:00+02:00")).toBe(Date.parse("2023-05-01T08:00:00Z"));
    expect(pd("2023-05-01T10:00:00-0130")).toBe(Date.parse("2023-05-01T11:30:00Z"));
    expect(pd("2023-05-01 10:00:00.5")).toBe(Date.parse("2023-05-01T10:00:00.500Z"));
    expect(pd("2023-05-01T10:00:00.123456")).toBe(Date.parse("2023-05-01T10:00:00.123Z"));
    expect(pd("2023-05-01T10:00")).toBe(Date.parse("2023-05-01T10:00:00Z"));
    expect(pd("2024-02-29")).toBe(Date.parse("2024-02-29"));
  });

  test("rejects invalid dates", () => {
    for (const t of ["2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "2023-01-01T24:00:00", "2023-1-01", "20230101", "2023-01-01T10:00:00X", "2023-01-01T", "hello world"]) {
      expect(pd(t), t).toBeNaN();
    }
  });
});
