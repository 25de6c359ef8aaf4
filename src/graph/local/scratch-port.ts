/**
 * The {@link ScratchService} a cluster worker gives the tasks it runs on its threads: a
 * thread writes and reads its own worker's scratch files directly, and asks the worker's
 * main thread (over a MessagePort handed over with the batch) to fetch ranges from
 * other workers and to tell the scheduler which scratch spaces it filled. The main
 * thread's side is the worker server's (../../distributed/worker/shards.ts).
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { MessagePort } from "node:worker_threads";
import type { ScratchRange, ScratchService } from "../ops.js";

/** What a batch carries when its worker offers scratch space. */
export interface ScratchPortSpec {
  /** The worker's peer address. */
  readonly address: string;
  /** The folder holding the worker's scratch spaces. */
  readonly root: string;
  readonly port: MessagePort;
}

/** Thread → worker messages. */
export type ScratchRequest =
  | { readonly type: "used"; readonly owner: string }
  | { readonly type: "read"; readonly seq: number; readonly address: string; readonly owner: string; readonly ranges: readonly ScratchRange[] }
  | { readonly type: "lost"; readonly owner: string; readonly address: string };

/** Worker → thread replies to "read". */
export type ScratchReply = { readonly seq: number; readonly data: Uint8Array[] } | { readonly seq: number; readonly error: string };

/** The folder name of scratch space `owner` (any key: made file-system safe, unique by hash). */
export function scratchDirName(owner: string): string {
  const hash = createHash("sha256").update(owner).digest("hex").slice(0, 16);
  return `${owner.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 48)}-${hash}`;
}

/** File names inside a scratch space: no separators, no dot-only names. */
export const SCRATCH_NAME = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;

/** Reads byte ranges of files in `dir` (throws when a file is missing or short). */
export function readRanges(dir: string, ranges: readonly ScratchRange[]): Uint8Array[] {
  return ranges.map((r) => {
    if (!SCRATCH_NAME.test(r.name)) throw new Error(`bad scratch file name ${JSON.stringify(r.name)}`);
    const file = join(dir, r.name);
    const bytes = new Uint8Array(r.length);
    const fd = openSync(file, "r");
    try {
      let got = 0;
      while (got < r.length) {
        const n = readSync(fd, bytes, got, r.length - got, r.offset + got);
        if (n === 0) throw new Error(`scratch file ${file} ended early (wanted ${r.length} bytes at ${r.offset})`);
        got += n;
      }
    } finally {
      closeSync(fd);
    }
    return bytes;
  });
}

/** The scratch service of a thread, talking to its worker over `spec.port`. */
export function scratchOverPort(spec: ScratchPortSpec): ScratchService {
  const pending = new Map<number, { resolve: (d: Uint8Array[]) => void; reject: (e: Error) => void }>();
  const announced = new Set<string>();
  let seq = 0;
  spec.port.on("message", (m: ScratchReply) => {
    const w = pending.get(m.seq);
    if (!w) return;
    pending.delete(m.seq);
    if ("error" in m) w.reject(new Error(m.error));
    else w.resolve(m.data);
  });
  const post = (m: ScratchRequest): void => spec.port.postMessage(m);
  return {
    address: spec.address,
    dir(owner) {
      const dir = join(spec.root, scratchDirName(owner));
      mkdirSync(dir, { recursive: true });
      if (!announced.has(owner)) {
        announced.add(owner);
        post({ type: "used", owner });
      }
      return dir;
    },
    read(address, owner, ranges) {
      if (address === spec.address) {
        try {
          return Promise.resolve(readRanges(join(spec.root, scratchDirName(owner)), ranges));
        } catch (error) {
          post({ type: "lost", owner, address });
          return Promise.reject(new Error(`scratch data of ${owner} is gone from this worker (${(error as Error).message})`, { cause: error }));
        }
      }
      return new Promise((resolve, reject) => {
        const id = ++seq;
        pending.set(id, { resolve, reject });
        post({ type: "read", seq: id, address, owner, ranges });
      });
    },
  };
}
