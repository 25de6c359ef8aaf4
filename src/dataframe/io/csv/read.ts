/**
 * File I/O of the CSV reader: `sniffCsv` (schema from the first MiB) and `readCsvBlock`
 * (one byte block → columns), plus `scanCsvBlocks` (optional hints for all blocks).
 *
 * How a block finds its first row (see `blocks.ts` for the cut rule): the reader needs
 * the quote parity and the LF count of the file before its `start`. In order of cost:
 *  1. hints on the block (`quoteParity`, `linesBefore`) from `scanCsvBlocks`, a single
 *     sequential counting pass over the file that a caller can run once;
 *  2. a per-thread cache of checkpoints: every parsed block leaves the exact state at its
 *     `end` (= the next block's `start`), every scan the state where it stopped;
 *  3. a counting scan from the nearest checkpoint before `start` (the data start at
 *     worst): memchr for quotes, SWAR for LFs, ~2-3 GB/s from the page cache.
 * So a thread reading blocks in order never rescans, and a pool of k threads rescans
 * at most (k - 1) blocks per block it reads, at ~20x the parse speed; the result is
 * exact in every case (no speculation), which is what line numbers in errors need.
 * Checkpoints are keyed by path, size, mtime and header length.
 */
import { open, type FileHandle } from "node:fs/promises";
import { countByte, countQuotes, rowEndFrom } from "./blocks.js";
import { lastRowEnd, sniffCsvBytes } from "./infer.js";
import { parseRows } from "./parse-block.js";
import type { CsvBlock, CsvOptions, CsvSchema, ParsedBlock } from "./types.js";

const SNIFF_BYTES = 1 << 20;
const TAIL_BYTES = 1 << 16;
const SCAN_CHUNK = 8 << 20;
const LF_PAT = 0x0a0a0a0a;

/** At byte `offset`: parity of `"` in [headerBytes, offset) and count of LF in [0, offset). */
interface FileState {
  offset: number;
  parity: number;
  lf: number;
}

const MAX_FILES = 16;
const MAX_CHECKPOINTS = 4096;
const checkpoints = new Map<string, FileState[]>();

function remember(key: string, st: FileState): void {
  let list = checkpoints.get(key);
  if (list === undefined) {
    if (checkpoints.size >= MAX_FILES) checkpoints.delete(checkpoints.keys().next().value!);
    checkpoints.set(key, (list = []));
  }
  if (list.some((c) => c.offset === st.offset)) return;
  if (list.length >= MAX_CHECKPOINTS) list.splice(0, list.length >> 1);
  list.push(st);
  list.sort((a, b) => a.offset - b.offset);
}

function nearest(key: string, offset: number): FileState | undefined {
  const list = checkpoints.get(key);
  let best: FileState | undefined;
  for (const c of list ?? []) if (c.offset <= offset) best = c;
  return best;
}

/** Forgets all checkpoints (tests; or after a file changed in place within the same mtime). */
export function clearCsvCheckpoints(): void {
  checkpoints.clear();
}

async function readRange(fh: FileHandle, start: number, end: number, into?: Uint8Array): Promise<Uint8Array> {
  const len = Math.max(0, end - start);
  const buf = into !== undefined && into.length >= len ? into.subarray(0, len) : new Uint8Array(len);
  let off = 0;
  while (off < len) {
    const { bytesRead } = await fh.read(buf, off, len - off, start + off);
    if (bytesRead === 0) break;
    off += bytesRead;
  }
  return off === len ? buf : buf.subarray(0, off);
}

/** State of the file at `target` (≥ headerBytes), from the nearest checkpoint by a counting scan. */
async function stateAt(fh: FileHandle, key: string, headerBytes: number, target: number): Promise<FileState> {
  let st = nearest(key, target);
  if (st === undefined) {
    const head = await readRange(fh, 0, headerBytes);
    st = { offset: headerBytes, parity: 0, lf: countByte(head, 0, head.length, LF_PAT) };
    remember(key, st);
  }
  if (st.offset === target) return st;
  let { offset, parity, lf } = st;
  const chunk = new Uint8Array(Math.min(SCAN_CHUNK, target - offset));
  while (offset < target) {
    const b = await readRange(fh, offset, Math.min(target, offset + chunk.length), chunk);
    if (b.length === 0) break;
    lf += countByte(b, 0, b.length, LF_PAT);
    parity ^= countQuotes(b, 0, b.length) & 1;
    offset += b.length;
  }
  const out = { offset: target, parity, lf };
  remember(key, out);
  return out;
}

function fileKey(path: string, size: number, mtimeMs: number, headerBytes: number): string {
  return `${path}\0${size}\0${mtimeMs}\0${headerBytes}`;
}

/**
 * Reads the header and the first ~1 MiB of `path` and infers column names and dtypes
 * (see `sniffCsvBytes` for the rules); `options.dtypes` overrides the inferred ones.
 * @example
 * const schema = await sniffCsv("taxi.csv", {});
 * // { columns: ["id", "vendor", …], dtypes: ["int32", "string", …], headerBytes: 78 }
 */
export async function sniffCsv(path: string, options: CsvOptions): Promise<CsvSchema> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    for (let want = Math.min(size, SNIFF_BYTES); ; want = Math.min(size, want * 2)) {
      const bytes = await readRange(fh, 0, want);
      const complete = bytes.length >= size;
      if (complete || lastRowEnd(bytes, 0, bytes.length) > 0) return sniffCsvBytes(bytes, options, complete);
    }
  } finally {
    await fh.close();
  }
}

function emptyBlock(schema: CsvSchema, options: CsvOptions, firstLine: number, path: string): ParsedBlock {
  return parseRows(new Uint8Array(0), schema, { ...options, file: path, firstLine }).block;
}

/**
 * Reads the rows of byte block [start, end) of `path`: from the first row starting
 * after the first line end at or after `start` (or from the data start) through the row
 * holding the first line end at or after `end`, quote-aware (see `blocks.ts`).
 * @example
 * const schema = await sniffCsv("taxi.csv", {});
 * const blocks = planBlocks((await stat("taxi.csv")).size, 64 << 20);
 * const parts = await Promise.all(blocks.map((b, index) => readCsvBlock("taxi.csv", { ...b, index }, schema, {})));
 */
export async function readCsvBlock(path: string, block: CsvBlock, schema: CsvSchema, options: CsvOptions): Promise<ParsedBlock> {
  const fh = await open(path, "r");
  try {
    const st = await fh.stat();
    const size = st.size;
    const dataStart = Math.min(schema.headerBytes, size);
    const marker0 = Math.max(dataStart - 1, 0);
    const start = Math.min(Math.max(0, block.start), size);
    const end = Math.min(Math.max(start, block.end), size);
    const key = fileKey(path, size, st.mtimeMs, schema.headerBytes);
    if (end <= marker0 && end < size) {
      const lf = countByte(await readRange(fh, 0, start), 0, start, LF_PAT);
      return emptyBlock(schema, options, 1 + lf, path);
    }

    let parity = 0;
    let lf: number;
    if (start <= marker0) lf = countByte(await readRange(fh, 0, start), 0, start, LF_PAT);
    else if (block.quoteParity !== undefined && block.linesBefore !== undefined) {
      parity = block.quoteParity;
      lf = block.linesBefore;
    } else ({ parity, lf } = await stateAt(fh, key, dataStart, start));

    let buf = await readRange(fh, start, Math.min(size, end + TAIL_BYTES));
    let begin: number; // relative to start, like every position in buf
    if (start <= marker0) begin = dataStart - start;
    else {
      const r = rowEndFrom(buf, 0, end - start, parity);
      if (r < 0) return emptyBlock(schema, options, 1 + lf, path); // no row starts in this block
      begin = r;
    }

    const parityEnd = parity ^ (countQuotes(buf, Math.max(start, dataStart) - start, end - start) & 1);
    let cutEnd = buf.length;
    if (end < size) {
      let r = rowEndFrom(buf, end - start, buf.length, parityEnd);
      while (r < 0 && start + buf.length < size) {
        const from = buf.length;
        const more = await readRange(fh, start + from, Math.min(size, start + from + Math.max(TAIL_BYTES, from >> 2)));
        const grown = new Uint8Array(from + more.length);
        grown.set(buf);
        grown.set(more, from);
        buf = grown;
        r = rowEndFrom(buf, from, buf.length, -1 - r);
      }
      cutEnd = r >= 0 ? r : buf.length;
    }

    const firstLine = 1 + lf + countByte(buf, 0, begin, LF_PAT);
    const { block: parsed, endLine } = parseRows(buf.subarray(begin, cutEnd), schema, { ...options, file: path, firstLine });
    if (end < size && end > marker0) {
      remember(key, { offset: end, parity: parityEnd, lf: endLine - 1 - countByte(buf, end - start, cutEnd, LF_PAT) });
    }
    return parsed;
  } finally {
    await fh.close();
  }
}

/**
 * One sequential counting pass over `path` that annotates each block with the quote
 * parity and line count at its start, so `readCsvBlock` needs no scan of its own.
 * Optional: without it each reader works these out itself (see the header comment).
 * @example
 * const hinted = await scanCsvBlocks("big.csv", planBlocks(size, 64 << 20).map((b, index) => ({ ...b, index })), schema);
 */
export async function scanCsvBlocks(path: string, blocks: readonly CsvBlock[], schema: CsvSchema): Promise<CsvBlock[]> {
  const fh = await open(path, "r");
  try {
    const st = await fh.stat();
    const dataStart = Math.min(schema.headerBytes, st.size);
    const key = fileKey(path, st.size, st.mtimeMs, schema.headerBytes);
    const order = [...blocks].sort((a, b) => a.start - b.start);
    const hints = new Map<number, { quoteParity: 0 | 1; linesBefore: number }>();
    for (const b of order) {
      const start = Math.min(Math.max(0, b.start), st.size);
      if (start < dataStart) {
        hints.set(b.start, { quoteParity: 0, linesBefore: countByte(await readRange(fh, 0, start), 0, start, LF_PAT) });
      } else {
        const s = await stateAt(fh, key, dataStart, start);
        hints.set(b.start, { quoteParity: s.parity as 0 | 1, linesBefore: s.lf });
      }
    }
    return blocks.map((b) => ({ ...b, ...hints.get(b.start)! }));
  } finally {
    await fh.close();
  }
}
