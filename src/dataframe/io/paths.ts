/**
 * Paths of partitioned readers: a path, a glob (`data/*.csv`, `logs/2024-??/*.json`,
 * `out/**\/*.parquet`) or a list of either, expanded at call time to a sorted list of
 * files. Node 20 has no `fs.glob` (22+), so this is a small matcher: `*` and `?` match
 * within one path segment, `[abc]` / `[a-z]` a character class, `**` any number of
 * segments. A path or pattern that matches nothing is an error naming it.
 */
import { readdir, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { ValidationError } from "../../errors.js";

/** One file to read and its size in bytes. */
export interface InputFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

const MAGIC = /[*?[]/;

/** True when `path` holds a glob character. */
export function isGlob(path: string): boolean {
  return MAGIC.test(path);
}

/** A RegExp for one path segment of a glob. */
export function segmentRegExp(pattern: string): RegExp {
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) { re += "\\["; continue; }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!") || body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\\\]]/g, "\\$&")}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(re + "$");
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function expandGlob(pattern: string): Promise<string[]> {
  const abs = resolve(pattern);
  const parts = abs.split(sep);
  const firstMagic = parts.findIndex((p) => MAGIC.test(p));
  const root = parts.slice(0, firstMagic).join(sep) || sep;
  const rest = parts.slice(firstMagic);
  const out: string[] = [];
  const walk = async (dir: string, segs: string[]): Promise<void> => {
    if (segs.length === 0) return;
    const [seg, ...tail] = segs as [string, ...string[]];
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (seg === "**") {
      await walk(dir, tail); // zero segments
      for (const e of entries) if (e.isDirectory() && !e.name.startsWith(".")) await walk(join(dir, e.name), segs);
      return;
    }
    if (!MAGIC.test(seg)) {
      const next = join(dir, seg);
      if (tail.length === 0) { if (entries.some((e) => e.name === seg && !e.isDirectory())) out.push(next); }
      else await walk(next, tail);
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of entries) {
      if (!re.test(e.name) || (e.name.startsWith(".") && !seg.startsWith("."))) continue;
      const next = join(dir, e.name);
      if (tail.length === 0) { if (!e.isDirectory() || (await isDirectory(next)) === false) out.push(next); }
      else if (e.isDirectory() || e.isSymbolicLink()) await walk(next, tail);
    }
  };
  await walk(root, rest);
  return [...new Set(out)].sort();
}

/**
 * Expands paths and globs to files, in order (each glob's matches sorted by name).
 * A directory stands for the files in it with `extension` (e.g. `out/` → `out/*.parquet`).
 * Rejects with `ERR_FILE_NOT_FOUND` naming the path or pattern that matched nothing.
 * @example await expandPaths("data/*.csv", "readCSV") // [{ path: "/…/data/a.csv", size: 1234, … }, …]
 */
export async function expandPaths(input: string | readonly string[], what: string, extension?: string): Promise<InputFile[]> {
  const list = typeof input === "string" ? [input] : [...input];
  if (list.length === 0 || list.some((p) => typeof p !== "string" || p.length === 0)) {
    throw new ValidationError(`${what} needs a path, a glob like "data/*.csv" or a list of them, got ${JSON.stringify(input)}`);
  }
  const files: string[] = [];
  for (const p of list) {
    if (isGlob(p)) {
      const found = await expandGlob(p);
      if (found.length === 0) {
        throw new ValidationError(`${what}: no file matches ${JSON.stringify(p)} (looked in ${resolve(p.split(/[*?[]/)[0]! || ".")}); check the pattern and the working directory (${process.cwd()})`, { code: "ERR_FILE_NOT_FOUND" });
      }
      files.push(...found);
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch (error) {
      throw new ValidationError(`${what}: file not found: ${resolve(p)} (given as ${JSON.stringify(p)}, working directory ${process.cwd()})`, { code: "ERR_FILE_NOT_FOUND", cause: error });
    }
    if (st.isDirectory()) {
      const found = extension ? await expandGlob(join(p, `*${extension}`)) : [];
      if (found.length === 0) {
        throw new ValidationError(`${what}: ${resolve(p)} is a directory with no ${extension ?? ""} files; pass a file or a glob like "${join(p, `*${extension ?? ""}`)}"`, { code: "ERR_FILE_NOT_FOUND" });
      }
      files.push(...found);
    } else files.push(resolve(p));
  }
  return Promise.all(files.map(async (path) => {
    const st = await stat(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  }));
}
