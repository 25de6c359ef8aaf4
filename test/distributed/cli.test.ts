import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const cli = fileURLToPath(new URL("../../src/cli.ts", import.meta.url));
const tusk = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", cli, ...args], { encoding: "utf8", timeout: 60_000, env: { ...process.env, TUSK_TOKEN: "" } });

describe("tusk CLI", () => {
  test("--help lists both commands and their options", () => {
    const r = tusk("--help");
    expect(r.status).toBe(0);
    for (const text of ["tusk scheduler", "tusk worker <scheduler-url>", "--dashboard-port", "--memory-limit", "--allow-modules", "--tls-ca", "TUSK_TOKEN"]) {
      expect(r.stdout).toContain(text);
    }
  });

  test("bad invocations exit with a message that says what to do", () => {
    const noAddress = tusk("worker");
    expect(noAddress.status).toBe(2);
    expect(noAddress.stderr).toMatch(/needs the scheduler's address, e\.g\. tusk worker ws:\/\/127\.0\.0\.1:8786/);
    const badFlag = tusk("scheduler", "--prot", "1");
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).toMatch(/unknown option --prot; see tusk --help/);
    const unknown = tusk("sheduler");
    expect(unknown.stderr).toMatch(/unknown command sheduler/);
  });
});
