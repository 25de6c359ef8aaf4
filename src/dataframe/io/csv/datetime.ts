/**
 * ISO 8601 datetimes from bytes, to milliseconds since the epoch (UTC).
 *
 * Accepted: `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.f…]]` optionally followed by `Z`,
 * `±HH:MM`, `±HHMM` or `±HH`. No offset means UTC. Fractions keep millisecond precision
 * (further digits are dropped, as `Date.parse` does). Fields are range-checked (month
 * 1-12, day within the month, 00:00:00-23:59:59), so `2023-02-30` is not a date.
 */

function d2(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  if (x < 0 || x > 9 || y < 0 || y > 9) return -1;
  return x * 10 + y;
}

/** Days from 1970-01-01 to the civil date y-m-d (proleptic Gregorian; H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MDAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const ONE = new Float64Array(1);

/** Milliseconds since the epoch of the ISO text b[s, e), or NaN if it is not such a datetime. */
export function parseDatetimeBytes(b: Uint8Array, s: number, e: number): number {
  return parseDatetimeTo(b, s, e, ONE, 0) ? ONE[0]! : NaN;
}

/** `parseDatetimeBytes` writing to out[k]; returns whether the text is a datetime (no boxed double). */
export function parseDatetimeTo(b: Uint8Array, s: number, e: number, out: Float64Array, k: number): boolean {
  const n = e - s;
  if (n < 10 || b[s + 4] !== 45 || b[s + 7] !== 45) return false;
  const y1 = d2(b, s);
  const y2 = d2(b, s + 2);
  const mo = d2(b, s + 5);
  const d = d2(b, s + 8);
  if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > MDAYS[mo]!) return false;
  const y = y1 * 100 + y2;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return false;
  let ms = daysFromCivil(y, mo, d) * 86400000;
  if (n === 10) {
    out[k] = ms;
    return true;
  }
  let i = s + 10;
  const sep = b[i];
  if ((sep !== 84 && sep !== 32) || n < 16 || b[i + 3] !== 58) return false; // T or space, HH:MM
  const hh = d2(b, i + 1);
  const mi = d2(b, i + 4);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59) return false;
  ms += hh * 3600000 + mi * 60000;
  i += 6;
  if (i < e && b[i] === 58) {
    if (e - i < 3) return false;
    const ss = d2(b, i + 1);
    if (ss < 0 || ss > 59) return false;
    ms += ss * 1000;
    i += 3;
    if (i < e && b[i] === 46) {
      i++;
      const f0 = i;
      let f = 0;
      while (i < e) {
        const x = b[i]! - 48;
        if (x < 0 || x > 9) break;
        if (i - f0 < 3) f = f * 10 + x;
        i++;
      }
      if (i === f0) return false;
      const nf = i - f0;
      ms += nf >= 3 ? f : nf === 2 ? f * 10 : f * 100;
    }
  }
  if (i === e) {
    out[k] = ms;
    return true;
  }
  const z = b[i];
  if (z === 90 && i + 1 === e) {
    out[k] = ms; // Z
    return true;
  }
  if (z !== 43 && z !== 45) return false;
  const sign = z === 45 ? -1 : 1;
  const rest = e - i - 1;
  let oh: number;
  let om = 0;
  if (rest === 2) oh = d2(b, i + 1);
  else if (rest === 4) {
    oh = d2(b, i + 1);
    om = d2(b, i + 3);
  } else if (rest === 5 && b[i + 3] === 58) {
    oh = d2(b, i + 1);
    om = d2(b, i + 4);
  } else return false;
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return false;
  out[k] = ms - sign * (oh * 3600000 + om * 60000);
  return true;
}
