/**
 * A worker's scratch spaces: folders of files that tasks leave for later tasks on any
 * worker (a shuffle's buckets), each owned by a key. The worker
 * - gives every task run a scratch spec (../../graph/local/scratch-port.ts): the thread
 *   writes and reads local files itself and asks here, over a BroadcastChannel, for
 *   ranges held by other workers (fetched over the peer connection, never through the
 *   scheduler);
 * - tells the scheduler which owners it holds files of (`scratch-added`), so the
 *   scheduler can have them deleted when the owner key is released (`free-scratch`) and
 *   re-run the owner when a worker holding some of them is lost;
 * - serves `get-scratch` requests of peers from disk, one owner and a list of ranges
 *   per request, the bytes going back as binary frames.
 * Nothing here knows what the files mean.
 */
import { mkdirSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { BroadcastChannel } from "node:worker_threads";
import type { ScratchRange } from "../../graph/ops.js";
import { SCRATCH_NAME, replyChannel, scratchDirName, type ScratchPortSpec, type ScratchReply, type ScratchRequest } from "../../graph/local/scratch-port.js";

/** What a task run's scratch port needs from the worker. */
export interface ScratchIO {
  /** The worker's peer address. */
  readonly address: string;
  /** The scheduler must learn that this worker holds files of `owner`. */
  announce(owner: string): void;
  /** Ranges of `owner`'s files on another worker. */
  fetch(address: string, owner: string, ranges: readonly ScratchRange[]): Promise<Uint8Array[]>;
}

/** The scratch side of one task run. */
export interface TaskScratch {
  /** Goes into the batch request. */
  readonly spec: ScratchPortSpec;
  /** Set when the task could not read some owner's files (and where they were). */
  readonly lost: { owner: string; address: string } | undefined;
  /** Forgets the run. */
  close(): void;
}

/** The scratch spaces of one worker, under one folder. */
export class ScratchSpaces {
  readonly root: string;
  readonly #io: ScratchIO;
  /** Owners whose files are here, as far as the scheduler was told. */
  readonly #held = new Set<string>();
  /** Runs under way: what each found missing. */
  readonly #runs = new Map<number, { lost: { owner: string; address: string } | undefined }>();
  readonly #channel = `tusk-scratch-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  #requests: BroadcastChannel | undefined;
  readonly #replies = new Map<number, BroadcastChannel>();
  #run = 0;

  constructor(root: string, io: ScratchIO) {
    this.root = root;
    this.#io = io;
  }

  /** Owners with files here. */
  get owners(): string[] {
    return [...this.#held];
  }

  /** The scratch side of one task run. */
  forTask(): TaskScratch {
    if (!this.#requests) {
      mkdirSync(this.root, { recursive: true });
      this.#requests = new BroadcastChannel(this.#channel);
      this.#requests.onmessage = (ev) => this.#onRequest((ev as { data: ScratchRequest }).data);
      this.#requests.unref();
    }
    const run = ++this.#run;
    const state = { lost: undefined as { owner: string; address: string } | undefined };
    this.#runs.set(run, state);
    return {
      spec: { address: this.#io.address, root: this.root, channel: this.#channel, run },
      get lost() { return state.lost; },
      close: () => { this.#runs.delete(run); },
    };
  }

  #onRequest(m: ScratchRequest): void {
    switch (m.type) {
      case "used":
        if (!this.#held.has(m.owner)) {
          this.#held.add(m.owner);
          this.#io.announce(m.owner);
        }
        break;
      case "lost": {
        const run = this.#runs.get(m.run);
        if (run) run.lost ??= { owner: m.owner, address: m.address };
        break;
      }
      case "read":
        this.#io.fetch(m.address, m.owner, m.ranges).then((data) => {
          this.#reply(m.thread, { seq: m.seq, data });
        }, (error: unknown) => {
          const run = this.#runs.get(m.run);
          if (run) run.lost ??= { owner: m.owner, address: m.address };
          this.#reply(m.thread, { seq: m.seq, error: `could not read scratch data of ${m.owner} from the worker at ${m.address}: ${(error as Error).message}` });
        });
        break;
    }
  }

  #reply(thread: number, m: ScratchReply): void {
    let ch = this.#replies.get(thread);
    if (!ch) this.#replies.set(thread, (ch = new BroadcastChannel(replyChannel(this.#channel, thread))));
    ch.postMessage(m);
  }

  /** Reads ranges of `owner`'s files for a peer; rejects when they are not here. */
  async serve(owner: string, ranges: readonly ScratchRange[]): Promise<Uint8Array[]> {
    const dir = join(this.root, scratchDirName(owner));
    const out: Uint8Array[] = [];
    for (const r of ranges) {
      if (!SCRATCH_NAME.test(r.name)) throw new Error(`bad scratch file name ${JSON.stringify(r.name.slice(0, 64))}`);
      const fh = await open(join(dir, r.name), "r").catch((error: unknown) => {
        throw new Error(`no scratch data ${r.name} of ${owner} on this worker (${(error as { code?: string }).code ?? String(error)})`);
      });
      try {
        const bytes = new Uint8Array(r.length);
        let got = 0;
        while (got < r.length) {
          const { bytesRead } = await fh.read(bytes, got, r.length - got, r.offset + got);
          if (bytesRead === 0) throw new Error(`scratch file ${r.name} of ${owner} is shorter than ${r.offset + r.length} bytes`);
          got += bytesRead;
        }
        out.push(bytes);
      } finally {
        await fh.close();
      }
    }
    return out;
  }

  /** Deletes the files of these owners. */
  free(owners: readonly string[]): void {
    for (const owner of owners) {
      this.#held.delete(owner);
      rmSync(join(this.root, scratchDirName(owner)), { recursive: true, force: true });
    }
  }

  /** Deletes everything (the worker leaves, or starts over). */
  clear(): void {
    this.#held.clear();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Deletes everything and closes the channels (the worker stops). */
  close(): void {
    this.clear();
    this.#requests?.close();
    this.#requests = undefined;
    for (const ch of this.#replies.values()) ch.close();
    this.#replies.clear();
  }
}
