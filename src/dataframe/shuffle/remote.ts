/**
 * The shuffle's staging on a cluster, worker to worker (Dask's P2P shuffle, without
 * its O(input × output) messages): `split#i` writes its buckets into the scratch space
 * of its own worker (one file, as the disk staging does) and returns a small manifest
 * naming that worker; `collect#j` reads bucket j of every manifest — from its own disk
 * when the file is local, otherwise straight from the worker that wrote it, several
 * buckets per request — never through the scheduler.
 *
 * The scratch space belongs to the shuffle's barrier key: workers delete it when the
 * scheduler releases that key, and a lost worker makes the scheduler re-run the
 * shuffle's splits (a collect that could not fetch a bucket is re-run after that).
 */
import { basename } from "node:path";
import { tableFromIPC } from "apache-arrow";
import type { ScratchRange, ScratchService } from "../../graph/ops.js";
import type { Partition } from "../partition.js";
import { DiskStaging, type StagedBuckets } from "./staging.js";

/** What a split task returns on a cluster: where its buckets are. */
export interface ScratchBuckets extends StagedBuckets {
  /** The peer address of the worker holding the file (`file` is a name in its scratch space). */
  readonly address: string;
}

/** Stores the `n` buckets of input partition `input` in this worker's scratch space of `owner`. */
export function writeScratch(scratch: ScratchService, owner: string, input: number, n: number, bucket: (j: number) => Partition): ScratchBuckets {
  const staged = new DiskStaging(scratch.dir(owner)).write(input, n, bucket);
  return { address: scratch.address, file: basename(staged.file), offsets: staged.offsets, rows: staged.rows };
}

/** The buckets for output partition `output`, in input order, from wherever they are. */
export async function readScratch(scratch: ScratchService, owner: string, staged: readonly ScratchBuckets[], output: number): Promise<Partition[]> {
  const byAddress = new Map<string, { ranges: ScratchRange[]; slots: number[] }>();
  staged.forEach((s, i) => {
    const offset = s.offsets[output]!;
    const length = s.offsets[output + 1]! - offset;
    if (length === 0) return;
    let group = byAddress.get(s.address);
    if (!group) byAddress.set(s.address, (group = { ranges: [], slots: [] }));
    group.ranges.push({ name: s.file, offset, length });
    group.slots.push(i);
  });
  const bytes = new Array<Uint8Array | undefined>(staged.length);
  await Promise.all([...byAddress].map(async ([address, { ranges, slots }]) => {
    const got = await scratch.read(address, owner, ranges);
    slots.forEach((slot, k) => { bytes[slot] = got[k]; });
  }));
  const out: Partition[] = [];
  for (const b of bytes) if (b) for (const batch of tableFromIPC(b).batches) out.push(batch);
  return out;
}
