/**
 * `npm run bench -- NAME [args]`: runs bench/NAME.ts (scheduler, dataframe, array,
 * distributed, shuffle, ...) in a fresh Node process. Benchmarks are not tests: they
 * print figures side by side with a peer measured in the same run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_")).map((f) => f.slice(0, -3));
if (!name || !existsSync(`${dir}${name}.ts`)) {
  console.error(`usage: npm run bench -- <${available.join("|")}> [args]`);
  process.exit(name ? 1 : 0);
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", `${dir}${name}.ts`, ...rest], { stdio: "inherit" });
process.exit(r.status ?? 1);
