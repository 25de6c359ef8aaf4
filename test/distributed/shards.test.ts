/**
 * A worker's scratch spaces served to peers (no sockets): byte ranges come back as
 * written; names that could leave the owner's folder, unknown owners and ranges past
 * a file's end are refused; freeing an owner deletes its folder.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { ScratchSpaces } from "../../src/distributed/worker/shards.js";
import { scratchDirName } from "../../src/graph/local/scratch-port.js";

const base = mkdtempSync(join(tmpdir(), "tusk-shards-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("scratch spaces", () => {
  test("serves byte ranges of an owner's files and refuses anything outside them", async () => {
    const spaces = new ScratchSpaces(join(base, "root"), { address: "here", announce: () => {}, fetch: () => Promise.reject(new Error("no peers")) });
    const owner = "merge-barrier-9f3c/../x";
    const dir = join(spaces.root, scratchDirName(owner));
    expect(scratchDirName(owner)).not.toMatch(/[/\\]|^\.\.?$/);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "0-abc.arrows"), Buffer.from("0123456789"));
    writeFileSync(join(base, "secret"), "secret");
    const got = await spaces.serve(owner, [{ name: "0-abc.arrows", offset: 2, length: 3 }, { name: "0-abc.arrows", offset: 0, length: 0 }]);
    expect(got.map((b) => Buffer.from(b).toString())).toEqual(["234", ""]);
    for (const name of ["../secret", "..", ".", "a/b", "", "..\\secret"]) {
      await expect(spaces.serve(owner, [{ name, offset: 0, length: 1 }])).rejects.toThrow(/bad scratch file name/);
    }
    await expect(spaces.serve("someone-else", [{ name: "0-abc.arrows", offset: 0, length: 1 }])).rejects.toThrow(/no scratch data/);
    await expect(spaces.serve(owner, [{ name: "0-abc.arrows", offset: 8, length: 5 }])).rejects.toThrow(/shorter than 13 bytes/);
    spaces.free([owner]);
    expect(existsSync(dir)).toBe(false);
    spaces.close();
    expect(existsSync(spaces.root)).toBe(false);
  });
});
