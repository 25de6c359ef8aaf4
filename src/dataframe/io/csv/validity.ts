/** Growable Arrow validity bitmap (LSB-first, 1 = valid), allocated on the first null only. */
export class Validity {
  bits: Uint8Array | null = null;
  nullCount = 0;

  /** Marks row i null; `capacity` is the column's row capacity (for the first allocation). */
  setNull(i: number, capacity: number): void {
    let bits = this.bits;
    if (bits === null) {
      bits = this.bits = new Uint8Array((Math.max(capacity, i + 1) + 7) >> 3).fill(0xff);
    } else if (i >> 3 >= bits.length) {
      const grown = new Uint8Array(Math.max(bits.length * 2, (i >> 3) + 1)).fill(0xff);
      grown.set(bits);
      bits = this.bits = grown;
    }
    bits[i >> 3]! &= ~(1 << (i & 7));
    this.nullCount++;
  }

  finish(n: number): Uint8Array | null {
    if (this.nullCount === 0 || this.bits === null) return null;
    return trim(this.bits, (n + 7) >> 3);
  }
}

/** The first n items of `a`: a view if little is wasted, else a compact copy. */
export function trim<T extends Int32Array | Float64Array | Uint8Array>(a: T, n: number): T {
  if (a.length === n) return a;
  return (a.length > n + (n >> 3) + 64 ? a.slice(0, n) : a.subarray(0, n)) as T;
}
