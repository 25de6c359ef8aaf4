/**
 * Small building blocks of the diagnostics pages and pictures: escaping for HTML/SVG and
 * Graphviz DOT, a stable color per name (task group or op), and number formats.
 * Everything is plain strings: reports are single self-contained files.
 */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escapes text for HTML/SVG element content and quoted attributes.
 * @example escapeXML('<a & "b">') // "&lt;a &amp; &quot;b&quot;&gt;"
 */
export function escapeXML(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * A DOT double-quoted string for a label or tooltip ("escString"): backslashes and
 * quotes escaped, line breaks as `\n`, other control characters dropped.
 * @example dotString('a"b\\c') // "\"a\\\"b\\\\c\""
 */
export function dotString(text: string): string {
  // eslint-disable-next-line no-control-regex
  const body = text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n").replace(/[\u0000-\u001f\u007f]/g, "");
  return `"${body}"`;
}

/** Twelve distinguishable colors (Tableau 10 plus two), used in order of first need. */
export const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
] as const;

/**
 * A color for each name: sorted names get palette colors in turn, so the same set of
 * names always gets the same colors (names beyond the palette get hashed hues).
 */
export function colorMap(names: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(names)].sort();
  const out = new Map<string, string>();
  sorted.forEach((name, i) => out.set(name, i < PALETTE.length ? PALETTE[i]! : hashedColor(name)));
  return out;
}

function hashedColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  const hue = (h >>> 0) % 360;
  return `hsl(${hue},55%,60%)`;
}

/** Stops of the yellow-green-blue ramp (ColorBrewer YlGnBu). */
const RAMP = [[255, 255, 204], [161, 218, 180], [65, 182, 196], [44, 127, 184], [37, 52, 148]] as const;

/** A color from pale yellow (0) through green to dark blue (1), for values like an order position. */
export function rampColor(fraction: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(f));
  const t = f - i;
  const c = RAMP[i]!.map((a, k) => Math.round(a + (RAMP[i + 1]![k]! - a) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

/** Milliseconds for people: "850 µs", "12.3 ms", "4.56 s", "2 min 5 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 100) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Round tick values covering [0, max] (about `count` of them). */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}
