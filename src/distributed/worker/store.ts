/**
 * A worker's data: encoded results in memory, spilled to disk (least recently used
 * first) when memory passes a fraction of the limit. A spill file is the value's raw
 * buffers after a small header, each 8-byte aligned, so reading it back builds typed
 * arrays over the file's bytes without re-encoding. The worker's main thread never
 * decodes values: they stay {@link Encoded} from the thread pool to peers.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { readSpillFile, writeSpillFile } from "../../graph/spill-file.js";
import { encodedSize, type Encoded } from "../../graph/codec.js";
import type { Key } from "../../graph/key.js";

interface Entry {
  encoded: Encoded | undefined;
  file: string | undefined;
  nbytes: number;
}

/** Encoded values by key, with LRU spilling. */
export class DataStore {
  /** Map order is recency: the first entry is the least recently used. */
  readonly #entries = new Map<Key, Entry>();
  readonly #dir: string;
  #made = false;
  #seq = 0;
  /** Bytes in memory, and on disk. */
  memoryBytes = 0;
  spilledBytes = 0;
  spilledCount = 0;

  constructor(directory: string) {
    this.#dir = directory;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(key: Key): boolean {
    return this.#entries.has(key);
  }

  keys(): Key[] {
    return [...this.#entries.keys()];
  }

  put(key: Key, encoded: Encoded): number {
    this.delete(key);
    const nbytes = encodedSize(encoded);
    this.#entries.set(key, { encoded, file: undefined, nbytes });
    this.memoryBytes += nbytes;
    return nbytes;
  }

  nbytes(key: Key): number {
    return this.#entries.get(key)?.nbytes ?? 0;
  }

  /** The value (read back from disk if spilled); marks it recently used. */
  get(key: Key): Encoded | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (!entry.encoded) {
      entry.encoded = readSpillFile(entry.file!);
      rmSync(entry.file!, { force: true });
      entry.file = undefined;
      this.memoryBytes += entry.nbytes;
      this.spilledBytes -= entry.nbytes;
    }
    return entry.encoded;
  }

  delete(key: Key): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    if (entry.encoded) this.memoryBytes -= entry.nbytes;
    if (entry.file) {
      this.spilledBytes -= entry.nbytes;
      rmSync(entry.file, { force: true });
    }
  }

  /** Spills least recently used values until memory is at most `target` bytes. */
  spillDownTo(target: number): number {
    let n = 0;
    for (const entry of this.#entries.values()) {
      if (this.memoryBytes <= target) break;
      if (!entry.encoded || entry.nbytes === 0 || entry.encoded.buffers.length === 0) continue;
      entry.file = this.#write(entry.encoded);
      entry.encoded = undefined;
      this.memoryBytes -= entry.nbytes;
      this.spilledBytes += entry.nbytes;
      this.spilledCount++;
      n++;
    }
    return n;
  }

  /** Removes everything, spill files included. */
  close(): void {
    this.#entries.clear();
    this.memoryBytes = 0;
    this.spilledBytes = 0;
    if (this.#made) rmSync(this.#dir, { recursive: true, force: true });
  }

  #write(e: Encoded): string {
    if (!this.#made) {
      mkdirSync(this.#dir, { recursive: true });
      this.#made = true;
    }
    const file = join(this.#dir, `${this.#seq++}.bin`);
    writeSpillFile(file, e);
    return file;
  }
}
