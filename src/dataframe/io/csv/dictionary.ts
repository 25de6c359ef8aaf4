/**
 * String columns, dictionary-encoded per block. Each field's bytes are hashed and
 * looked up in an open-addressing table whose keys are copies of the distinct values'
 * bytes (in an arena); only a new distinct value is decoded to a JS string (ASCII by
 * hand, anything else by a non-fatal TextDecoder, so invalid UTF-8 becomes U+FFFD).
 * Empty fields (also `""`) are nulls; other texts, `NA` included, are kept as is.
 */
import type { ColumnBuilder, ColumnContext } from "./columns.js";
import { scratchBuffer, unquoteToScratch } from "./columns.js";
import type { TokenBatch } from "./tokenize.js";
import { Validity, trim } from "./validity.js";
import type { ParsedColumn } from "./types.js";

const lossy = new TextDecoder("utf-8", { fatal: false });

/** Decodes UTF-8 bytes b[s, e) to a string, replacing invalid sequences with U+FFFD. */
export function decodeUtf8(b: Uint8Array, s: number, e: number): string {
  if (e - s <= 32) {
    let out = "";
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c >= 0x80) return lossy.decode(b.subarray(s, e));
      out += String.fromCharCode(c);
    }
    return out;
  }
  return lossy.decode(b.subarray(s, e));
}

export class DictionaryBuilder implements ColumnBuilder {
  indices: Int32Array;
  n = 0;
  validity = new Validity();
  readonly dictionary: string[] = [];
  #table = new Int32Array(64); // id + 1, 0 = empty
  #hashes = new Int32Array(32);
  #offs = new Int32Array(32);
  #lens = new Int32Array(32);
  #arena = new Uint8Array(1024);
  #arenaLen = 0;

  constructor(
    readonly ctx: ColumnContext,
    capacity: number,
  ) {
    this.indices = new Int32Array(capacity);
  }

  append(b: Uint8Array, batch: TokenBatch, col: number, from: number): number {
    const { starts, ends, ncols, nrows } = batch;
    if (this.n + nrows - from > this.indices.length) {
      const g = new Int32Array(Math.max(this.n + nrows - from, Math.ceil(this.indices.length * 1.5) + 16));
      g.set(this.indices);
      this.indices = g;
    }
    const idx = this.indices;
    let n = this.n;
    for (let r = from; r < nrows; r++) {
      const k = r * ncols + col;
      const s = starts[k]!;
      const e = ends[k]!;
      if (s >= 0) {
        if (s === e) {
          this.validity.setNull(n, idx.length);
          idx[n++] = 0;
        } else idx[n++] = this.#lookup(b, s, e);
      } else {
        const len = unquoteToScratch(b, ~s, e);
        if (len === 0) {
          this.validity.setNull(n, idx.length);
          idx[n++] = 0;
        } else idx[n++] = this.#lookup(scratchBuffer(), 0, len);
      }
    }
    this.n = n;
    return nrows;
  }

  #lookup(b: Uint8Array, s: number, e: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    h ^= h >>> 15;
    const table = this.#table;
    const mask = table.length - 1;
    const len = e - s;
    let slot = h & mask;
    for (;;) {
      const t = table[slot]!;
      if (t === 0) break;
      const id = t - 1;
      if (this.#hashes[id] === h && this.#lens[id] === len) {
        const arena = this.#arena;
        let o = this.#offs[id]!;
        let i = s;
        while (i < e && arena[o] === b[i]) {
          i++;
          o++;
        }
        if (i === e) return id;
      }
      slot = (slot + 1) & mask;
    }
    return this.#insert(b, s, e, h, slot);
  }

  #insert(b: Uint8Array, s: number, e: number, h: number, slot: number): number {
    const id = this.dictionary.length;
    const len = e - s;
    if (id >= this.#hashes.length) {
      this.#hashes = growI32(this.#hashes);
      this.#offs = growI32(this.#offs);
      this.#lens = growI32(this.#lens);
    }
    if (this.#arenaLen + len > this.#arena.length) {
      const g = new Uint8Array(Math.max(this.#arena.length * 2, this.#arenaLen + len));
      g.set(this.#arena.subarray(0, this.#arenaLen));
      this.#arena = g;
    }
    this.#arena.set(b.subarray(s, e), this.#arenaLen);
    this.#hashes[id] = h;
    this.#offs[id] = this.#arenaLen;
    this.#lens[id] = len;
    this.#arenaLen += len;
    this.dictionary.push(decodeUtf8(b, s, e));
    this.#table[slot] = id + 1;
    if ((id + 1) * 2 > this.#table.length) this.#rehash();
    return id;
  }

  #rehash(): void {
    const table = new Int32Array(this.#table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.dictionary.length; id++) {
      let slot = this.#hashes[id]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.#table = table;
  }

  finish(): ParsedColumn {
    return {
      dtype: "string",
      indices: trim(this.indices, this.n),
      dictionary: this.dictionary,
      validity: this.validity.finish(this.n),
      nullCount: this.validity.nullCount,
    };
  }
}

function growI32(a: Int32Array): Int32Array {
  const g = new Int32Array(a.length * 2);
  g.set(a);
  return g;
}
