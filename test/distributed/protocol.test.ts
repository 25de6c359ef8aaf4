import { encode } from "@msgpack/msgpack";
import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { ProtocolError } from "../../src/errors.js";
import { encodeValue } from "../../src/graph/codec.js";
import { makeKey } from "../../src/graph/key.js";
import { lit, list, ref, task } from "../../src/graph/task.js";
import { validateMessage, ACCEPTS } from "../../src/distributed/protocol/validate.js";
import { PIECE_BYTES, WIRE_VERSION, decodeFrames, encodeFrames } from "../../src/distributed/protocol/wire.js";
import { inprocPair } from "../../src/distributed/comm/inproc.js";

describe("wire format", () => {
  test("round-trips messages; big buffers travel as separate aligned frames, split in pieces", () => {
    const big = new Float64Array(PIECE_BYTES / 8 + 1000).map((_, i) => i * 0.5);
    const value = encodeValue(big);
    const msg = [{ type: "data", id: 1, values: { [makeKey("x", 0)]: value }, missing: [] }];
    const frames = encodeFrames(msg);
    expect(frames.length).toBe(1 + 2); // header + 2 pieces
    expect(frames[1]!.buffer).toBe(big.buffer); // no copy on the sending side
    const back = decodeFrames(frames) as typeof msg;
    const buf = back[0]!.values[makeKey("x", 0)]!.buffers[0]!;
    expect(buf.byteOffset % 8).toBe(0);
    const got = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    expect(got.length).toBe(big.length);
    let same = true;
    for (let i = 0; i < big.length; i++) if (got[i] !== big[i]) same = false;
    expect(same).toBe(true);
  });

  test("plain values round-trip (bigint, typed arrays, nesting, small inline buffers)", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
      fc.pre(!/"(__proto__|constructor|prototype)"/.test(JSON.stringify(v)));
      expect(decodeFrames(encodeFrames([{ v }]))).toEqual([{ v: JSON.parse(JSON.stringify(v)) }]);
    }), { numRuns: 200 });
    const odd = { big: 2n ** 70n, f: new Float32Array([1.5, 2]), small: new Uint8Array([1, 2, 3]) };
    expect(decodeFrames(encodeFrames(odd))).toEqual(odd);
  });

  test("rejects __proto__ / constructor keys, truncated and oversized frames, wrong versions", () => {
    const withKey = (k: string) => {
      // A hand-made msgpack map { [k]: 1 } inside a valid header.
      const body = new Uint8Array([0x81, 0xa0 + k.length, ...new TextEncoder().encode(k), 0x01]);
      return [encode([WIRE_VERSION, [], body])];
    };
    expect(() => decodeFrames(withKey("__proto__"))).toThrow(ProtocolError);
    expect(() => decodeFrames(withKey("constructor"))).toThrow(/forbidden key "constructor"/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const frames = encodeFrames([{ type: "x", data: new Uint8Array(5000) }]);
    expect(() => decodeFrames([frames[0]!])).toThrow(/expected 1 buffer frames, got 0/);
    expect(() => decodeFrames([frames[0]!.subarray(0, 10)])).toThrow(ProtocolError);
    expect(() => decodeFrames([encode([WIRE_VERSION, [2 ** 40], new Uint8Array(0)])])).toThrow(/bad buffer length/);
    expect(() => decodeFrames([encode([99, [], new Uint8Array(0)])])).toThrow(/wire version 99/);
    expect(() => decodeFrames([frames[0]!, new Uint8Array(3)])).toThrow(/buffer piece/);
  });

  test("random bytes never crash the decoder: they decode or raise ProtocolError", () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 3 }), (frames) => {
      try { decodeFrames(frames); } catch (e) { expect(e).toBeInstanceOf(ProtocolError); }
    }), { numRuns: 500 });
  });
});

describe("message validation", () => {
  const t = task(makeKey("a", 1), "tusk.call", lit({ source: "(x) => x" }), list([ref(makeKey("b", 0))]));
  test("accepts well-formed messages for the receiver's role", () => {
    const m = { type: "update-graph", tasks: [t], keys: [t.key], modules: ["file:///x.js"], retries: 0 };
    expect(validateMessage(m, ACCEPTS.schedulerFromClient)).toBe(m);
  });
  test("rejects wrong types, unknown fields, bad args and roles with a message naming the field", () => {
    expect(() => validateMessage({ type: "task-finished", key: "a", nbytes: 1 }, ACCEPTS.schedulerFromClient)).toThrow(/unexpected message type "task-finished"/);
    expect(() => validateMessage({ type: "update-graph", tasks: [t], keys: [1], modules: [], retries: 0 }, ACCEPTS.schedulerFromClient)).toThrow(/update-graph.keys\[0\] must be a string/);
    expect(() => validateMessage({ type: "release-keys", keys: [], extra: 1 }, ACCEPTS.schedulerFromClient)).toThrow(/release-keys.extra must be absent/);
    const bad = { ...t, args: [{ ref: "x", lit: 1 }] };
    expect(() => validateMessage({ type: "update-graph", tasks: [bad], keys: [], modules: [], retries: 0 }, ACCEPTS.schedulerFromClient)).toThrow(/exactly one tag/);
    expect(() => validateMessage({ type: "hello", version: 1, role: "root", token: "" }, ACCEPTS.handshake)).toThrow(/role must be one of/);
    expect(() => validateMessage(null, ACCEPTS.handshake)).toThrow(ProtocolError);
  });
});

describe("in-process comm", () => {
  test("batches messages of one tick and closes on a protocol violation with an error reply", async () => {
    const [a, b] = inprocPair("t");
    const got: unknown[] = [];
    b.onMessage((m) => got.push(m));
    a.send({ type: "release-keys", keys: [] });
    a.send({ type: "who-has", id: 1, keys: [] });
    await vi.waitFor(() => expect(got).toEqual([{ type: "release-keys", keys: [] }, { type: "who-has", id: 1, keys: [] }]));
    const closed = new Promise((r) => b.onClose(r));
    const replies: unknown[] = [];
    a.onMessage((m) => replies.push(m));
    a.raw([new Uint8Array([1, 2, 3])]);
    expect(await closed).toMatchObject({ reason: expect.stringMatching(/protocol error/) });
    await vi.waitFor(() => expect(replies[0]).toMatchObject({ type: "error", error: { name: "ProtocolError" } }));
  });
});
