/**
 * The {@link ScratchService} a cluster worker gives the tasks it runs on its threads: a
 * thread writes and reads its own worker's scratch files directly, and asks the worker's
 * main thread to fetch ranges from other workers and to tell the scheduler which scratch
 * spaces it filled. Requests go over a BroadcastChannel named by the worker (only its
 * main thread listens), replies over one channel per thread; both are opened on first
 * use, so a task that never touches scratch costs nothing. The main thread's side is
 * the worker server's (../../distributed/worker/shards.ts).
 */
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { BroadcastChannel, threadId } from "node:worker_threads";
import type { ScratchRange, ScratchService } from "../ops.js";

/** What a batch carries when its worker offers scratch space (plain data). */
export interface ScratchPortSpec {
  /** The worker's peer address. */
  readonly address: string;
  /** The folder holding the worker's scratch spaces. */
  readonly root: string;
  /** The worker's request channel; replies come on `${channel}:reply:${threadId}`. */
  readonly channel: string;
  /** This task run, for reports of data found missing. */
  readonly run: number;
}

/** Thread → worker messages. */
export type ScratchRequest =
  | { readonly type: "used"; readonly owner: string }
  | { readonly type: "read"; readonly seq: number; readonly thread: number; readonly run: number; readonly address: string; readonly owner: string; readonly ranges: readonly ScratchRange[] }
  | { readonly type: "lost"; readonly run: number; readonly owner: string; readonly address: string };

/** Worker → thread replies to "read". */
export type ScratchReply = { readonly seq: number; readonly data: Uint8Array[] } | { readonly seq: number; readonly error: string };

/** The reply channel of a thread. */
export function replyChannel(channel: string, thread: number): string {
  return `${channel}:reply:${thread}`;
}

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

interface ThreadChannels {
  readonly requests: BroadcastChannel;
  readonly pending: Map<number, { resolve: (d: Uint8Array[]) => void; reject: (e: Error) => void }>;
}

/** This thread's channels to each worker it ran tasks for, opened on first use. */
const channels = new Map<string, ThreadChannels>();
let seq = 0;

function channelsOf(name: string): ThreadChannels {
  let c = channels.get(name);
  if (c) return c;
  const requests = new BroadcastChannel(name);
  const replies = new BroadcastChannel(replyChannel(name, threadId));
  const pending: ThreadChannels["pending"] = new Map();
  replies.onmessage = (ev) => {
    const m = (ev as { data: ScratchReply }).data;
    const w = pending.get(m.seq);
    if (!w) return;
    pending.delete(m.seq);
    if ("error" in m) w.reject(new Error(m.error));
    else w.resolve(m.data);
  };
  replies.unref();
  requests.unref();
  channels.set(name, (c = { requests, pending }));
  return c;
}

/** The scratch service of a task run on a thread. */
export function scratchService(spec: ScratchPortSpec): ScratchService {
  const post = (m: ScratchRequest): void => channelsOf(spec.channel).requests.postMessage(m);
  const announced = new Set<string>();
  return {
    address: spec.address,
    dir(owner) {
      const dir = join(spec.root, scratchDirName(owner));
      mkdirSync(dir, { recursive: true });
      // Once per run and owner (the worker tells the scheduler once per owner it holds).
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
          post({ type: "lost", run: spec.run, owner, address });
          return Promise.reject(new Error(`scratch data of ${owner} is gone from this worker (${(error as Error).message})`, { cause: error }));
        }
      }
      const c = channelsOf(spec.channel);
      return new Promise((resolve, reject) => {
        const id = ++seq;
        c.pending.set(id, { resolve, reject });
        post({ type: "read", seq: id, thread: threadId, run: spec.run, address, owner, ranges });
      });
    },
  };
}
