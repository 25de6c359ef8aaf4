/**
 * The wire format. A message becomes a list of frames:
 *
 *   frame 0   header: msgpack `[version, bufferLengths[], body]`, where `body` is the
 *             msgpack of the message with every large `Uint8Array` replaced by an
 *             extension that names its index in `bufferLengths`
 *   frame 1…  the buffers' bytes, each buffer split into pieces of {@link PIECE_BYTES}
 *
 * so big data is never re-encoded: a sender writes the buffers it holds as they are,
 * and a receiver joins the pieces of a buffer into one fresh (8-byte aligned)
 * ArrayBuffer, or uses a single piece in place when it is already aligned, and builds
 * typed arrays over it without another copy. Small buffers stay inline in the body.
 *
 * Decoding is defensive: lengths are checked against {@link WireLimits} before anything
 * is allocated, and `__proto__` / `constructor` / `prototype` keys are rejected (msgpack
 * itself refuses `__proto__`), so a hostile peer can neither exhaust memory nor pollute
 * prototypes. Decoding errors are {@link ProtocolError}s, never crashes.
 */
import { Decoder, Encoder, ExtensionCodec } from "@msgpack/msgpack";
import { ProtocolError } from "../../errors.js";

/** Wire format version (frame layout). */
export const WIRE_VERSION = 1;
/** Buffers are sent in pieces of this size. */
export const PIECE_BYTES = 4 * 2 ** 20;
/** Buffers smaller than this stay inline in the header. */
export const INLINE_BYTES = 1024;

/** What a receiver accepts. */
export interface WireLimits {
  readonly maxHeaderBytes: number;
  readonly maxBuffers: number;
  readonly maxBufferBytes: number;
  readonly maxTotalBytes: number;
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: WireLimits = {
  maxHeaderBytes: 512 * 2 ** 20,
  maxBuffers: 1_000_000,
  maxBufferBytes: 2 ** 31 - 1,
  maxTotalBytes: 2 ** 36,
  maxDepth: 100,
};

const EXT_BUFFER = 0;
const EXT_BIGINT = 1;
const EXT_TYPED = 2;

interface EncodeContext { buffers: Uint8Array[] }
interface DecodeContext { buffers: readonly Uint8Array[] }

const TYPED_NAMES = new Set([
  "Float64Array", "Float32Array", "Int32Array", "Uint32Array", "Int16Array", "Uint16Array", "Int8Array",
  "Uint8ClampedArray", "BigInt64Array", "BigUint64Array",
]);

const inner = new Encoder();
const innerDecoder = new Decoder();

const extensions = new ExtensionCodec<EncodeContext | DecodeContext>();
extensions.register({
  type: EXT_BUFFER,
  encode: (value, ctx) => {
    if (!(value instanceof Uint8Array) || value.byteLength < INLINE_BYTES) return null;
    const c = ctx as EncodeContext;
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, c.buffers.length, true);
    c.buffers.push(value);
    return out;
  },
  decode: (data, _type, ctx) => {
    if (data.byteLength !== 4) throw new ProtocolError("bad buffer reference in header");
    const i = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
    const b = (ctx as DecodeContext).buffers[i];
    if (!b) throw new ProtocolError(`header refers to buffer ${i}, but only ${(ctx as DecodeContext).buffers.length} were sent`);
    return b;
  },
});
extensions.register({
  type: EXT_BIGINT,
  encode: (value) => (typeof value === "bigint" ? new TextEncoder().encode(value.toString()) : null),
  decode: (data) => {
    const s = new TextDecoder().decode(data);
    if (!/^-?[0-9]{1,400}$/.test(s)) throw new ProtocolError("bad bigint in header");
    return BigInt(s);
  },
});
extensions.register({
  type: EXT_TYPED,
  encode: (value) => {
    if (!ArrayBuffer.isView(value) || value instanceof Uint8Array || value instanceof DataView) return null;
    return inner.encode([value.constructor.name, new Uint8Array(value.buffer, value.byteOffset, value.byteLength)]);
  },
  decode: (data) => {
    const v = innerDecoder.decode(data) as unknown;
    if (!Array.isArray(v) || typeof v[0] !== "string" || !TYPED_NAMES.has(v[0]) || !(v[1] instanceof Uint8Array)) {
      throw new ProtocolError("bad typed array in header");
    }
    const Ctor = (globalThis as unknown as Record<string, new (b: ArrayBuffer, o: number, n: number) => ArrayBufferView>)[v[0]]!;
    const size = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
    if (v[1].byteLength % size !== 0) throw new ProtocolError("bad typed array length in header");
    const copy = v[1].slice();
    return new Ctor(copy.buffer, 0, copy.byteLength / size);
  },
});

const encodeCtx: EncodeContext = { buffers: [] };
const bodyEncoder = new Encoder<EncodeContext>({ extensionCodec: extensions as ExtensionCodec<EncodeContext>, context: encodeCtx });

/** Encodes a message into frames (header first). Buffers are not copied. */
export function encodeFrames(message: unknown): Uint8Array[] {
  const buffers: Uint8Array[] = [];
  encodeCtx.buffers = buffers;
  let body: Uint8Array;
  try {
    body = bodyEncoder.encode(message);
  } finally {
    encodeCtx.buffers = [];
  }
  const header = inner.encode([WIRE_VERSION, buffers.map((b) => b.byteLength), body]);
  const frames: Uint8Array[] = [header];
  for (const b of buffers) {
    for (let off = 0; off < b.byteLength; off += PIECE_BYTES) frames.push(b.subarray(off, Math.min(b.byteLength, off + PIECE_BYTES)));
  }
  return frames;
}

/** A parsed header: how many more frames to expect, and how to finish decoding. */
export interface PendingMessage {
  readonly lengths: readonly number[];
  /** Frames still to come after the header. */
  readonly frameCount: number;
  readonly body: Uint8Array;
}

/** Reads a header frame, checking every length against the limits. */
export function readHeader(frame: Uint8Array, limits: WireLimits = DEFAULT_LIMITS): PendingMessage {
  if (frame.byteLength > limits.maxHeaderBytes) throw new ProtocolError(`header of ${frame.byteLength} bytes exceeds the limit of ${limits.maxHeaderBytes}`);
  let outer: unknown;
  try {
    outer = new Decoder({ maxArrayLength: limits.maxBuffers + 3, maxMapLength: 0, maxStrLength: 0, maxBinLength: limits.maxHeaderBytes, maxExtLength: 0 }).decode(frame);
  } catch (error) {
    throw new ProtocolError(`malformed header frame: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(outer) || outer.length !== 3) throw new ProtocolError("malformed header frame: expected [version, lengths, body]");
  const [version, lengths, body] = outer as [unknown, unknown, unknown];
  if (version !== WIRE_VERSION) throw new ProtocolError(`wire version ${String(version)} is not supported (this side speaks ${WIRE_VERSION}); upgrade tusk on both sides`, { code: "ERR_VERSION" });
  if (!Array.isArray(lengths) || lengths.length > limits.maxBuffers) throw new ProtocolError("malformed header frame: bad buffer list");
  let total = 0;
  let frameCount = 0;
  for (const n of lengths) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > limits.maxBufferBytes) throw new ProtocolError(`bad buffer length ${String(n)} (limit ${limits.maxBufferBytes})`);
    total += n;
    frameCount += Math.ceil(n / PIECE_BYTES);
  }
  if (total > limits.maxTotalBytes) throw new ProtocolError(`message of ${total} bytes exceeds the limit of ${limits.maxTotalBytes}`);
  if (!(body instanceof Uint8Array)) throw new ProtocolError("malformed header frame: body is not binary");
  return { lengths: lengths as number[], frameCount, body };
}

/** Joins the buffer frames and decodes the body. */
export function finishMessage(pending: PendingMessage, frames: readonly Uint8Array[], limits: WireLimits = DEFAULT_LIMITS): unknown {
  if (frames.length !== pending.frameCount) throw new ProtocolError(`expected ${pending.frameCount} buffer frames, got ${frames.length}`);
  const buffers: Uint8Array[] = [];
  let f = 0;
  for (const n of pending.lengths) {
    const pieces = Math.ceil(n / PIECE_BYTES);
    if (pieces === 0) { buffers.push(new Uint8Array(0)); continue; }
    if (pieces === 1 && frames[f]!.byteLength === n && frames[f]!.byteOffset % 8 === 0) { buffers.push(frames[f++]!); continue; }
    const out = new Uint8Array(n);
    let off = 0;
    for (let i = 0; i < pieces; i++) {
      const piece = frames[f++]!;
      const expected = Math.min(PIECE_BYTES, n - off);
      if (piece.byteLength !== expected) throw new ProtocolError(`buffer piece of ${piece.byteLength} bytes, expected ${expected}`);
      out.set(piece, off);
      off += expected;
    }
    buffers.push(out);
  }
  const ctx: DecodeContext = { buffers };
  let value: unknown;
  try {
    value = new Decoder<DecodeContext>({
      extensionCodec: extensions as ExtensionCodec<DecodeContext>, context: ctx,
      maxStrLength: limits.maxHeaderBytes, maxBinLength: limits.maxHeaderBytes,
      maxArrayLength: limits.maxHeaderBytes, maxMapLength: limits.maxHeaderBytes, maxExtLength: 1 << 20,
    }).decode(pending.body);
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError(`malformed message body: ${(error as Error).message}`, { cause: error });
  }
  checkShape(value, 0, limits.maxDepth);
  return value;
}

/** Decodes a complete list of frames (header first). */
export function decodeFrames(frames: readonly Uint8Array[], limits: WireLimits = DEFAULT_LIMITS): unknown {
  if (frames.length === 0) throw new ProtocolError("no frames");
  const pending = readHeader(frames[0]!, limits);
  return finishMessage(pending, frames.slice(1), limits);
}

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/** Rejects prototype-polluting keys and excessive nesting anywhere in a decoded value. */
export function checkShape(value: unknown, depth: number, maxDepth: number): void {
  if (depth > maxDepth) throw new ProtocolError(`message nested deeper than ${maxDepth} levels`);
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const v of value) checkShape(v, depth + 1, maxDepth);
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null && !(value instanceof Date)) throw new ProtocolError("message contains an object that is not plain data");
  for (const k of Object.keys(value)) {
    if (FORBIDDEN.has(k)) throw new ProtocolError(`message contains the forbidden key "${k}"`);
    checkShape((value as Record<string, unknown>)[k], depth + 1, maxDepth);
  }
}
