/**
 * Column builders: convert one column of a token batch into a growing typed array.
 * One loop per dtype (monomorphic, no per-cell allocation). Numbers, booleans and
 * datetimes are parsed straight from the bytes; strings live in `dictionary.ts`. Simple
 * numbers of float64/int32 columns arrive already converted by the tokenizer
 * (`batch.converted`); the rest take the general path here.
 *
 * Nulls: an empty field, and in numeric, boolean and datetime columns also the texts
 * `NaN`, `nan`, `NA` and `null`. A null's value slot holds NaN (float64, datetime) or 0.
 * A value that does not fit the dtype throws `ERR_CSV_DTYPE`, except that an int32
 * column meeting a non-int32 number stops (`append` returns the row) so that the caller
 * widens it to float64 (`Float64Builder.fromInt32`).
 */
import { CsvParseError } from "./errors.js";
import { isNullToken, parseBoolBytes, parseFloatBytes, parseFloatTo, parseIntBytes } from "./number.js";
import { parseDatetimeTo } from "./datetime.js";
import { NUMERIC_NONE, unquote, type TokenBatch } from "./tokenize.js";
import { Validity, trim } from "./validity.js";
import type { CsvDtype, ParsedColumn } from "./types.js";

/** Where values come from, for error messages. */
export interface ColumnContext {
  file: string;
  column: string;
}

export interface ColumnBuilder {
  /** Appends rows [from, batch.nrows) of column `col`; returns the row it stopped at (nrows when done). */
  append(b: Uint8Array, batch: TokenBatch, col: number, from: number): number;
  finish(): ParsedColumn;
}

let scratch = new Uint8Array(256);
/** Unescapes the quoted field b[s, e) into a shared scratch buffer; returns its length. */
export function unquoteToScratch(b: Uint8Array, s: number, e: number): number {
  if (scratch.length < e - s) scratch = new Uint8Array(Math.max(e - s, scratch.length * 2));
  return unquote(b, s, e, scratch);
}
export function scratchBuffer(): Uint8Array {
  return scratch;
}

const lossy = new TextDecoder("utf-8", { fatal: false });

export function dtypeError(ctx: ColumnContext, line: number, src: Uint8Array, s: number, e: number, dtype: CsvDtype): CsvParseError {
  const cut = e - s > 60;
  const text = lossy.decode(src.subarray(s, cut ? s + 60 : e)) + (cut ? "…" : "");
  return new CsvParseError(
    "ERR_CSV_DTYPE",
    `${ctx.file}:${line}: column "${ctx.column}" holds ${JSON.stringify(text)}, which is not ${dtype} ` +
      `(the dtype inferred from the first rows). Pass dtypes: { ${JSON.stringify(ctx.column)}: "string" } ` +
      `(or another dtype) to read it.`,
    { file: ctx.file, line, column: ctx.column },
  );
}

function grow<T extends Int32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const out = new (a.constructor as { new (n: number): T })(Math.max(need, Math.ceil(a.length * 1.5) + 16));
  out.set(a);
  return out;
}

export class Float64Builder implements ColumnBuilder {
  values: Float64Array;
  n = 0;
  validity = new Validity();
  constructor(
    readonly ctx: ColumnContext,
    capacity: number,
    readonly dtype: "float64" | "datetime" = "float64",
  ) {
    this.values = new Float64Array(capacity);
  }

  /** Continues an int32 column as float64 (exact: every int32 is a double). */
  static fromInt32(ib: Int32Builder): Float64Builder {
    const fb = new Float64Builder(ib.ctx, ib.values.length);
    for (let i = 0; i < ib.n; i++) fb.values[i] = ib.values[i]!;
    const v = ib.validity;
    if (v.bits !== null) for (let i = 0; i < ib.n; i++) if ((v.bits[i >> 3]! & (1 << (i & 7))) === 0) fb.values[i] = NaN;
    fb.n = ib.n;
    fb.validity = v;
    return fb;
  }

  append(b: Uint8Array, batch: TokenBatch, col: number, from: number): number {
    const { starts, ends, ncols, nrows } = batch;
    const vals = (this.values = grow(this.values, this.n + nrows - from));
    const date = this.dtype === "datetime";
    const converted = batch.numeric[col] === NUMERIC_NONE ? null : batch.converted;
    const values = batch.values;
    let n = this.n;
    for (let r = from; r < nrows; r++) {
      const k = r * ncols + col;
      if (converted !== null && converted[k] === 1) {
        vals[n++] = values[k]!;
        continue;
      }
      let s = starts[k]!;
      let e = ends[k]!;
      let src = b;
      if (s < 0) {
        e = unquoteToScratch(b, ~s, e);
        s = 0;
        src = scratch;
      }
      const ok = s !== e && (date ? parseDatetimeTo(src, s, e, vals, n) : parseFloatTo(src, s, e, vals, n));
      if (!ok) {
        if (!isNullToken(src, s, e)) throw dtypeError(this.ctx, batch.lines[r]!, src, s, e, this.dtype);
        this.validity.setNull(n, vals.length);
        vals[n] = NaN;
      }
      n++;
    }
    this.n = n;
    return nrows;
  }

  finish(): ParsedColumn {
    return { dtype: this.dtype, values: trim(this.values, this.n), validity: this.validity.finish(this.n), nullCount: this.validity.nullCount };
  }
}

export class Int32Builder implements ColumnBuilder {
  values: Int32Array;
  n = 0;
  validity = new Validity();
  constructor(
    readonly ctx: ColumnContext,
    capacity: number,
  ) {
    this.values = new Int32Array(capacity);
  }

  append(b: Uint8Array, batch: TokenBatch, col: number, from: number): number {
    const { starts, ends, ncols, nrows } = batch;
    const vals = (this.values = grow(this.values, this.n + nrows - from));
    const converted = batch.numeric[col] === NUMERIC_NONE ? null : batch.converted;
    const values = batch.values;
    let n = this.n;
    for (let r = from; r < nrows; r++) {
      const k = r * ncols + col;
      if (converted !== null && converted[k] === 1) {
        vals[n++] = values[k]!;
        continue;
      }
      let s = starts[k]!;
      let e = ends[k]!;
      let src = b;
      if (s < 0) {
        e = unquoteToScratch(b, ~s, e);
        s = 0;
        src = scratch;
      }
      const v = parseIntBytes(src, s, e);
      if ((v | 0) !== v) {
        if (isNullToken(src, s, e)) {
          this.validity.setNull(n, vals.length);
          vals[n++] = 0;
          continue;
        }
        const f = parseFloatBytes(src, s, e);
        if (f !== f) throw dtypeError(this.ctx, batch.lines[r]!, src, s, e, "int32");
        this.n = n;
        return r; // a float or a big integer: the caller widens this column to float64
      }
      vals[n++] = v;
    }
    this.n = n;
    return nrows;
  }

  finish(): ParsedColumn {
    return { dtype: "int32", values: trim(this.values, this.n), validity: this.validity.finish(this.n), nullCount: this.validity.nullCount };
  }
}

export class BooleanBuilder implements ColumnBuilder {
  values: Uint8Array;
  n = 0;
  validity = new Validity();
  constructor(
    readonly ctx: ColumnContext,
    capacity: number,
  ) {
    this.values = new Uint8Array((capacity + 7) >> 3);
  }

  append(b: Uint8Array, batch: TokenBatch, col: number, from: number): number {
    const { starts, ends, ncols, nrows } = batch;
    const need = (this.n + nrows - from + 7) >> 3;
    if (need > this.values.length) {
      const g = new Uint8Array(Math.max(need, this.values.length * 2));
      g.set(this.values);
      this.values = g;
    }
    const vals = this.values;
    let n = this.n;
    for (let r = from; r < nrows; r++) {
      const k = r * ncols + col;
      let s = starts[k]!;
      let e = ends[k]!;
      let src = b;
      if (s < 0) {
        e = unquoteToScratch(b, ~s, e);
        s = 0;
        src = scratch;
      }
      const v = parseBoolBytes(src, s, e);
      if (v < 0) {
        if (!isNullToken(src, s, e)) throw dtypeError(this.ctx, batch.lines[r]!, src, s, e, "boolean");
        this.validity.setNull(n, vals.length * 8);
      } else if (v === 1) vals[n >> 3]! |= 1 << (n & 7);
      n++;
    }
    this.n = n;
    return nrows;
  }

  finish(): ParsedColumn {
    return { dtype: "boolean", values: trim(this.values, (this.n + 7) >> 3), validity: this.validity.finish(this.n), nullCount: this.validity.nullCount };
  }
}
