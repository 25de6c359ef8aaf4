/**
 * Byte blocks and where they are cut.
 *
 * A block [start, end) owns the rows whose preceding line end (an LF outside quotes)
 * lies in [start, end); the first data row belongs to the block holding the header's
 * last byte (or byte 0). So the reader of a block parses
 * `cut(start) .. cut(end)`, where `cut(p)` is the position after the first LF outside
 * quotes at or after p (`headerBytes` for p before the data, the file size if none).
 * Consecutive blocks share their cut, so every row is read exactly once.
 *
 * Whether p lies inside a quoted field is the parity of the `"` bytes in
 * [headerBytes, p): under RFC 4180 every quote opens or closes a quoted field or is one
 * of an escaped pair `""`, so the parity tells exactly. Knowing it, `rowEndFrom` scans
 * forward toggling on each quote to the first LF outside quotes. Counting quotes (and
 * LFs, for line numbers) is a memchr-like pass, word-at-a-time (SWAR), several GB/s;
 * see `read.ts` for how a reader gets the counts for its block start.
 *
 * Limits: a stray `"` inside an unquoted field (not RFC 4180; pandas and this parser
 * read it as a literal) flips the parity for the rest of the file, so blocks after it
 * may be cut inside a row. Read such files as one block. Line ends are LF or CRLF.
 */
import { LF, QUOTE } from "./tokenize.js";

/**
 * Splits a file of `fileSize` bytes into about `fileSize / blocksize` blocks of equal
 * size (at least one, possibly empty); readers move each cut to a row boundary.
 * @example
 * planBlocks(250, 100); // [{ start: 0, end: 83 }, { start: 83, end: 167 }, { start: 167, end: 250 }]
 */
export function planBlocks(fileSize: number, blocksize: number): { start: number; end: number }[] {
  if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw new RangeError(`fileSize must be a non-negative integer, got ${fileSize}`);
  if (!Number.isSafeInteger(blocksize) || blocksize <= 0) throw new RangeError(`blocksize must be a positive integer, got ${blocksize}`);
  const n = Math.max(1, Math.ceil(fileSize / blocksize));
  const out: { start: number; end: number }[] = [];
  for (let i = 0; i < n; i++) out.push({ start: Math.round((i * fileSize) / n), end: Math.round(((i + 1) * fileSize) / n) });
  return out;
}

/** Counts of LF and `"` bytes in a range. */
export interface ByteCounts {
  lf: number;
  quotes: number;
}

/**
 * Number of bytes equal to the byte replicated in `pat` in b[s, e), word-at-a-time:
 * per 32-bit word, an exact zero-byte test leaves 0x01 in each matching byte; up to 255
 * words are summed bytewise before a horizontal add.
 */
export function countByte(b: Uint8Array, s: number, e: number, pat: number): number {
  const byte = pat & 0xff;
  let total = 0;
  let i = s;
  while (i < e && ((b.byteOffset + i) & 3) !== 0) if (b[i++] === byte) total++;
  const w0 = (b.byteOffset + i) >> 2;
  const w1 = (b.byteOffset + e) >> 2;
  if (w1 > w0) {
    const words = new Int32Array(b.buffer, w0 * 4, w1 - w0);
    const m = words.length;
    let k = 0;
    while (k < m) {
      const stop = Math.min(m, k + 255);
      let acc = 0;
      for (; k < stop; k++) {
        const x = words[k]! ^ pat;
        const t = ~((((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) | 0x7f7f7f7f);
        acc = (acc + ((t >>> 7) & 0x01010101)) | 0;
      }
      total += (acc & 0xff) + ((acc >>> 8) & 0xff) + ((acc >>> 16) & 0xff) + (acc >>> 24);
    }
    i = w1 * 4 - b.byteOffset;
  }
  while (i < e) if (b[i++] === byte) total++;
  return total;
}

/** Number of `"` bytes in b[s, e): memchr while quotes are rare, SWAR when they are not. */
export function countQuotes(b: Uint8Array, s: number, e: number): number {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  const budget = ((e - s) >> 6) + 16;
  let q = 0;
  let i = buf.indexOf(QUOTE, s);
  while (i >= 0 && i < e) {
    if (++q > budget) return q + countByte(b, i + 1, e, 0x22222222);
    i = buf.indexOf(QUOTE, i + 1);
  }
  return q;
}

/** Counts LF and `"` bytes of b[s, e). */
export function countBytes(b: Uint8Array, s: number, e: number): ByteCounts {
  return { lf: countByte(b, s, e, 0x0a0a0a0a), quotes: countQuotes(b, s, e) };
}

/**
 * Scans b[p, n) from quote parity `parity` (1 = inside a quoted field) for the first
 * LF outside quotes. Returns its position + 1, or, if b ends first, `-1 - parity` with
 * the parity at n (so the scan can resume on the next chunk).
 */
export function rowEndFrom(b: Uint8Array, p: number, n: number, parity: number): number {
  let inq = parity;
  for (let i = p; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) inq ^= 1;
    else if (c === LF && inq === 0) return i + 1;
  }
  return -1 - inq;
}
