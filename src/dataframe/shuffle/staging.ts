/**
 * Where a shuffle keeps its buckets between the split and the collect stage. The ops
 * receive a {@link StagingSpec} (plain data), so another implementation (a worker's
 * peer-to-peer store on a cluster) plugs in by kind without changing the graph.
 *
 * The disk staging writes each input partition's N buckets to ONE file, bucket after
 * bucket, each as an Arrow IPC stream (so a file is N readable IPC streams, located by
 * byte offsets). A collect task reads its byte range from every file: memory stays at
 * one input partition per split task and one output partition per collect task,
 * whatever the data size; the OS page cache makes small shuffles as fast as memory.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { Dictionary, Field, RecordBatch, Schema, Struct, Table, makeData, tableFromIPC, tableToIPC, type Data } from "apache-arrow";
import { ValidationError } from "../../errors.js";
import type { Partition } from "../partition.js";

/**
 * Which staging a shuffle uses, as plain data that travels in tasks. On a cluster
 * worker (ops get `ctx.scratch`) the buckets go to the worker's scratch space of the
 * `owner` key instead of `dir` (./remote.ts).
 */
export type StagingSpec = { readonly kind: "disk"; readonly dir: string; readonly owner?: string };

/** What a split task returns: where its buckets are. */
export interface StagedBuckets {
  readonly file: string;
  /** Byte offsets of the buckets: bucket j is [offsets[j], offsets[j+1]). */
  readonly offsets: readonly number[];
  readonly rows: readonly number[];
}

/** A staging implementation. */
export interface ShuffleStaging {
  /** Prepares the staging (once per computation, before any write). */
  init(): void;
  /** Stores the `n` buckets of input partition `input`, made one at a time by `bucket(j)`. */
  write(input: number, n: number, bucket: (j: number) => Partition): StagedBuckets;
  /** The buckets for output partition `output`, in input order. */
  read(staged: readonly StagedBuckets[], output: number): Partition[];
  /** Deletes everything (idempotent). */
  dispose(): void;
}

/** The staging implementation for a spec. */
export function staging(spec: StagingSpec): ShuffleStaging {
  if (spec.kind === "disk") return new DiskStaging(spec.dir);
  throw new ValidationError(`Unknown shuffle staging ${JSON.stringify((spec as { kind: unknown }).kind)}`);
}

/** Buckets in files of one folder of the local disk. */
export class DiskStaging implements ShuffleStaging {
  constructor(readonly dir: string) {}

  init(): void {
    mkdirSync(this.dir, { recursive: true });
  }

  write(input: number, n: number, bucket: (j: number) => Partition): StagedBuckets {
    // A fresh name per write: a retried or concurrent task never clobbers a file a
    // collect task may be reading. The folder must exist (made by init): a split that
    // outlives a cancelled computation fails instead of recreating it.
    const file = join(this.dir, `${input}-${Math.random().toString(36).slice(2, 10)}.arrows`);
    const offsets = [0];
    const rows: number[] = [];
    const fd = openSync(file, "wx");
    try {
      let at = 0;
      for (let j = 0; j < n; j++) {
        const b = bucket(j);
        if (b.numRows > 0) {
          const bytes = tableToIPC(new Table([forIpc(b)]), "stream");
          writeSync(fd, bytes);
          at += bytes.byteLength;
        }
        offsets.push(at);
        rows.push(b.numRows);
      }
    } finally {
      closeSync(fd);
    }
    return { file, offsets, rows };
  }

  read(staged: readonly StagedBuckets[], output: number): Partition[] {
    const out: Partition[] = [];
    for (const s of staged) {
      const start = s.offsets[output]!;
      const len = s.offsets[output + 1]! - start;
      if (len === 0) continue;
      const bytes = new Uint8Array(len);
      const fd = openSync(s.file, "r");
      try {
        let got = 0;
        while (got < len) {
          const n = readSync(fd, bytes, got, len - got, start + got);
          if (n === 0) throw new Error(`shuffle staging: ${s.file} ended early (wanted ${len} bytes at ${start})`);
          got += n;
        }
      } finally {
        closeSync(fd);
      }
      for (const b of tableFromIPC(bytes).batches) out.push(b);
    }
    return out;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The batch with one dictionary id per string column: tusk's partitions share one
 * Dictionary type instance (one id) across columns, which an IPC stream cannot carry.
 */
function forIpc(batch: Partition): RecordBatch {
  const fields = batch.schema.fields;
  if (fields.filter((f) => f.type instanceof Dictionary).length < 2) return batch as RecordBatch;
  const children: Data[] = [];
  const newFields = fields.map((f, j) => {
    const data = batch.data.children[j]!;
    if (!(f.type instanceof Dictionary)) { children.push(data); return f; }
    const type = new Dictionary(f.type.dictionary, f.type.indices, j, f.type.isOrdered);
    children.push(data.clone(type));
    return new Field(f.name, type, f.nullable, f.metadata);
  });
  const schema = new Schema(newFields, batch.schema.metadata);
  return new RecordBatch(schema, makeData({ type: new Struct(newFields), length: batch.numRows, nullCount: 0, children }));
}
