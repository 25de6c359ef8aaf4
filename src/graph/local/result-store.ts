/**
 * Where the threads executor keeps results that later tasks still need: in memory as
 * encoded buffers, or spilled to a file when holding them would pass the memory limit.
 * A spill file is the value's buffers written as they are, after a small header
 * (v8-serialized codec name, meta and buffer lengths), each buffer 8-byte aligned, so
 * reading back builds typed arrays over the file's bytes without another copy.
 * The spill folder is made on first spill and removed by {@link ResultStore.close},
 * which the executor calls whatever the outcome (success, error, cancel).
 */
import { mkdirSync, rmSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { encodedSize, type Encoded } from "../codec.js";
import type { Key } from "../key.js";
import { readSpillFile, writeSpillFile } from "../spill-file.js";

interface Entry {
  encoded?: Encoded;
  file?: string;
  nbytes: number;
}

/** Results held by one computation. */
export class ResultStore {
  readonly #entries = new Map<Key, Entry>();
  readonly #limit: number | undefined;
  readonly #parent: string;
  #dir: string | undefined;
  #seq = 0;
  /** Bytes in memory now, and the most ever. */
  memoryBytes = 0;
  peakMemoryBytes = 0;
  spilledCount = 0;

  constructor(options: { memoryLimit?: number; localDirectory: string }) {
    this.#limit = options.memoryLimit;
    this.#parent = options.localDirectory;
  }

  /** Values held (in memory or spilled). */
  get count(): number {
    return this.#entries.size;
  }

  has(key: Key): boolean {
    return this.#entries.has(key);
  }

  /**
   * How many in-memory values view each ArrayBuffer. Two keys can share one buffer
   * (an op that returns its input, results of one batch that alias); a buffer may only
   * be transferred away when no value still held here views it.
   */
  readonly #bufferRefs = new Map<ArrayBufferLike, number>();

  #count(e: Encoded, delta: number): void {
    const buffers = e.buffers;
    // Called for every result: no allocation for the usual zero or one buffer.
    if (buffers.length === 0) return;
    if (buffers.length === 1) return this.#countBuffer(buffers[0]!.buffer, delta);
    for (const buffer of new Set(buffers.map((b) => b.buffer))) this.#countBuffer(buffer, delta);
  }

  #countBuffer(buffer: ArrayBufferLike, delta: number): void {
    const n = (this.#bufferRefs.get(buffer) ?? 0) + delta;
    if (n > 0) this.#bufferRefs.set(buffer, n);
    else this.#bufferRefs.delete(buffer);
  }

  /** True when a value held in memory views `buffer`. */
  references(buffer: ArrayBufferLike): boolean {
    return this.#bufferRefs.has(buffer);
  }

  put(key: Key, encoded: Encoded): void {
    const nbytes = encodedSize(encoded);
    this.delete(key);
    this.#entries.set(key, { encoded, nbytes });
    this.#count(encoded, 1);
    this.memoryBytes += nbytes;
    if (this.memoryBytes > this.peakMemoryBytes) this.peakMemoryBytes = this.memoryBytes;
  }

  /** The value, read back from disk if it was spilled (it then stays in memory). */
  get(key: Key): Encoded {
    const entry = this.#entries.get(key);
    if (!entry) throw new Error(`result store: no value for ${key}`);
    if (!entry.encoded) {
      entry.encoded = readSpillFile(entry.file!);
      this.#count(entry.encoded, 1);
      unlinkSync(entry.file!);
      entry.file = undefined;
      this.memoryBytes += entry.nbytes;
      if (this.memoryBytes > this.peakMemoryBytes) this.peakMemoryBytes = this.memoryBytes;
    }
    return entry.encoded;
  }

  /**
   * The value with its buffers in shared memory, for a value that several batches read:
   * its buffers are copied once into one SharedArrayBuffer (each 8-byte aligned), which
   * replaces them here, so every reader gets views of it instead of a copy of its own.
   * Returns undefined when the value was in shared memory already (nothing copied).
   * The bytes held do not change (the old buffers are dropped, unless another held
   * value views them too).
   */
  share(key: Key): Encoded | undefined {
    const e = this.get(key);
    if (!e.buffers.some((b) => b.buffer instanceof ArrayBuffer)) return undefined;
    let total = 0;
    for (const b of e.buffers) total += (b.byteLength + 7) & ~7;
    const sab = new SharedArrayBuffer(total);
    let at = 0;
    const buffers = e.buffers.map((b) => {
      const view = new Uint8Array(sab, at, b.byteLength);
      view.set(b);
      at += (b.byteLength + 7) & ~7;
      return view;
    });
    const shared: Encoded = { codec: e.codec, meta: e.meta, buffers };
    const entry = this.#entries.get(key)!;
    this.#count(e, -1);
    entry.encoded = shared;
    this.#count(shared, 1);
    return shared;
  }

  /** Removes a value and returns it (for a transfer to its last reader). */
  take(key: Key): Encoded {
    const value = this.get(key);
    this.delete(key);
    return value;
  }

  delete(key: Key): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    if (entry.encoded) {
      this.memoryBytes -= entry.nbytes;
      this.#count(entry.encoded, -1);
    }
    if (entry.file) rmSync(entry.file, { force: true });
  }

  /** True when the limit is set and memory is above `fraction` of it. */
  above(fraction: number): boolean {
    return this.#limit !== undefined && this.memoryBytes > this.#limit * fraction;
  }

  /**
   * Spills values until memory is under `fraction` of the limit, the ones needed
   * last first (`nextUse` gives the priority of a value's next reader).
   */
  spillTo(fraction: number, nextUse: (key: Key) => number): void {
    if (this.#limit === undefined) return;
    const target = this.#limit * fraction;
    if (this.memoryBytes <= target) return;
    const candidates = [...this.#entries].filter(([, e]) => e.encoded && e.nbytes > 0)
      .map(([k, e]) => ({ k, e, use: nextUse(k) }))
      .sort((a, b) => b.use - a.use || b.e.nbytes - a.e.nbytes);
    for (const { e } of candidates) {
      if (this.memoryBytes <= target) break;
      e.file = this.#writeSpillFile(e.encoded!);
      this.#count(e.encoded!, -1);
      e.encoded = undefined;
      this.memoryBytes -= e.nbytes;
      this.spilledCount++;
    }
  }

  /** Removes every spill file and the folder. */
  close(): void {
    this.#entries.clear();
    this.#bufferRefs.clear();
    this.memoryBytes = 0;
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /** The spill folder, if one was made. */
  get directory(): string | undefined {
    return this.#dir;
  }

  #writeSpillFile(e: Encoded): string {
    if (!this.#dir) {
      this.#dir = join(this.#parent, `tusk-spill-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`);
      mkdirSync(this.#dir, { recursive: true });
    }
    const file = join(this.#dir, `${this.#seq++}.bin`);
    writeSpillFile(file, e);
    return file;
  }
}
