// Renders an executed notebook (default: examples/notebooks/quickstart.out.ipynb, written
// by scripts/ci-notebook.sh) the way Jupyter shows it — prompts, code, text output and the
// HTML outputs as they are — and screenshots it in headless Chromium.
//   npx tsx scripts/notebook-screenshot.ts [executed.ipynb] [out.png] [--cells 3-7]
// Debian has no nbconvert here, so the page is assembled from the cells directly; markdown
// cells get a minimal rendering (headings, lists, paragraphs, `code`, links as text).
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { chromium } from "playwright-core";

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
}
interface Cell {
  cell_type: "code" | "markdown";
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

const joined = (x: string | string[] | undefined): string => (Array.isArray(x) ? x.join("") : x ?? "");
const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function inline(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\[([^\]]+)\]\([^)]+\)/g, "$1");
}

function markdown(src: string): string {
  const out: string[] = [];
  for (const block of src.split(/\n\s*\n/)) {
    const lines = block.split("\n");
    const h = /^(#{1,3}) (.*)$/.exec(lines[0]!);
    if (h) out.push(`<h${h[1]!.length}>${inline(h[2]!)}</h${h[1]!.length}>`);
    else if (lines.every((l) => /^\d+\. /.test(l))) out.push(`<ol>${lines.map((l) => `<li>${inline(l.replace(/^\d+\. /, ""))}</li>`).join("")}</ol>`);
    else out.push(`<p>${inline(block)}</p>`);
  }
  return out.join("");
}

function outputHTML(o: Output): string {
  if (o.output_type === "stream") return `<pre class="${o.name}">${esc(joined(o.text))}</pre>`;
  const html = o.data?.["text/html"];
  if (html !== undefined) return `<div class="rich">${joined(html)}</div>`;
  return `<pre>${esc(joined(o.data?.["text/plain"]))}</pre>`;
}

function page(cells: Cell[]): string {
  const body = cells.map((c) => {
    if (c.cell_type === "markdown") return `<div class="md">${markdown(joined(c.source))}</div>`;
    const n = c.execution_count ?? " ";
    const outs = (c.outputs ?? []).map(outputHTML).join("");
    return `<div class="cell"><div class="in"><span class="prompt">In [${n}]:</span><pre class="src">${esc(joined(c.source))}</pre></div>` +
      (outs ? `<div class="out">${outs}</div>` : "") + "</div>";
  }).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body { font-family: sans-serif; font-size: 14px; margin: 16px 24px; max-width: 980px; color: #222; }
.md { margin: 12px 0 6px 96px; } .md h1 { font-size: 24px; } .md h2 { font-size: 19px; } .md p, .md li { line-height: 1.45; }
code { background: #f2f2f2; padding: 1px 3px; border-radius: 3px; }
.cell { margin: 8px 0; } .in { display: flex; } .prompt { width: 88px; color: #303f9f; font-family: monospace; padding-top: 6px; flex: none; }
.src { flex: 1; background: #f7f7f7; border: 1px solid #e0e0e0; border-radius: 2px; padding: 6px 8px; margin: 0; font-size: 13px; }
.out { margin-left: 96px; } .out pre { margin: 4px 0; font-size: 13px; } .out .rich { margin: 6px 0; }
pre.stderr { background: #fdd; }
</style></head><body>${body}</body></html>`;
}

const args = process.argv.slice(2);
const cellsFlag = args.indexOf("--cells");
const range = cellsFlag >= 0 ? args.splice(cellsFlag, 2)[1]!.split("-").map(Number) : undefined;
const input = args[0] ?? "examples/notebooks/quickstart.out.ipynb";
const output = args[1] ?? "docs/images/notebook-repr.png";
const nb = JSON.parse(readFileSync(input, "utf8")) as { cells: Cell[] };
const cells = range ? nb.cells.slice(range[0], (range[1] ?? range[0]!) + 1) : nb.cells;
const html = page(cells);
mkdirSync(dirname(output), { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const tab = await browser.newPage({ viewport: { width: 1040, height: 800 }, deviceScaleFactor: 1 });
  await tab.setContent(html, { waitUntil: "load" });
  await tab.screenshot({ path: output, fullPage: true });
  console.log(`wrote ${output} (${cells.length} cells of ${input})`);
} finally {
  await browser.close();
}
