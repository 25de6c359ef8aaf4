/**
 * Dense group codes for key columns, on typed arrays. Each row gets the code of its key
 * (0, 1, 2, … in order of first appearance) without building a string per row:
 *
 * - string (dictionary) columns map dictionary indices to codes through an Int32Array
 *   the size of the dictionary;
 * - booleans use three slots (false, true, null);
 * - numbers go through {@link NumberTable}, an open-addressing hash table over the
 *   float64 bits (NaN is one key, -0 equals 0, null is a separate code);
 * - several key columns fold pairwise: `(code so far) * (codes of next) + next` is a
 *   number below 2^53 for partitions under 2^26 rows, hashed again to a dense code.
 */
import type { Data } from "apache-arrow";
import type { Dtype } from "../meta.js";
import { bit, numericView, stringView } from "./reduce-access.js";

/** Group codes of the rows of a partition. */
export interface Codes {
  /** Code of each row. */
  readonly codes: Int32Array;
  /** Number of distinct codes. */
  readonly ngroups: number;
  /** The first row of each code. */
  readonly firstRow: Int32Array;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function hashDouble(x: number): number {
  f64[0] = x;
  let h = (u32[0]! ^ Math.imul(u32[1]!, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An open-addressing hash table from doubles to dense ids (0, 1, 2, … in insertion order). */
export class NumberTable {
  #keys: Float64Array;
  #ids: Int32Array;
  #mask: number;
  #size = 0;
  #nanId = -1;

  constructor(expected = 16) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.#keys = new Float64Array(cap);
    this.#ids = new Int32Array(cap).fill(-1);
    this.#mask = cap - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** A fresh id that no number maps to (for null). */
  reserve(): number {
    return this.#size++;
  }

  /** The id of `x`, inserting it with the next id if new. */
  id(x: number): number {
    if (x !== x) {
      if (this.#nanId < 0) this.#nanId = this.#size++;
      return this.#nanId;
    }
    if (x === 0) x = 0; // -0 → 0
    let slot = hashDouble(x) & this.#mask;
    const keys = this.#keys, ids = this.#ids;
    for (;;) {
      const id = ids[slot]!;
      if (id < 0) break;
      if (keys[slot] === x) return id;
      slot = (slot + 1) & this.#mask;
    }
    const id = this.#size++;
    keys[slot] = x;
    ids[slot] = id;
    if (this.#size * 2 > this.#mask) this.#grow();
    return id;
  }

  #grow(): void {
    const oldKeys = this.#keys, oldIds = this.#ids;
    const cap = oldKeys.length * 2;
    this.#keys = new Float64Array(cap);
    this.#ids = new Int32Array(cap).fill(-1);
    this.#mask = cap - 1;
    for (let s = 0; s < oldKeys.length; s++) {
      const id = oldIds[s]!;
      if (id < 0) continue;
      let slot = hashDouble(oldKeys[s]!) & this.#mask;
      while (this.#ids[slot]! >= 0) slot = (slot + 1) & this.#mask;
      this.#keys[slot] = oldKeys[s]!;
      this.#ids[slot] = id;
    }
  }
}

/**
 * An open-addressing hash table from int32 keys to dense ids (0, 1, 2, … in insertion
 * order): key and id + 1 side by side in one Int32Array (one cache line per probe),
 * Fibonacci hashing (the top bits of key · 2654435769), 0 marking an empty slot.
 */
export class IntTable {
  #slots: Int32Array;
  #shift: number;
  #mask: number;
  #size = 0;

  constructor(expected = 16) {
    let bits = 4;
    while (1 << bits < expected * 2) bits++;
    this.#slots = new Int32Array(2 << bits);
    this.#shift = 32 - bits;
    this.#mask = (1 << bits) - 1;
  }

  get size(): number {
    return this.#size;
  }

  /** A fresh id that no key maps to (for null). */
  reserve(): number {
    return this.#size++;
  }

  /** The id of the int32 `x`, inserting it with the next id if new. */
  id(x: number): number {
    const slots = this.#slots, mask = this.#mask;
    let s = Math.imul(x, -1640531527) >>> this.#shift;
    for (;;) {
      const id1 = slots[2 * s + 1]!;
      if (id1 === 0) break;
      if (slots[2 * s] === x) return id1 - 1;
      s = (s + 1) & mask;
    }
    const id = this.#size++;
    slots[2 * s] = x;
    slots[2 * s + 1] = id + 1;
    if (this.#size * 2 > mask) this.#grow();
    return id;
  }

  #grow(): void {
    const old = this.#slots;
    const bits = 33 - this.#shift;
    const slots = new Int32Array(2 << bits);
    const mask = (1 << bits) - 1, shift = 32 - bits;
    for (let o = 0; o < old.length; o += 2) {
      const id1 = old[o + 1]!;
      if (id1 === 0) continue;
      const x = old[o]!;
      let s = Math.imul(x, -1640531527) >>> shift;
      while (slots[2 * s + 1] !== 0) s = (s + 1) & mask;
      slots[2 * s] = x;
      slots[2 * s + 1] = id1;
    }
    this.#slots = slots;
    this.#mask = mask;
    this.#shift = shift;
  }
}

function finish(codes: Int32Array, ngroups: number): Codes {
  const firstRow = new Int32Array(ngroups).fill(-1);
  for (let i = 0; i < codes.length; i++) if (firstRow[codes[i]!]! < 0) firstRow[codes[i]!] = i;
  return { codes, ngroups, firstRow };
}

/** Dense codes of one key column. */
export function columnCodes(data: Data, dtype: Dtype): Codes {
  const n = data.length;
  const codes = new Int32Array(n);
  if (dtype === "string") {
    const v = stringView(data);
    const map = new Int32Array(v.dict.length + 1).fill(-1);
    const nullSlot = v.dict.length;
    let next = 0;
    for (let i = 0; i < n; i++) {
      const c = v.codes[i]!;
      const s = c < 0 ? nullSlot : c;
      let g = map[s]!;
      if (g < 0) { g = next++; map[s] = g; }
      codes[i] = g;
    }
    // Dictionaries may repeat a string under two indices (e.g. after concatenation).
    if (new Set(v.dict).size !== v.dict.length) return recode(codes, next, (g) => {
      const slot = map.indexOf(g);
      return slot === nullSlot ? "\u0000null" : `s${v.dict[slot]!}`;
    });
    return finish(codes, next);
  }
  const v = numericView(data);
  if (dtype === "boolean") {
    const map = new Int32Array(3).fill(-1);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const s = v.valid !== null && !bit(v.valid, v.validOffset + i) ? 2 : v.values[i]!;
      let g = map[s]!;
      if (g < 0) { g = next++; map[s] = g; }
      codes[i] = g;
    }
    return finish(codes, next);
  }
  const vals = v.values;
  if (vals instanceof Int32Array) {
    const table = new IntTable(64);
    let nullCode = -1;
    if (v.valid === null) for (let i = 0; i < n; i++) codes[i] = table.id(vals[i]!);
    else {
      for (let i = 0; i < n; i++) {
        if (!bit(v.valid, v.validOffset + i)) {
          if (nullCode < 0) nullCode = table.reserve();
          codes[i] = nullCode;
        } else codes[i] = table.id(vals[i]!);
      }
    }
    return finish(codes, table.size);
  }
  const table = new NumberTable(64);
  let nullCode = -1;
  for (let i = 0; i < n; i++) {
    if (v.valid !== null && !bit(v.valid, v.validOffset + i)) {
      if (nullCode < 0) nullCode = table.reserve();
      codes[i] = nullCode;
      continue;
    }
    codes[i] = table.id(vals[i]!);
  }
  return finish(codes, table.size);
}

function recode(codes: Int32Array, ngroups: number, keyOf: (g: number) => string): Codes {
  const byKey = new Map<string, number>();
  const remap = new Int32Array(ngroups);
  for (let g = 0; g < ngroups; g++) {
    const k = keyOf(g);
    let r = byKey.get(k);
    if (r === undefined) { r = byKey.size; byKey.set(k, r); }
    remap[g] = r;
  }
  for (let i = 0; i < codes.length; i++) codes[i] = remap[codes[i]!]!;
  return finish(codes, byKey.size);
}

/** Dense codes of several key columns together. */
export function groupCodes(columns: ReadonlyArray<{ data: Data; dtype: Dtype }>, length: number): Codes {
  if (columns.length === 0) return finish(new Int32Array(length), length > 0 ? 1 : 0);
  let acc = columnCodes(columns[0]!.data, columns[0]!.dtype);
  for (let k = 1; k < columns.length; k++) {
    const next = columnCodes(columns[k]!.data, columns[k]!.dtype);
    const table = new NumberTable(Math.max(acc.ngroups, next.ngroups));
    const codes = new Int32Array(length);
    const card = next.ngroups;
    for (let i = 0; i < length; i++) codes[i] = table.id(acc.codes[i]! * card + next.codes[i]!);
    acc = finish(codes, table.size);
  }
  return acc;
}
