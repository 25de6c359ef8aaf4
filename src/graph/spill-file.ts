/**
 * The spill file format shared by the threads executor and cluster workers: a value's
 * buffers written as they are after a small header (v8-serialized codec name, meta and
 * buffer lengths), each buffer 8-byte aligned, so reading back builds typed arrays over
 * the file's bytes without another copy.
 */
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import type { Encoded } from "./codec.js";

/** Writes an encoded value to `file`. */
export function writeSpillFile(file: string, e: Encoded): void {
  const header = serialize({ codec: e.codec, meta: e.meta, lengths: e.buffers.map((b) => b.byteLength) });
  const len = Buffer.alloc(8);
  len.writeUInt32LE(header.byteLength, 0);
  const fd = openSync(file, "w");
  try {
    writeSync(fd, len);
    writeSync(fd, header);
    let offset = 8 + header.byteLength;
    for (const b of e.buffers) {
      const pad = (8 - (offset % 8)) % 8;
      if (pad) writeSync(fd, new Uint8Array(pad));
      writeSync(fd, b);
      offset += pad + b.byteLength;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads what {@link writeSpillFile} wrote. */
export function readSpillFile(file: string): Encoded {
  let bytes: Uint8Array = readFileSync(file);
  if (bytes.byteOffset % 8 !== 0) bytes = new Uint8Array(bytes);
  const headerLength = Buffer.from(bytes.buffer, bytes.byteOffset, 8).readUInt32LE(0);
  const header = deserialize(bytes.subarray(8, 8 + headerLength)) as { codec: string; meta: unknown; lengths: number[] };
  const buffers: Uint8Array[] = [];
  let offset = 8 + headerLength;
  for (const n of header.lengths) {
    offset += (8 - (offset % 8)) % 8;
    buffers.push(bytes.subarray(offset, offset + n));
    offset += n;
  }
  return { codec: header.codec, meta: header.meta, buffers };
}
