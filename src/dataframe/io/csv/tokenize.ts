/**
 * The tokenizer: finds field boundaries of up to `maxRows` rows, without building values.
 *
 * Output per row r and column j (k = r * ncols + j): `starts[k]`/`ends[k]` delimit the
 * raw field bytes. A quoted field is flagged by storing `~start` (negative) where
 * `start` is the position of its opening quote; its raw bytes then still hold the quotes
 * and `""` escapes (see `unquote`). Rows whose field count differs from `ncols` are not
 * emitted: they are reported to `onBad` (which may throw). Blank lines are skipped, as
 * pandas does with `skip_blank_lines=True`.
 *
 * Numbers while tokenizing: a batch made with `numeric` kinds converts the unquoted
 * fields of those columns as it scans them (one pass over their bytes), into
 * `values[k]` with `converted[k] = 1`: for float64 columns `-?digits[.digits]` with at
 * most 15 digits (so the mantissa m < 10^15 < 2^53 and `m / 10^frac` is one correctly
 * rounded operation on exact operands: exactly what `Number(text)` gives), for int32
 * columns `-?digits` with at most 9 digits. Any other field (quoted, exponent, sign `+`,
 * longer, a null token, a lone CR after the digits…) is scanned as before and left with
 * `converted[k] = 0` for the column builder's general (exact) path.
 *
 * Quoting follows RFC 4180 with pandas' leniency: a quote opens a quoted field only at
 * the start of a field; inside it, `""` is a quote and delimiters and line ends are data;
 * bytes after the closing quote up to the delimiter are appended; a quote in the middle
 * of an unquoted field is an ordinary byte. Line ends are LF or CRLF (a lone CR is data).
 */

import { POW10 } from "./number.js";

export const LF = 10;
export const CR = 13;
export const QUOTE = 34;

export interface TokenBatch {
  readonly ncols: number;
  readonly capacity: number; // rows
  starts: Int32Array;
  ends: Int32Array;
  /** 1-based file line of each emitted row. */
  lines: Int32Array;
  nrows: number;
  /** Per column: {@link NUMERIC_NONE}, {@link NUMERIC_FLOAT} or {@link NUMERIC_INT} (numbers converted while tokenizing). */
  readonly numeric: Uint8Array;
  /** Where `numeric` is set: the value of field k, valid where `converted[k]` is 1. */
  values: Float64Array;
  converted: Uint8Array;
}

/** Column kinds of {@link TokenBatch.numeric}. */
export const NUMERIC_NONE = 0;
export const NUMERIC_FLOAT = 1;
export const NUMERIC_INT = 2;

/**
 * A token batch of `capacity` rows; `numeric[j]` (optional) says which columns convert
 * their simple numbers while tokenizing.
 */
export function makeBatch(ncols: number, capacity: number, numeric?: Uint8Array): TokenBatch {
  const n = Math.max(1, ncols) * capacity;
  const kinds = numeric ?? new Uint8Array(Math.max(1, ncols));
  const any = kinds.some((x) => x !== NUMERIC_NONE);
  return {
    ncols, capacity, starts: new Int32Array(n), ends: new Int32Array(n), lines: new Int32Array(capacity), nrows: 0,
    numeric: kinds, values: new Float64Array(any ? n : 0), converted: new Uint8Array(any ? n : 0),
  };
}

const stopTables: Uint8Array[] = [];
/** 1 for the bytes that end an unquoted field: the delimiter, LF, CR. */
function stopTable(delim: number): Uint8Array {
  let t = stopTables[delim];
  if (t === undefined) {
    t = stopTables[delim] = new Uint8Array(256);
    t[delim] = t[LF] = t[CR] = 1;
  }
  return t;
}

/** Mutable scanning position, carried from batch to batch. */
export interface TokenCursor {
  pos: number;
  /** 1-based line number at `pos`. */
  line: number;
}

export type BadLineKind = "fields" | "quote";
/** Called for a dropped row: its first line, the field count found, and the kind. May throw. */
export type OnBadLine = (line: number, found: number, kind: BadLineKind) => void;

/**
 * Tokenizes rows of b[cursor.pos, n) into `batch` (overwriting it) until the batch is
 * full or the input ends. Advances the cursor. Returns the number of rows emitted.
 */
export function tokenize(b: Uint8Array, n: number, delim: number, cur: TokenCursor, batch: TokenBatch, onBad: OnBadLine): number {
  const { ncols, capacity, starts, ends, lines, numeric, values, converted } = batch;
  const stop = stopTable(delim);
  let i = cur.pos;
  let line = cur.line;
  let rows = 0;
  while (i < n && rows < capacity) {
    let c = b[i]!;
    if (c === LF) {
      i++;
      line++;
      continue;
    }
    if (c === CR && i + 1 < n && b[i + 1] === LF) {
      i += 2;
      line++;
      continue;
    }
    const rowLine = line;
    const base = rows * ncols;
    let f = 0;
    let badQuote = false;
    for (;;) {
      const s = i;
      let q = false;
      if (i < n && b[i] === QUOTE) {
        q = true;
        i++;
        for (;;) {
          while (i < n && (c = b[i]!) !== QUOTE) {
            if (c === LF) line++;
            i++;
          }
          if (i >= n) {
            badQuote = true;
            break;
          }
          if (i + 1 < n && b[i + 1] === QUOTE) i += 2;
          else {
            i++;
            break;
          }
        }
      }
      const kind = q || f >= ncols ? NUMERIC_NONE : numeric[f]!;
      if (kind !== NUMERIC_NONE) {
        // A simple number, converted as it is scanned (see the header); else the general scan below.
        let j = i;
        let neg = false;
        if (j < n && b[j] === 45 /* - */) {
          neg = true;
          j++;
        }
        let m = 0;
        let nd = 0;
        let d = 0;
        while (j < n && (d = b[j]! - 48) >= 0 && d <= 9) {
          m = m * 10 + d;
          j++;
          nd++;
        }
        let frac = 0;
        if (kind === NUMERIC_FLOAT && j < n && b[j] === 46 /* . */) {
          j++;
          while (j < n && (d = b[j]! - 48) >= 0 && d <= 9) {
            m = m * 10 + d;
            j++;
            frac++;
          }
          nd += frac;
        }
        const k = base + f;
        let done = nd !== 0 && nd <= (kind === NUMERIC_FLOAT ? 15 : 9);
        if (done && j < n) {
          c = b[j]!;
          done = c === delim || c === LF || (c === CR && j + 1 < n && b[j + 1] === LF);
        }
        if (done) {
          const v = frac === 0 ? m : m / POW10[frac]!;
          values[k] = neg ? -v : v;
          converted[k] = 1;
          i = j;
        } else converted[k] = 0;
      }
      for (;;) {
        while (i < n && stop[b[i]!] === 0) i++;
        if (i < n) c = b[i]!;
        if (i < n && c === CR && i + 1 < n && b[i + 1] !== LF) {
          i++;
          continue;
        }
        break;
      }
      if (f < ncols) {
        starts[base + f] = q ? ~s : s;
        ends[base + f] = i;
      }
      f++;
      if (i >= n) break;
      c = b[i]!;
      if (c === delim) {
        i++;
        continue;
      }
      // LF, CR LF, or a CR at the very end (not a line end: `line` counts LF bytes exactly)
      if (c === LF) {
        i++;
        line++;
      } else if (i + 1 < n) {
        i += 2;
        line++;
      } else i++;
      break;
    }
    if (badQuote) onBad(rowLine, f, "quote");
    else if (f !== ncols) onBad(rowLine, f, "fields");
    else lines[rows++] = rowLine;
  }
  cur.pos = i;
  cur.line = line;
  batch.nrows = rows;
  return rows;
}

/**
 * Unescapes the quoted raw field b[s, e) (s at its opening quote) into `out` and
 * returns its length: the text between the quotes with `""` → `"`, plus any bytes after
 * the closing quote. `out` must hold at least e - s bytes.
 */
export function unquote(b: Uint8Array, s: number, e: number, out: Uint8Array): number {
  let i = s + 1;
  let k = 0;
  while (i < e) {
    const c = b[i]!;
    if (c === QUOTE) {
      if (i + 1 < e && b[i + 1] === QUOTE) {
        out[k++] = QUOTE;
        i += 2;
        continue;
      }
      i++;
      while (i < e) out[k++] = b[i++]!; // trailing bytes after the closing quote
      break;
    }
    out[k++] = c;
    i++;
  }
  return k;
}
