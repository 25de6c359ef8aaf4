/**
 * Zarr v3 on the local file system (zarrita + @zarrita/storage's FileSystemStore), one
 * task per chunk, so arrays larger than memory are written and read block by block.
 * `toZarr` writes with the array's chunks as the Zarr chunk grid (rechunking to a regular
 * grid first when chunks are uneven); `fromZarr` reads with the stored chunks unless told
 * otherwise. bool is stored as uint8 with the attribute `tusk_dtype: "bool"`.
 */
import { mkdirSync, rmSync, existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import type * as Zarr from "zarrita";
import type FileSystemStore from "@zarrita/storage/fs";
import { ValidationError } from "../errors.js";
import { TUSK, type Collection } from "../graph/collection.js";
import { computeOne, type ComputeOptions } from "../graph/compute.js";
import { LayeredGraph, layer } from "../graph/graph.js";
import { makeKey, makeName } from "../graph/key.js";
import { defineOp, registerOpModule } from "../graph/ops.js";
import { lit, list, ref, task } from "../graph/task.js";
import { ChunkedArray, fromLayer } from "./array.js";
import { makeChunk, type Chunk } from "./chunk.js";
import { blockIndices, blockShape, ctorOf, normalizeChunks, numBlocks, offsets, size, stridesOf, type ChunksInput, type DType, type TypedArray } from "./chunks.js";
import { rechunk } from "./shape.js";

registerOpModule(import.meta.url);

type ZArray = Zarr.Array<Zarr.DataType, FileSystemStore>;
const opened = new Map<string, Promise<ZArray>>();

// zarrita is ESM-only: imported when first needed, so threads that never touch Zarr never load it.
let libs: Promise<{ zarr: typeof Zarr; Store: typeof FileSystemStore }> | undefined;
function load(): Promise<{ zarr: typeof Zarr; Store: typeof FileSystemStore }> {
  libs ??= Promise.all([import("zarrita"), import("@zarrita/storage/fs")]).then(([zarr, fs]) => ({ zarr, Store: fs.default }));
  return libs;
}

async function openArray(path: string, nonce: string): Promise<ZArray> {
  const k = `${path}\0${nonce}`;
  let p = opened.get(k);
  if (!p) {
    const { zarr, Store } = await load();
    p = zarr.open(zarr.root(new Store(path)), { kind: "array" }) as Promise<ZArray>;
    opened.set(k, p);
  }
  return p;
}

const ZTYPE: Record<DType, string> = { float64: "float64", float32: "float32", int32: "int32", bool: "uint8" };

defineOp("array.zarrWrite", async (path: string, nonce: string, start: number[], c: Chunk) => {
  if (c.data.length === 0) return 0;
  const arr = await openArray(path, nonce);
  const { zarr } = await load();
  const data = c.dtype === "bool" ? new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.length) : c.data;
  const sel = c.shape.map((d, a) => zarr.slice(start[a]!, start[a]! + d));
  await zarr.set(arr, sel, { data, shape: [...c.shape], stride: stridesOf(c.shape) } as never);
  return c.data.byteLength;
});

defineOp("array.zarrRead", async (path: string, nonce: string, dtype: DType, start: number[], shape: number[]) => {
  if (size(shape) === 0) return makeChunk(dtype, shape);
  const arr = await openArray(path, nonce);
  const { zarr } = await load();
  const sel = shape.map((d, a) => zarr.slice(start[a]!, start[a]! + d));
  const got = (await zarr.get(arr, shape.length === 0 ? null : sel)) as unknown as { data: ArrayLike<number> } | number;
  const Ctor = ctorOf(dtype);
  if (typeof got === "number") return makeChunk(dtype, shape, Ctor.of(got) as TypedArray);
  const d = got.data instanceof Ctor ? (got.data as TypedArray) : (Ctor.from(got.data) as TypedArray);
  return makeChunk(dtype, shape, d);
});

defineOp("array.sumBytes", (parts: number[]) => parts.reduce((a, b) => a + b, 0));

/**
 * Writes `x` to a Zarr v3 array at `path` (a folder), one task per chunk.
 * @example await x.toZarr("/data/x.zarr")
 */
export async function toZarr(x: ChunkedArray, path: string, options: ComputeOptions & { overwrite?: boolean } = {}): Promise<void> {
  const dir = resolvePath(path);
  if (existsSync(dir)) {
    if (!options.overwrite) throw new ValidationError(`toZarr: ${dir} exists; pass { overwrite: true } to replace it`, { code: "ERR_EXISTS" });
    rmSync(dir, { recursive: true, force: true });
  }
  // Zarr's chunk grid is regular: all chunks of an axis equal except the last.
  const regular = x.chunks.every((c) => c.slice(0, -1).every((s) => s === c[0]) && c[c.length - 1]! <= c[0]!);
  const y = regular ? x : rechunk(x, x.chunks.map((c) => Math.max(1, ...c)));
  const chunkShape = y.chunks.map((c) => Math.max(1, c[0]!));
  mkdirSync(dir, { recursive: true });
  const { zarr, Store } = await load();
  await zarr.create(zarr.root(new Store(dir)), {
    shape: [...y.shape], chunkShape, dtype: ZTYPE[y.dtype] as Zarr.DataType,
    attributes: y.dtype === "bool" ? { tusk_dtype: "bool" } : {},
  } as never);
  const nonce = `${Date.now()}-${Math.random()}`;
  const name = makeName("to-zarr", y.name, dir, nonce);
  const offs = y.chunks.map(offsets);
  const writes = [...blockIndices(numBlocks(y.chunks))].map((idx) =>
    task(makeKey(name, idx), "array.zarrWrite", lit(dir), lit(nonce), lit(idx.map((b, a) => offs[a]![b]!)), ref(y.key(idx))));
  const doneKey = makeKey(makeName("to-zarr-done", name));
  const graph = LayeredGraph.from(layer(name, writes, [...y.graph.layers.keys()]), y.graph)
    .with(layer(doneKey, [task(doneKey, "array.sumBytes", list(writes.map((w) => ref(w.key))))], [name]));
  const c: Collection<number> = {
    [TUSK]: () => ({ graph, keys: [doneKey], finalize: (v: unknown[]) => v[0] as number, rebuild: () => c }),
  };
  await computeOne(c, options);
}

/**
 * Reads a Zarr array (v3 or v2) from a folder, lazily, one task per chunk.
 * @example const x = await tk.array.fromZarr("/data/x.zarr")
 */
export async function fromZarr(path: string, options: { chunks?: ChunksInput } = {}): Promise<ChunkedArray> {
  const dir = resolvePath(path);
  let arr: ZArray;
  const { zarr, Store } = await load();
  try {
    arr = (await zarr.open(zarr.root(new Store(dir)), { kind: "array" })) as ZArray;
  } catch (error) {
    throw new ValidationError(`fromZarr: no Zarr array at ${dir} (${String(error)})`, { code: "ERR_NOT_FOUND", cause: error });
  }
  const zt = String(arr.dtype);
  const attrs = (arr.attrs ?? {}) as Record<string, unknown>;
  let dtype: DType;
  if (zt === "uint8" && attrs.tusk_dtype === "bool") dtype = "bool";
  else if (zt === "float64" || zt === "float32" || zt === "int32") dtype = zt;
  else if (zt === "bool") dtype = "bool";
  else if (["int8", "int16", "uint8", "uint16"].includes(zt)) dtype = "int32";
  else if (["uint32", "float16"].includes(zt)) dtype = "float64";
  else throw new ValidationError(`fromZarr: data type ${zt} is not supported (float64, float32, int32, smaller ints, bool)`, { code: "ERR_DTYPE" });
  const shape = [...arr.shape];
  const chunks = normalizeChunks(options.chunks ?? (arr.chunks.map((c, a) => Math.min(Math.max(1, c), Math.max(1, shape[a]!))) as number[]), shape, ctorOf(dtype).BYTES_PER_ELEMENT);
  const nonce = `${Date.now()}-${Math.random()}`;
  const m = { shape, dtype, chunks };
  return fromLayer("from-zarr", [dir, nonce, chunks], m, (name) => {
    const offs = chunks.map(offsets);
    return [...blockIndices(numBlocks(chunks))].map((idx) =>
      task(makeKey(name, idx), "array.zarrRead", lit(dir), lit(nonce), lit(dtype), lit(idx.map((b, a) => offs[a]![b]!)), lit(blockShape(chunks, idx))));
  });
}
