import { describe, expect, test } from "vitest";
import { CsvParseError, parseCsvBytes, sniffCsvBytes, type CsvOptions } from "../../../../src/dataframe/io/csv/index.js";
import { checkBlock, columnValues, enc, rows } from "./helpers.js";

/** Sniffs and parses a whole in-memory file. */
function parse(text: string | Uint8Array, options: CsvOptions = {}) {
  const bytes = typeof text === "string" ? enc(text) : text;
  const schema = sniffCsvBytes(bytes, options, true);
  const block = parseCsvBytes(bytes.subarray(schema.headerBytes), schema, { ...options, file: "t.csv", firstLine: options.header === false ? 1 : 2 });
  checkBlock(block);
  return { schema, block };
}

function thrown(f: () => unknown): CsvParseError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvParseError);
    return e as CsvParseError;
  }
  throw new Error("did not throw");
}

describe("quoting and line ends", () => {
  test("quoted fields hold delimiters, escaped quotes and newlines", () => {
    const { block } = parse('a,b,c\n"x,y","say ""hi""","line1\nline2"\n"",plain,"q"tail\n');
    expect(rows(block)).toEqual([
      ["x,y", 'say "hi"', "line1\nline2"],
      [null, "plain", "qtail"],
    ]);
  });

  test("CRLF line ends, with and without a trailing newline", () => {
    for (const text of ["a,b\r\n1,x\r\n2,y\r\n", "a,b\r\n1,x\r\n2,y", "a,b\n1,x\n2,y", "a,b\n1,x\n2,y\n\n\n", "a,b\r\n1,x\r\n2,y\r\n\r\n"]) {
      const { schema, block } = parse(text);
      expect(schema.columns).toEqual(["a", "b"]);
      expect(rows(block), JSON.stringify(text)).toEqual([
        [1, "x"],
        [2, "y"],
      ]);
    }
  });

  test("a quoted CRLF stays in the value; a lone CR is data", () => {
    const { block } = parse('a,b\r\n"1\r\n2",x\ry\r\n');
    expect(rows(block)).toEqual([["1\r\n2", "x\ry"]]);
  });

  test("a UTF-8 BOM at the start is skipped", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc("name,n\nété,1\n")]);
    const { schema, block } = parse(bytes);
    expect(schema.columns).toEqual(["name", "n"]);
    expect(schema.headerBytes).toBe(3 + 7);
    expect(rows(block)).toEqual([["été", 1]]);
  });

  test("other delimiters", () => {
    const { block } = parse("a\tb\n1\t\"x\ty\"\n", { delimiter: "\t" });
    expect(rows(block)).toEqual([[1, "x\ty"]]);
    expect(() => parse("a;b\n", { delimiter: ";;" })).toThrow(/delimiter/);
  });
});

describe("bad lines", () => {
  const text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n";

  test("error names file, line, expected and found counts and the fix", () => {
    const e = thrown(() => parse(text));
    expect(e.code).toBe("ERR_CSV_BAD_LINE");
    expect(e.file).toBe("t.csv");
    expect(e.line).toBe(3);
    expect(e.message).toContain("t.csv:3");
    expect(e.message).toContain("expected 3 fields, found 2");
    expect(e.message).toContain('pass onBadLines: "skip" or "warn"');
  });

  test("skip drops them, warn drops and reports them", () => {
    expect(rows(parse(text, { onBadLines: "skip" }).block)).toEqual([
      [1, 2, 3],
      [10, 11, 12],
    ]);
    const { block } = parse(text, { onBadLines: "warn" });
    expect(block.nrows).toBe(2);
    expect(block.warnings).toHaveLength(2);
    expect(block.warnings[0]).toContain("t.csv:3");
    expect(block.warnings[1]).toContain("t.csv:4: bad line: expected 3 fields, found 4");
  });

  test("line numbers count newlines inside quoted fields and blank lines", () => {
    // line 1: a,b   2-4: "x⏎⏎y",1   5: blank   6: 2
    const e = thrown(() => parse('a,b\n"x\n\ny",1\n\n2\n'));
    expect(e.line).toBe(6);
  });

  test("an unterminated quote is a bad line", () => {
    const e = thrown(() => parse('a,b\n1,2\n3,"open\n4,5\n'));
    expect(e.code).toBe("ERR_CSV_BAD_LINE");
    expect(e.line).toBe(3);
    expect(rows(parse('a,b\n1,2\n3,"open\n4,5\n', { onBadLines: "skip" }).block)).toEqual([[1, 2]]);
  });
});

describe("values", () => {
  test("non-UTF-8 bytes become U+FFFD and never throw", () => {
    const bytes = new Uint8Array([...enc("s,n\n"), 0x61, 0xff, 0xfe, 0x62, ...enc(",1\n"), 0xc3, ...enc(",2\n"), 0xc3, 0xa9, ...enc(",3\n")]);
    const { block } = parse(bytes);
    expect(columnValues(block)["s"]).toEqual(["a\uFFFD\uFFFDb", "\uFFFD", "é"]);
  });

  test("empty fields are nulls; NaN/nan/NA/null are nulls in non-string columns", () => {
    const { schema, block } = parse("i,f,b,d,s\n1,1.5,true,2023-01-02,x\n,,,,\nNA,NaN,null,nan,NA\n3,nan,False,2023-01-03,\n");
    expect(schema.dtypes).toEqual(["int32", "float64", "boolean", "datetime", "string"]);
    expect(columnValues(block)).toEqual({
      i: [1, null, null, 3],
      f: [1.5, null, null, null],
      b: [true, null, null, false],
      d: [Date.UTC(2023, 0, 2), null, null, Date.UTC(2023, 0, 3)],
      s: ["x", null, "NA", null],
    });
    const f = block.data[1]!;
    expect(f.nullCount).toBe(3);
    if (f.dtype !== "float64") throw new Error();
    expect(Number.isNaN(f.values[1])).toBe(true);
    expect(f.validity![0]! & 0b1111).toBe(0b0001); // bits past nrows are unspecified, as in Arrow
  });

  test("strings are dictionary-encoded per block", () => {
    const { block } = parse("s\nb\na\nb\n\"a\"\nb\n");
    const col = block.data[0]!;
    if (col.dtype !== "string") throw new Error();
    expect(col.dictionary).toEqual(["b", "a"]);
    expect(Array.from(col.indices)).toEqual([0, 1, 0, 1, 0]);
    expect(col.validity).toBeNull();
  });

  test("booleans are bit-packed LSB first", () => {
    const { block } = parse("b\n" + ["true", "false", "TRUE", "True", "NA", "false", "FALSE", "true", "true"].join("\n") + "\n");
    const col = block.data[0]!;
    if (col.dtype !== "boolean") throw new Error();
    expect(col.values[0]).toBe(0b10001101);
    expect(col.values[1]! & 1).toBe(1);
    expect(col.validity![0]).toBe(0b11101111);
    expect(col.validity![1]! & 1).toBe(1);
  });

  test("quoted numbers parse as numbers", () => {
    expect(rows(parse('a,b\n"1","2.5"\n').block)).toEqual([[1, 2.5]]);
  });
});

describe("inference and overrides", () => {
  test("int, float, bool, date, datetime, string", () => {
    const { schema } = parse(
      "i,f,e,b,d,t,s,mixed\n" +
        "1,1.5,1e3,true,2023-01-02,2023-01-02T03:04:05,x,1\n" +
        "-2,3,-2E-2,FALSE,2024-02-29,2023-01-02 03:04:05.123+02:00,y,true\n",
    );
    expect(schema.dtypes).toEqual(["int32", "float64", "float64", "boolean", "datetime", "datetime", "string", "string"]);
  });

  test("integers beyond int32 infer float64", () => {
    const { schema, block } = parse("a\n1\n3000000000\n");
    expect(schema.dtypes).toEqual(["float64"]);
    expect(columnValues(block)["a"]).toEqual([1, 3000000000]);
  });

  test("an int32 column widens to float64 when later rows hold floats or big integers", () => {
    const bytes = enc("1\n2\n2.5\n\n99999999999\n");
    const block = parseCsvBytes(bytes, { columns: ["a"], dtypes: ["int32"], headerBytes: 0 }, {});
    checkBlock(block);
    expect(block.data[0]!.dtype).toBe("float64");
    expect(columnValues(block)["a"]).toEqual([1, 2, 2.5, 99999999999]);
    const withNull = parseCsvBytes(enc("1\nNA\n2.5\n"), { columns: ["a"], dtypes: ["int32"], headerBytes: 0 }, {});
    checkBlock(withNull);
    expect(columnValues(withNull)["a"]).toEqual([1, null, 2.5]);
  });

  test("text in a numeric column is an error naming file, line, column, value and the fix", () => {
    const schema = { columns: ["id", "fare"], dtypes: ["int32", "float64"] as const, headerBytes: 0 };
    const e = thrown(() => parseCsvBytes(enc("1,2.5\n2,oops\n"), { ...schema, dtypes: [...schema.dtypes] }, { file: "f.csv", firstLine: 10 }));
    expect(e.code).toBe("ERR_CSV_DTYPE");
    expect(e.line).toBe(11);
    expect(e.column).toBe("fare");
    expect(e.message).toContain("f.csv:11");
    expect(e.message).toContain('"oops"');
    expect(e.message).toContain('dtypes: { "fare": "string" }');
  });

  test("dtypes override inference; unknown names are rejected", () => {
    const { schema, block } = parse("zip,n\n01234,1\n00007,2\n", { dtypes: { zip: "string", n: "float64" } });
    expect(schema.dtypes).toEqual(["string", "float64"]);
    expect(rows(block)).toEqual([
      ["01234", 1],
      ["00007", 2],
    ]);
    expect(() => parse("a\n1\n", { dtypes: { b: "string" } })).toThrow(/"b"/);
  });

  test("all-null columns are float64 (as in pandas)", () => {
    expect(parse("a,b\n,1\nNA,2\n").schema.dtypes).toEqual(["float64", "int32"]);
  });
});

describe("headers and usecols", () => {
  test("duplicate and empty names get pandas' names", () => {
    expect(parse("a,a,b,a,,a.1\n1,2,3,4,5,6\n").schema.columns).toEqual(["a", "a.1", "b", "a.2", "Unnamed: 4", "a.1.1"]);
  });

  test("header: false names columns 0, 1, …", () => {
    const { schema, block } = parse("1,x\n2,y\n", { header: false });
    expect(schema.columns).toEqual(["0", "1"]);
    expect(block.nrows).toBe(2);
    expect(block.firstLine).toBe(1);
  });

  test("usecols materializes only the listed columns, in file order", () => {
    const { block } = parse("a,b,c\n1,not a number,x\n2,\"q,q\",y\n", { usecols: ["c", "a"] });
    expect(block.columns).toEqual(["a", "c"]);
    expect(rows(block)).toEqual([
      [1, "x"],
      [2, "y"],
    ]);
    expect(() => parse("a\n1\n", { usecols: ["zz"] })).toThrow(/usecols/);
  });

  test("an empty body and a header-only file", () => {
    for (const text of ["a,b\n", "a,b"]) {
      const { schema, block } = parse(text);
      expect(schema.columns).toEqual(["a", "b"]);
      expect(block.nrows).toBe(0);
      expect(block.data).toHaveLength(2);
    }
  });
});

describe("errors", () => {
  test("CsvParseError is a TuskError with a stable code and name", async () => {
    const { TuskError } = await import("../../../../src/errors.js");
    const e = thrown(() => parse("a,b\n1\n"));
    expect(e).toBeInstanceOf(TuskError);
    expect(e.name).toBe("CsvParseError");
    expect(e.code).toBe("ERR_CSV_BAD_LINE");
  });

  test("blank lines anywhere are skipped (pandas' skip_blank_lines)", () => {
    expect(rows(parse("a,b\n\n1,2\n\r\n\n3,4\n").block)).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});
