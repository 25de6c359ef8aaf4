/**
 * User functions travel to workers as data: either the source text of a closure-free
 * function (its outside values are passed explicitly as arguments) or a module URL and
 * an export name. A function that reads a variable from around it would throw a
 * ReferenceError deep inside a worker; we parse its source with acorn when the graph is
 * built and fail there, naming the variable and showing the fix.
 *
 * The free-variable check treats a name declared anywhere inside the function as
 * declared everywhere in it (no per-block scopes): simple and robust, and it can only
 * miss a free variable that shadows a name declared in a sibling block.
 */
import { parse } from "acorn";
import { GraphError, ValidationError } from "../errors.js";

/** A function as it travels: source text, or a module export. */
export type FnRef =
  | { readonly source: string; readonly name?: string }
  | { readonly module: string; readonly export: string };

/** Names a user function may use without passing them: JavaScript's and Node's globals. */
const ALLOWED = new Set<string>([
  ...Object.getOwnPropertyNames(globalThis),
  "undefined", "NaN", "Infinity", "arguments", "globalThis", "require", "module", "exports",
  "__name", // helper that esbuild (tsx, vitest) inserts to keep function names
]);

/**
 * Checks a user function and turns it into a {@link FnRef}.
 * @param what  how the function is called in messages, e.g. "the function given to mapPartitions"
 * @param fix   a one-line example of passing a value explicitly for this API
 * @example shipFunction((x: number, k: number) => x * k, "the function given to map", "s.map(fn, { args: [k] })")
 */
export function shipFunction(fn: unknown, what: string, fix?: string): FnRef {
  if (isFnRef(fn)) return fn;
  if (typeof fn !== "function") throw new ValidationError(`${what} must be a function, got ${typeof fn}`);
  const source = fn.toString();
  if (/\{\s*\[native code\]\s*\}$/.test(source)) {
    throw new GraphError("ERR_NATIVE_FUNCTION", `${what} is a built-in or bound function, which cannot be sent to workers; wrap it: (x) => Math.abs(x)`);
  }
  const { expression, normalized } = parseFunction(source, what);
  const free = freeVariables(expression);
  if (free.length > 0) {
    const names = free.map((n) => `"${n}"`).join(", ");
    const example = fix ?? `pass it as an argument: (x, ${free[0]}) => …, with { args: [${free[0]}] }`;
    throw new GraphError(
      "ERR_CLOSURE",
      `${what} uses ${names}, ${free.length === 1 ? "a variable" : "variables"} from outside the function. ` +
        `Functions are sent to workers as source text, so they cannot see the variables around them. ` +
        `Fix: ${example}; or define the function in a module registered with tk.ops.register(new URL("./my-ops.js", import.meta.url)) ` +
        `and pass { module, export } instead.`,
    );
  }
  const name = fn.name || undefined;
  return name ? { source: normalized, name } : { source: normalized };
}

/** True when `value` is already a {@link FnRef}. */
export function isFnRef(value: unknown): value is FnRef {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.source === "string" || (typeof v.module === "string" && typeof v.export === "string");
}

interface EsNode { type: string; [k: string]: unknown }

function parseFunction(source: string, what: string): { expression: EsNode; normalized: string } {
  const attempts: Array<[string, (program: EsNode) => EsNode]> = [
    [`(${source})`, (p) => ((p.body as EsNode[])[0]!.expression as EsNode)],
    // method shorthand: `f(x) { … }` or `async f(x) { … }`
    [`({${source}})`, (p) => (((p.body as EsNode[])[0]!.expression as EsNode).properties as EsNode[])[0]!.value as EsNode],
  ];
  for (const [text, pick] of attempts) {
    try {
      const program = parse(text, { ecmaVersion: "latest", sourceType: "script" }) as unknown as EsNode;
      const expression = pick(program);
      if (expression.type.includes("Function")) {
        const normalized = text.startsWith("({") ? `(${text.slice(2, -2).replace(/^(async\s+)?\*?\s*[\w$]+\s*\(/, (m, a: string | undefined) => `${a ?? ""}function (`)})` : text;
        return { expression, normalized };
      }
    } catch {
      // try the next form
    }
  }
  throw new GraphError("ERR_UNPARSABLE_FUNCTION", `${what} could not be parsed from its source text; write it as an arrow or function expression`);
}

/** Names read by a function that it neither declares nor gets from JavaScript's globals. */
export function freeVariables(fn: EsNode): string[] {
  const declared = new Set<string>();
  const used: string[] = [];
  collectDeclared(fn, declared);
  collectUsed(fn, used);
  const out: string[] = [];
  for (const name of used) if (!declared.has(name) && !ALLOWED.has(name) && !out.includes(name)) out.push(name);
  return out;
}

function collectDeclared(node: unknown, out: Set<string>): void {
  if (!isNode(node)) {
    if (Array.isArray(node)) for (const n of node) collectDeclared(n, out);
    return;
  }
  switch (node.type) {
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ArrowFunctionExpression":
      if (node.id) patternNames(node.id, out);
      for (const p of node.params as unknown[]) patternNames(p, out);
      break;
    case "VariableDeclarator":
      patternNames(node.id, out);
      break;
    case "ClassDeclaration":
    case "ClassExpression":
      if (node.id) patternNames(node.id, out);
      break;
    case "CatchClause":
      if (node.param) patternNames(node.param, out);
      break;
  }
  for (const key of Object.keys(node)) if (key !== "type") collectDeclared(node[key], out);
}

function patternNames(p: unknown, out: Set<string>): void {
  if (!isNode(p)) return;
  switch (p.type) {
    case "Identifier": out.add(p.name as string); break;
    case "ObjectPattern":
      for (const prop of p.properties as EsNode[]) patternNames(prop.type === "RestElement" ? prop.argument : prop.value, out);
      break;
    case "ArrayPattern": for (const e of p.elements as unknown[]) patternNames(e, out); break;
    case "RestElement": patternNames(p.argument, out); break;
    case "AssignmentPattern": patternNames(p.left, out); break;
  }
}

function collectUsed(node: unknown, out: string[]): void {
  if (!isNode(node)) {
    if (Array.isArray(node)) for (const n of node) collectUsed(n, out);
    return;
  }
  switch (node.type) {
    case "Identifier": out.push(node.name as string); return;
    case "MemberExpression":
      collectUsed(node.object, out);
      if (node.computed) collectUsed(node.property, out);
      return;
    case "Property":
    case "PropertyDefinition":
    case "MethodDefinition":
      if (node.computed) collectUsed(node.key, out);
      if (node.value !== undefined) collectUsed(node.value, out);
      return;
    case "LabeledStatement": collectUsed(node.body, out); return;
    case "BreakStatement": case "ContinueStatement": return;
    case "MetaProperty": return;
  }
  for (const key of Object.keys(node)) if (key !== "type") collectUsed(node[key], out);
}

function isNode(v: unknown): v is EsNode {
  return typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string";
}

const compiled = new Map<string, (...args: unknown[]) => unknown>();

/** Turns a {@link FnRef} back into a function (cached by source or module+export). */
export async function resolveFunction(ref: FnRef): Promise<(...args: unknown[]) => unknown> {
  if ("source" in ref) {
    let fn = compiled.get(ref.source);
    if (!fn) {
      // The source was checked to be closure-free when the graph was built.
      fn = new Function("__name", `"use strict"; return ${ref.source};`)((f: unknown) => f) as (...args: unknown[]) => unknown;
      compiled.set(ref.source, fn);
    }
    return fn;
  }
  const cacheKey = `${ref.module}#${ref.export}`;
  let fn = compiled.get(cacheKey);
  if (!fn) {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    const exported = mod[ref.export];
    if (typeof exported !== "function") {
      throw new GraphError("ERR_BAD_EXPORT", `Module ${ref.module} has no function export named ${ref.export} (exports: ${Object.keys(mod).join(", ")})`);
    }
    fn = exported as (...args: unknown[]) => unknown;
    compiled.set(cacheKey, fn);
  }
  return fn;
}
