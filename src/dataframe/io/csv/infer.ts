/**
 * Header and dtype inference from the first bytes of a file (pure; see `sniffCsv`).
 *
 * Inference looks at every non-null value of a column in the sample: all int32 →
 * `int32`; all numbers (incl. integers beyond int32) → `float64`; all `true/false`
 * (`True/False`, `TRUE/FALSE`) → `boolean`; all ISO dates/datetimes → `datetime`; else
 * `string`. A column with no non-null value in the sample is `float64`, as in pandas.
 * Nulls are empty fields and `NaN`/`nan`/`NA`/`null`.
 */
import { CsvParseError } from "./errors.js";
import { isNullToken, parseBoolBytes, parseFloatBytes, parseIntBytes } from "./number.js";
import { parseDatetimeBytes } from "./datetime.js";
import { rowEndFrom } from "./blocks.js";
import { CR, QUOTE, LF, makeBatch, tokenize, unquote, type TokenBatch } from "./tokenize.js";
import { decodeUtf8 } from "./dictionary.js";
import { delimiterByte, resolveDtypes } from "./options.js";
import type { CsvDtype, CsvOptions, CsvSchema } from "./types.js";

/** pandas-style names: empty → `Unnamed: i`, repeats → `a.1`, `a.2`, … */
export function dedupeNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  return names.map((raw, i) => {
    const name = raw === "" ? `Unnamed: ${i}` : raw;
    let out = name;
    if (seen.has(name)) {
      let k = counts.get(name) ?? 1;
      while (seen.has(`${name}.${k}`)) k++;
      out = `${name}.${k}`;
      counts.set(name, k + 1);
    }
    seen.add(out);
    return out;
  });
}

/** Field count, fields and end position of the first non-blank row at `pos`. */
function firstRow(b: Uint8Array, n: number, delim: number, pos: number): { ncols: number; batch: TokenBatch; end: number } {
  for (;;) {
    if (b[pos] === LF) pos++;
    else if (b[pos] === CR && b[pos + 1] === LF) pos += 2;
    else break;
  }
  const r = rowEndFrom(b, pos, n, 0);
  const rowEnd = r < 0 ? n : r;
  let found = 0;
  const probe = makeBatch(1, 1);
  tokenize(b, rowEnd, delim, { pos, line: 1 }, probe, (_line, f) => {
    found = f;
  });
  const ncols = probe.nrows === 1 ? 1 : found;
  const batch = makeBatch(Math.max(ncols, 1), 1);
  tokenize(b, rowEnd, delim, { pos, line: 1 }, batch, () => {});
  return { ncols, batch, end: rowEnd };
}

/** Position after the last line end outside quotes in b[from, n), or `from` if none. */
export function lastRowEnd(b: Uint8Array, from: number, n: number): number {
  let inq = 0;
  let last = from;
  for (let i = from; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) inq ^= 1;
    else if (c === LF && inq === 0) last = i + 1;
  }
  return last;
}

const INT = 1;
const NUM = 2;
const BOOL = 4;
const DATE = 8;

function inferBatch(b: Uint8Array, batch: TokenBatch, flags: Uint8Array, seen: Uint8Array): void {
  const { ncols, nrows, starts, ends } = batch;
  let tmp = new Uint8Array(64);
  for (let j = 0; j < ncols; j++) {
    let f = flags[j]!;
    if (f === 0) continue;
    for (let r = 0; r < nrows && f !== 0; r++) {
      const k = r * ncols + j;
      let s = starts[k]!;
      let e = ends[k]!;
      let src = b;
      if (s < 0) {
        if (tmp.length < e - ~s) tmp = new Uint8Array(e - ~s);
        e = unquote(b, ~s, e, tmp);
        s = 0;
        src = tmp;
      }
      if (isNullToken(src, s, e)) continue;
      seen[j] = 1;
      if (f & INT) {
        const v = parseIntBytes(src, s, e);
        if ((v | 0) !== v) f &= ~INT;
      }
      if (f & NUM && parseFloatBytes(src, s, e) !== parseFloatBytes(src, s, e)) f &= ~NUM;
      if (f & BOOL && parseBoolBytes(src, s, e) < 0) f &= ~BOOL;
      if (f & DATE && parseDatetimeBytes(src, s, e) !== parseDatetimeBytes(src, s, e)) f &= ~DATE;
    }
    flags[j] = f;
  }
}

function dtypeOf(f: number, seen: number): CsvDtype {
  if (!seen) return "float64";
  if (f & INT) return "int32";
  if (f & NUM) return "float64";
  if (f & BOOL) return "boolean";
  if (f & DATE) return "datetime";
  return "string";
}

/**
 * Infers the schema from the first bytes of a file. `complete` says whether `bytes` is
 * the whole file (otherwise the sample is cut at its last complete row).
 * @example
 * const schema = sniffCsvBytes(new TextEncoder().encode("a,b\n1,x\n"), {}, true);
 * // { columns: ["a", "b"], dtypes: ["int32", "string"], headerBytes: 4 }
 */
export function sniffCsvBytes(bytes: Uint8Array, options: CsvOptions, complete: boolean): CsvSchema {
  const delim = delimiterByte(options);
  const n = bytes.length;
  const bom = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const first = firstRow(bytes, n, delim, bom);
  if (!complete && first.end >= n && bytes[n - 1] !== LF) {
    throw new CsvParseError("ERR_CSV_BAD_LINE", "the first line is longer than the sample read to sniff the header", { file: "", line: 1 });
  }
  const ncols = first.ncols;
  let columns: string[];
  let headerBytes: number;
  if (options.header === false) {
    columns = Array.from({ length: ncols }, (_, i) => String(i));
    headerBytes = bom;
  } else {
    const names: string[] = [];
    const tmp = new Uint8Array(Math.max(0, first.end - bom));
    for (let j = 0; j < ncols && first.batch.nrows === 1; j++) {
      const s = first.batch.starts[j]!;
      const e = first.batch.ends[j]!;
      names.push(s < 0 ? decodeUtf8(tmp, 0, unquote(bytes, ~s, e, tmp)) : decodeUtf8(bytes, s, e));
    }
    columns = dedupeNames(names);
    headerBytes = first.end;
  }
  const sampleEnd = complete ? n : lastRowEnd(bytes, headerBytes, n);
  const flags = new Uint8Array(ncols).fill(INT | NUM | BOOL | DATE);
  const seen = new Uint8Array(ncols);
  const batch = makeBatch(ncols, 1024);
  const cur = { pos: headerBytes, line: 1 };
  while (cur.pos < sampleEnd) {
    tokenize(bytes, sampleEnd, delim, cur, batch, () => {});
    inferBatch(bytes, batch, flags, seen);
  }
  const inferred = columns.map((_, j) => dtypeOf(flags[j]!, seen[j]!));
  return { columns, dtypes: resolveDtypes(columns, inferred, options), headerBytes };
}
