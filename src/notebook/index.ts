/**
 * Notebook support (the tslab kernel): `tk.display(x)` for HTML views of collections
 * and results, and the in-place HTML progress bar, which replaces the terminal bar as
 * soon as tusk is imported inside a notebook kernel.
 */
import { setProgressDisplayFactory } from "../graph/progress.js";
import { notebookProgressSink } from "./progress.js";
import { notebookFrontEnd } from "./tslab.js";

export { display, toHTML, registerHTMLRenderer, notebookInspect, type HTMLRenderer, type HasReprHTML } from "./display.js";
export { inNotebook, setNotebookDisplay, type NotebookDisplay, type NotebookFrontEnd } from "./tslab.js";
export { progressHTML, notebookProgressSink } from "./progress.js";

/** Draws compute progress in the notebook whenever there is one (checked per computation). */
setProgressDisplayFactory(() => {
  const fe = notebookFrontEnd();
  return fe ? notebookProgressSink(fe) : undefined;
});
