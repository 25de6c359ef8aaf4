/**
 * Numbers from bytes, exact.
 *
 * `parseFloatBytes` returns exactly the double `Number(text)` gives for every text it
 * accepts. Fast path (Clinger's): a decimal whose digits form an integer mantissa
 * m < 2^53 and whose power of ten |e| ≤ 22 is `m * 10^e` or `m / 10^-e`; both operands
 * are exact doubles and IEEE-754 rounds the single operation correctly, so the result is
 * the correctly rounded value of the decimal, which is what `Number` returns. Anything
 * else (long mantissas, big exponents) falls back to `Number()` on the substring.
 *
 * Grammar accepted (the same as pandas' C parser, minus whitespace):
 * `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, plus
 * `[+-]?(inf|Inf|INF|infinity|Infinity|INFINITY)`. Anything else returns NaN ("not a
 * number"); the text `NaN` also returns NaN, and the caller treats the null tokens
 * (`""`, `NaN`, `nan`, `NA`, `null`) as nulls.
 */

/** Exact powers of ten as doubles, 10^0 … 10^22. */
export const POW10 = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
  1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
const TWO53 = 9007199254740992;

/** Latin-1 string of an ASCII byte range (numbers only; never used for user text). */
export function asciiString(b: Uint8Array, s: number, e: number): string {
  let out = "";
  for (let i = s; i < e; i++) out += String.fromCharCode(b[i]!);
  return out;
}

const ONE = new Float64Array(1);

/** The double `Number(text)` gives for the decimal text b[s, e), or NaN if it is not a number. */
export function parseFloatBytes(b: Uint8Array, s: number, e: number): number {
  return parseFloatTo(b, s, e, ONE, 0) ? ONE[0]! : NaN;
}

/**
 * `parseFloatBytes` writing its result to out[k] and returning whether the text is a
 * number (NaN text returns false). Hot loops use this form: a double returned from a
 * call that V8 does not inline is boxed, one heap allocation per value.
 */
export function parseFloatTo(b: Uint8Array, s: number, e: number, out: Float64Array, k: number): boolean {
  let i = s;
  let neg = false;
  let c = i < e ? b[i]! : 0;
  if (c === 45 /* - */) {
    neg = true;
    i++;
  } else if (c === 43 /* + */) i++;
  let m = 0;
  let nd = 0;
  while (i < e) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
    i++;
    nd++;
  }
  let frac = 0;
  if (i < e && b[i] === 46 /* . */) {
    i++;
    while (i < e) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
      i++;
      frac++;
    }
    nd += frac;
  }
  if (nd === 0) {
    const inf = parseInfinity(b, i, e, neg);
    out[k] = inf;
    return inf === inf;
  }
  let exp = 0;
  if (i < e) {
    c = b[i]!;
    if (c !== 101 && c !== 69) return false; // e E
    i++;
    let eneg = false;
    c = i < e ? b[i]! : 0;
    if (c === 45) {
      eneg = true;
      i++;
    } else if (c === 43) i++;
    const e0 = i;
    while (i < e) {
      const d = b[i]! - 48;
      if (d < 0 || d > 9) return false;
      if (exp < 100000) exp = exp * 10 + d;
      i++;
    }
    if (i === e0) return false;
    if (eneg) exp = -exp;
  }
  const e10 = exp - frac;
  let v: number;
  if (m === 0) v = 0;
  else if (m < TWO53 && e10 >= -22 && e10 <= 22) v = e10 >= 0 ? m * POW10[e10]! : m / POW10[-e10]!;
  else {
    out[k] = Number(asciiString(b, s, e));
    return true;
  }
  out[k] = neg ? -v : v;
  return true;
}

function parseInfinity(b: Uint8Array, i: number, e: number, neg: boolean): number {
  const n = e - i;
  if (n !== 3 && n !== 8) return NaN;
  const w = asciiString(b, i, e);
  if (w === "inf" || w === "Inf" || w === "INF" || w === "infinity" || w === "Infinity" || w === "INFINITY") {
    return neg ? -Infinity : Infinity;
  }
  return NaN;
}

/**
 * The value of the integer text b[s, e) (`[+-]?digits`, at most 15 digits so it is
 * exact), or NaN if it is not such an integer. Callers check the int32 range.
 */
export function parseIntBytes(b: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  const c = i < e ? b[i]! : 0;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) i++;
  if (i === e || e - i > 15) return NaN;
  let v = 0;
  while (i < e) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
    i++;
  }
  return neg ? -v : v;
}

/** Whether b[s, e) is a null token of numeric/boolean/datetime columns: `NaN`, `nan`, `NA`, `null` (or empty). */
export function isNullToken(b: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n === 0) return true;
  if (n === 2) return b[s] === 78 && b[s + 1] === 65; // NA
  if (n === 3) {
    const c0 = b[s]!;
    return (c0 === 78 || c0 === 110) && b[s + 1] === 97 && b[s + 2] === c0; // NaN nan
  }
  if (n === 4) return b[s] === 110 && b[s + 1] === 117 && b[s + 2] === 108 && b[s + 3] === 108; // null
  return false;
}

/** 1 for true, 0 for false, -1 otherwise: `true/false`, `True/False`, `TRUE/FALSE`. */
export function parseBoolBytes(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 4) {
    const c0 = b[s]!;
    if (c0 !== 116 && c0 !== 84) return -1;
    const up = c0 === 84 && b[s + 1] === 82;
    if (up) return b[s + 2] === 85 && b[s + 3] === 69 ? 1 : -1; // TRUE
    return b[s + 1] === 114 && b[s + 2] === 117 && b[s + 3] === 101 ? 1 : -1; // true True
  }
  if (n === 5) {
    const c0 = b[s]!;
    if (c0 !== 102 && c0 !== 70) return -1;
    const up = c0 === 70 && b[s + 1] === 65;
    if (up) return b[s + 2] === 76 && b[s + 3] === 83 && b[s + 4] === 69 ? 0 : -1; // FALSE
    return b[s + 1] === 97 && b[s + 2] === 108 && b[s + 3] === 115 && b[s + 4] === 101 ? 0 : -1;
  }
  return -1;
}
