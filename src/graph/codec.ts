/**
 * Value codecs: how a task result crosses a thread, a socket or a spill file. A value
 * is encoded as a small structured-clonable `meta` plus raw `buffers` that move without
 * copying (transferred between threads, written as-is to disk or to binary frames).
 * Collections register codecs for their partition types (Arrow batches, array chunks);
 * plain data (numbers, strings, plain objects and arrays of them) and typed arrays are
 * built in. Codecs must be registered in every thread: do it at the top level of an op
 * module (see ./ops.ts).
 */
import { ValidationError } from "../errors.js";

/** A value in transit. */
export interface Encoded {
  readonly codec: string;
  readonly meta: unknown;
  readonly buffers: readonly Uint8Array[];
}

/** How one kind of value is encoded. */
export interface ValueCodec<T = unknown> {
  readonly name: string;
  test(value: unknown): value is T;
  encode(value: T): { meta: unknown; buffers: Uint8Array[] };
  decode(meta: unknown, buffers: readonly Uint8Array[]): T;
  /** Bytes held by the value (defaults to the sum of its buffers). */
  nbytes?(value: T): number;
}

const codecs = new Map<string, ValueCodec>();
const order: ValueCodec[] = [];

/** Registers a codec; later registrations are tried first. */
export function registerCodec<T>(codec: ValueCodec<T>): void {
  if (codecs.has(codec.name)) return;
  codecs.set(codec.name, codec as ValueCodec);
  order.unshift(codec as ValueCodec);
}

const TYPED: Record<string, new (buffer: ArrayBufferLike, offset: number, length: number) => ArrayBufferView> = {
  Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array,
  Uint8ClampedArray, BigInt64Array, BigUint64Array,
} as never;

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Views `bytes` as a typed array of the given constructor name, copying only if misaligned. */
export function viewAs(ctorName: string, bytes: Uint8Array): ArrayBufferView {
  const Ctor = TYPED[ctorName];
  if (!Ctor) throw new ValidationError(`Unknown typed array ${ctorName}`);
  const size = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Ctor(aligned.buffer, aligned.byteOffset, aligned.byteLength / size);
}

registerCodec<ArrayBufferView>({
  name: "typed-array",
  test: (v): v is ArrayBufferView => ArrayBuffer.isView(v) && !(v instanceof DataView),
  encode: (v) => ({ meta: v.constructor.name, buffers: [bytesOf(v)] }),
  decode: (meta, buffers) => viewAs(meta as string, buffers[0]!),
});

/** Plain data: anything structuredClone and msgpack carry unchanged. The fallback. */
const plainCodec: ValueCodec = {
  name: "plain",
  test: (_v): _v is unknown => true,
  encode: (v) => ({ meta: v, buffers: [] }),
  decode: (meta) => meta,
  nbytes: (v) => roughSize(v),
};

function codecFor(value: unknown): ValueCodec {
  for (const c of order) if (c.name !== "plain" && c.test(value)) return c;
  return plainCodec;
}

/** Encodes a value with the first codec that accepts it. */
export function encodeValue(value: unknown): Encoded {
  const codec = codecFor(value);
  const { meta, buffers } = codec.encode(value);
  return { codec: codec.name, meta, buffers };
}

/** Decodes what {@link encodeValue} made. */
export function decodeValue(encoded: Encoded): unknown {
  const codec = encoded.codec === "plain" ? plainCodec : codecs.get(encoded.codec);
  if (!codec) throw new ValidationError(`No codec named ${encoded.codec} is registered in this thread; import the module that defines it`);
  return codec.decode(encoded.meta, encoded.buffers);
}

/** Bytes held by a value (its buffers; an estimate for plain data). */
export function sizeOf(value: unknown): number {
  const codec = codecFor(value);
  if (codec.nbytes) return codec.nbytes(value);
  return codec.encode(value).buffers.reduce((n, b) => n + b.byteLength, 0);
}

/** {@link sizeOf}, or undefined when the value cannot be measured (for diagnostics, which must never fail a task). */
export function trySizeOf(value: unknown): number | undefined {
  try {
    return sizeOf(value);
  } catch {
    return undefined;
  }
}

/** Bytes held by an encoded value. */
export function encodedSize(e: Encoded): number {
  let n = e.buffers.reduce((s, b) => s + b.byteLength, 0);
  if (e.buffers.length === 0) n += roughSize(e.meta);
  return n;
}

/** The distinct ArrayBuffers under an encoded value, for a transfer list. */
export function transferList(e: Encoded): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const b of e.buffers) if (b.buffer instanceof ArrayBuffer) out.add(b.buffer);
  return [...out];
}

/** True when every buffer of `e` spans a whole ArrayBuffer that nothing else shares. */
export function ownsBuffers(e: Encoded): boolean {
  const seen = new Set<ArrayBufferLike>();
  for (const b of e.buffers) {
    if (!(b.buffer instanceof ArrayBuffer) || seen.has(b.buffer)) return false;
    if (b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return false;
    seen.add(b.buffer);
  }
  return true;
}

function roughSize(v: unknown, depth = 0): number {
  if (v === null || v === undefined) return 8;
  switch (typeof v) {
    case "number": case "boolean": case "bigint": return 8;
    case "string": return 16 + 2 * v.length;
  }
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (depth > 4) return 64;
  if (Array.isArray(v)) {
    if (v.length > 1000) return 16 + (v.length * roughSize(v[0], depth + 1));
    return v.reduce((n: number, x) => n + roughSize(x, depth + 1), 16);
  }
  if (typeof v === "object") {
    let n = 16;
    for (const [k, x] of Object.entries(v as object)) n += k.length * 2 + roughSize(x, depth + 1);
    return n;
  }
  return 16;
}
