/**
 * Finding the tslab kernel we run in. tslab (the TypeScript Jupyter kernel) renders
 * rich output only through its own module's `display` / `newDisplay()`, which write to
 * the kernel's socket through module state set by the running kernel. So we must use
 * the very module instance the kernel loaded, not a fresh copy resolved from the
 * user's folder: we look for the kernel's `tslab/dist/jupyter.js` among the modules
 * this process has loaded (it is there only inside a kernel) and load its sibling
 * `public.js` through the same module cache.
 *
 * Tests (and other front ends) can install a display of their own with
 * `setNotebookDisplay`.
 */
import { createRequire } from "node:module";

/** What tslab's `display` offers that we use. */
export interface NotebookDisplay {
  html(s: string): void;
  text(s: string): void;
}

/** tslab's public module (the part we use). */
export interface NotebookFrontEnd {
  readonly display: NotebookDisplay;
  /** A display entry that later calls overwrite in place. */
  newDisplay(): NotebookDisplay;
}

const KERNEL_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

let installed: NotebookFrontEnd | null | undefined;

function findTslab(): NotebookFrontEnd | null {
  const require = createRequire(import.meta.url);
  const kernel = Object.keys(require.cache).find((file) => KERNEL_MODULE.test(file));
  if (kernel === undefined) return null;
  try {
    const mod = createRequire(kernel)("./public.js") as Partial<NotebookFrontEnd>;
    return mod.display && typeof mod.newDisplay === "function" ? (mod as NotebookFrontEnd) : null;
  } catch {
    return null; // a tslab we do not know: behave as outside a notebook
  }
}

/** The notebook front end we run in, or null (a script, a test, a REPL). */
export function notebookFrontEnd(): NotebookFrontEnd | null {
  if (installed === undefined) installed = findTslab();
  return installed;
}

/**
 * Replaces the detected front end (tests; other kernels). `undefined` detects again.
 * @example setNotebookDisplay({ display: fake, newDisplay: () => fake })
 */
export function setNotebookDisplay(frontEnd: NotebookFrontEnd | null | undefined): void {
  installed = frontEnd;
}

/**
 * True inside a notebook kernel we can draw in (tslab).
 * @example if (tk.inNotebook()) tk.display(df); else console.log(df.columns);
 */
export function inNotebook(): boolean {
  return notebookFrontEnd() !== null;
}
