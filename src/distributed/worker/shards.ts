/**
 * A worker's scratch spaces: folders of files that tasks leave for later tasks on any
 * worker (a shuffle's buckets), each owned by a key. The worker
 * - gives every task run a MessagePort (../../graph/local/scratch-port.ts): the thread
 *   writes and reads local files itself and asks here for ranges held by other workers
 *   (fetched over the peer connection, never through the scheduler);
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
import { MessageChannel, type MessagePort } from "node:worker_threads";
import type { ScratchRange } from "../../graph/ops.js";
import { SCRATCH_NAME, scratchDirName, type ScratchPortSpec, type ScratchReply, type ScratchRequest } from "../../graph/local/scratch-port.js";

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
  /** Goes into the batch request (its port in the transfer list). */
  readonly spec: ScratchPortSpec;
  /** Set when the task could not read some owner's files (and where they were). */
  readonly lost: { owner: string; address: string } | undefined;
  /** Ends the run's port. */
  close(): void;
}

/** The scratch spaces of one worker, under one folder. */
export class ScratchSpaces {
  readonly root: string;
  /** Owners whose files are here, as far as the scheduler was told. */
  readonly #held = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  /** Owners with files here. */
  get owners(): string[] {
    return [...this.#held];
  }

  /** A port for one task run. */
  forTask(io: ScratchIO): TaskScratch {
    mkdirSync(this.root, { recursive: true });
    const { port1, port2 } = new MessageChannel();
    let lost: { owner: string; address: string } | undefined;
    port1.on("message", (m: ScratchRequest) => {
      switch (m.type) {
        case "used":
          if (!this.#held.has(m.owner)) {
            this.#held.add(m.owner);
            io.announce(m.owner);
          }
          break;
        case "lost":
          lost ??= { owner: m.owner, address: m.address };
          break;
        case "read":
          io.fetch(m.address, m.owner, m.ranges).then((data) => {
            // Move whole buffers to the thread; views into a larger one are copied.
            const whole = data.filter((d) => d.byteOffset === 0 && d.byteLength === d.buffer.byteLength && d.buffer instanceof ArrayBuffer);
            reply(port1, { seq: m.seq, data }, [...new Set(whole.map((d) => d.buffer as ArrayBuffer))]);
          }, (error: unknown) => {
            lost ??= { owner: m.owner, address: m.address };
            reply(port1, { seq: m.seq, error: `could not read scratch data of ${m.owner} from the worker at ${m.address}: ${(error as Error).message}` }, []);
          });
          break;
      }
    });
    const spec: ScratchPortSpec = { address: io.address, root: this.root, port: port2 as MessagePort };
    return {
      spec,
      get lost() { return lost; },
      close: () => port1.close(),
    };
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
}

function reply(port: MessagePort, m: ScratchReply, transfer: ArrayBuffer[]): void {
  try {
    port.postMessage(m, transfer);
  } catch {
    // The task is over (its port closed): nobody waits for this reply.
  }
}
