/**
 * A workflow drawn from its code, for reviewers: the `run` function of `defineWorkflow({ … })` is
 * read statically (never run) and its tool calls, branches, loops, failure paths and returns become
 * nodes and edges, laid out top to bottom with dagre and drawn as an inline SVG. The drawing
 * illustrates; the version's capabilities (from the compiler's sound analysis) stay the complete list
 * of what it may call, and tools the drawing could not place are named beside it.
 *
 * Every label is text from the workflow's source and is escaped by the html tag that draws it.
 */
import dagre from "@dagrejs/dagre";
import cronstrue from "cronstrue";
import { html } from "hono/html";
import { ts } from "ts-morph";
import type { Capability, WorkflowTrigger } from "../core/workflow.ts";
import type { Html } from "./layout.ts";
import { riskOf } from "./pages/parts.ts";

export type GraphNodeKind = "trigger" | "call" | "branch" | "loop" | "return" | "fail" | "end" | "more";
export type GraphNode = { id: string; kind: GraphNodeKind; lines: string[]; risks: string[] };
export type GraphEdge = { from: string; to: string; label?: string; failure?: boolean };
export type WorkflowGraph = {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** More steps than are drawn: the last node is "…". */
  truncated: boolean;
  /** The definition's description, when it is a literal. */
  description: string | undefined;
  /** Capabilities no drawn call names (reached in a way the drawing does not follow). */
  unplaced: Capability[];
  /** Why there is no drawing of the run, when the source could not be read so far. */
  problem: string | undefined;
};

type Exit = { from: string; label?: string; failure?: boolean };
type Loop = { id: string | undefined; breaks: Exit[] };

export const MAX_NODES = 200;
/** Building stops here (a helper called from many places is drawn each time), before the cut to MAX_NODES. */
const BUILD_LIMIT = 2000;
const ITERATORS = new Set(["map", "forEach", "flatMap", "filter", "some", "every", "find", "findIndex", "reduce"]);

/** One line of source as a label: whitespace collapsed, at most `max` characters. */
const short = (text: string, max = 60) => {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** How a trigger reads: "At 17:00, only on Friday (Europe/Berlin)", "webhook", "resource tickets://…". */
export function describeTrigger(trigger: WorkflowTrigger): string[] {
  switch (trigger.type) {
    case "manual":
      return ["manual", "run by hand or as a tool"];
    case "webhook":
      return ["webhook"];
    case "resource":
      return ["resource", `${trigger.uri} (${trigger.integration})`];
    case "schedule": {
      if (trigger.every) {
        const count = Number(trigger.every.slice(0, -1));
        const unit = { m: "minute", h: "hour", d: "day" }[trigger.every.slice(-1)] ?? trigger.every.slice(-1);
        return ["schedule", count === 1 ? `every ${unit}` : `every ${count} ${unit}s`];
      }
      if (trigger.at) return ["schedule", `once at ${trigger.at}`];
      let said = `cron ${trigger.cron ?? ""}`;
      try {
        said = cronstrue.toString(trigger.cron ?? "", { use24HourTimeFormat: true, verbose: false });
      } catch {
        // an expression cronstrue cannot read is shown as written
      }
      return ["schedule", `${said} (${trigger.timezone ?? "UTC"})`];
    }
    default:
      return ["trigger"];
  }
}

class Builder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  readonly placed = new Set<string>();
  /** Failure exits of the innermost `try` being walked (its calls and throws), or undefined outside one. */
  failures: Exit[] | undefined;
  /** Where `return` goes: undefined in the run function (a return node), else the inlined function's exits. */
  returns: Exit[] | undefined;
  readonly loops: Loop[] = [];
  readonly inlining: string[] = [];
  readonly #effects = new Map<ts.Node, boolean>();

  readonly namespaces: ReadonlyMap<string, string>;
  readonly helpers: ReadonlyMap<string, ts.FunctionLikeDeclaration>;
  readonly capabilities: ReadonlyMap<string, Capability>;

  constructor(
    namespaces: ReadonlyMap<string, string>,
    helpers: ReadonlyMap<string, ts.FunctionLikeDeclaration>,
    capabilities: ReadonlyMap<string, Capability>,
  ) {
    this.namespaces = namespaces;
    this.helpers = helpers;
    this.capabilities = capabilities;
  }

  add(kind: GraphNodeKind, lines: string[], risks: string[] = []): string {
    if (this.nodes.length >= BUILD_LIMIT) throw new TooLarge();
    const id = `n${this.nodes.length}`;
    this.nodes.push({ id, kind, lines, risks });
    return id;
  }

  connect(exits: Exit[], to: string): void {
    for (const exit of exits)
      if (!this.edges.some((e) => e.from === exit.from && e.to === to && e.label === exit.label))
        this.edges.push({
          from: exit.from,
          to,
          ...(exit.label ? { label: exit.label } : {}),
          ...(exit.failure ? { failure: true } : {}),
        });
  }

  step(kind: GraphNodeKind, lines: string[], exits: Exit[], risks: string[] = []): string {
    const id = this.add(kind, lines, risks);
    this.connect(exits, id);
    return id;
  }

  /** `tickets.createIncident` for a call through an SDK namespace imported from charter:sdk. */
  sdkFunction(node: ts.CallExpression): string | undefined {
    const callee = node.expression;
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
    const namespace = this.namespaces.get(callee.expression.text);
    return namespace === undefined ? undefined : `${namespace}.${callee.name.text}`;
  }

  helperOf(node: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
    return ts.isIdentifier(node.expression) ? this.helpers.get(node.expression.text) : undefined;
  }

  /** Whether the code reaches a tool: an SDK call in it, or a call of a helper that does. */
  calls(node: ts.Node, seen = new Set<ts.Node>()): boolean {
    const known = this.#effects.get(node);
    if (known !== undefined) return known;
    if (seen.has(node)) return false;
    seen.add(node);
    let found = false;
    const visit = (child: ts.Node) => {
      if (found) return;
      if (ts.isCallExpression(child)) {
        const helper = this.helperOf(child);
        if (this.sdkFunction(child) || (helper?.body && this.calls(helper.body, seen))) found = true;
      }
      if (!found) ts.forEachChild(child, visit);
    };
    visit(node);
    this.#effects.set(node, found);
    return found;
  }
}

class TooLarge extends Error {}

/** Whether a statement leaves the straight path: a return, throw, break or continue outside nested functions. */
function jumps(node: ts.Node | undefined, kinds = JUMPS): boolean {
  if (!node) return false;
  if (kinds.has(node.kind)) return true;
  if (ts.isFunctionLike(node)) return false;
  return ts.forEachChild(node, (child) => jumps(child, kinds) || undefined) ?? false;
}
const JUMPS = new Set([
  ts.SyntaxKind.ReturnStatement,
  ts.SyntaxKind.ThrowStatement,
  ts.SyntaxKind.BreakStatement,
  ts.SyntaxKind.ContinueStatement,
]);
const LEAVES = new Set([ts.SyntaxKind.ReturnStatement, ts.SyntaxKind.ThrowStatement]);

function walkStatements(b: Builder, statements: readonly ts.Statement[], exits: Exit[]): Exit[] {
  for (const statement of statements) {
    if (exits.length === 0) break; // what follows a return or throw is never reached
    exits = walkStatement(b, statement, exits);
  }
  return exits;
}

function walkStatement(b: Builder, s: ts.Statement, exits: Exit[]): Exit[] {
  if (ts.isBlock(s)) return walkStatements(b, s.statements, exits);
  if (ts.isLabeledStatement(s)) return walkStatement(b, s.statement, exits);
  if (ts.isIfStatement(s)) {
    exits = walkExpression(b, s.expression, exits);
    const matters = (x: ts.Statement | undefined) => !!x && (b.calls(x) || jumps(x));
    if (!matters(s.thenStatement) && !matters(s.elseStatement)) return exits;
    const branch = b.step("branch", [`if ${short(s.expression.getText())}`], exits);
    const yes = walkStatement(b, s.thenStatement, [{ from: branch, label: "yes" }]);
    const no = s.elseStatement
      ? walkStatement(b, s.elseStatement, [{ from: branch, label: "no" }])
      : [{ from: branch, label: "no" }];
    return [...yes, ...no];
  }
  if (ts.isIterationStatement(s, false)) return walkLoop(b, s, exits);
  if (ts.isTryStatement(s)) {
    const outer = b.failures;
    b.failures = [];
    const done = walkStatement(b, s.tryBlock, exits);
    const failed = b.failures;
    b.failures = outer;
    const caught = s.catchClause ? walkStatement(b, s.catchClause.block, failed) : [];
    // Without a catch a failure passes through `finally` and on to whoever catches it.
    if (!s.catchClause) b.failures?.push(...failed);
    return s.finallyBlock ? walkStatement(b, s.finallyBlock, [...done, ...caught]) : [...done, ...caught];
  }
  if (ts.isReturnStatement(s)) {
    if (s.expression) exits = walkExpression(b, s.expression, exits);
    if (b.returns) {
      b.returns.push(...exits);
      return [];
    }
    b.step("return", [s.expression ? `return ${short(s.expression.getText(), 48)}` : "return"], exits);
    return [];
  }
  if (ts.isThrowStatement(s)) {
    exits = walkExpression(b, s.expression, exits);
    if (b.failures) b.failures.push(...exits.map((e) => ({ ...e, label: "throws", failure: true })));
    else b.step("fail", ["the run fails", `throw ${short(s.expression.getText(), 48)}`], exits);
    return [];
  }
  if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
    // `break` leaves the innermost loop or switch; `continue` goes back to the innermost loop.
    const loop = ts.isBreakStatement(s) ? b.loops.at(-1) : b.loops.findLast((l) => l.id !== undefined);
    if (!loop) return exits;
    if (loop.id === undefined || ts.isBreakStatement(s)) loop.breaks.push(...exits);
    else b.connect(exits, loop.id);
    return [];
  }
  if (ts.isSwitchStatement(s)) {
    exits = walkExpression(b, s.expression, exits);
    if (!s.caseBlock.clauses.some((c) => c.statements.some((x) => b.calls(x) || jumps(x, LEAVES)))) return exits;
    const branch = b.step("branch", [`switch ${short(s.expression.getText())}`], exits);
    const loop: Loop = { id: undefined, breaks: [] };
    b.loops.push(loop);
    let through: Exit[] = [];
    for (const clause of s.caseBlock.clauses) {
      const label = ts.isCaseClause(clause) ? `case ${short(clause.expression.getText(), 24)}` : "default";
      through = walkStatements(b, clause.statements, [...through, { from: branch, label }]);
    }
    b.loops.pop();
    const fallsOut = s.caseBlock.clauses.some(ts.isDefaultClause) ? [] : [{ from: branch, label: "otherwise" }];
    return [...through, ...loop.breaks, ...fallsOut];
  }
  if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isTypeAliasDeclaration(s)) return exits;
  if (ts.isInterfaceDeclaration(s)) return exits;
  return walkExpression(b, s, exits);
}

function walkLoop(b: Builder, s: ts.IterationStatement, exits: Exit[]): Exit[] {
  let label: string;
  if (ts.isForOfStatement(s) || ts.isForInStatement(s)) {
    exits = walkExpression(b, s.expression, exits);
    const item = short(s.initializer.getText().replace(/^(const|let|var)\s+/, ""), 30);
    label = `for each ${item} ${ts.isForOfStatement(s) ? "of" : "in"} ${short(s.expression.getText(), 40)}`;
  } else if (ts.isForStatement(s)) {
    if (s.initializer) exits = walkExpression(b, s.initializer, exits);
    label = `for (${short(s.condition?.getText() ?? "ever", 50)})`;
  } else {
    const condition = (s as ts.WhileStatement | ts.DoStatement).expression;
    label = `${ts.isDoStatement(s) ? "repeat while" : "while"} ${short(condition.getText(), 50)}`;
  }
  if (!b.calls(s.statement) && !jumps(s.statement, LEAVES)) return exits;
  const id = b.step("loop", [label], exits);
  return loopBody(b, id, (entry) => walkStatement(b, s.statement, entry));
}

/** Walks a loop's body from its node: what ends an iteration goes back to it, and "done" leaves it. */
function loopBody(b: Builder, id: string, body: (entry: Exit[]) => Exit[]): Exit[] {
  const loop: Loop = { id, breaks: [] };
  b.loops.push(loop);
  b.connect(body([{ from: id, label: "each" }]), id);
  b.loops.pop();
  return [{ from: id, label: "done" }, ...loop.breaks];
}

/** A function's body drawn where it is called: its returns continue after the call. */
function inline(b: Builder, fn: ts.FunctionLikeDeclaration, exits: Exit[]): Exit[] {
  if (!fn.body) return exits;
  const outer = { returns: b.returns, loops: b.loops.splice(0) };
  b.returns = [];
  const end = ts.isBlock(fn.body) ? walkStatements(b, fn.body.statements, exits) : walkExpression(b, fn.body, exits);
  const after = [...end, ...b.returns];
  b.returns = outer.returns;
  b.loops.push(...outer.loops);
  return after;
}

function walkExpression(b: Builder, node: ts.Node, exits: Exit[]): Exit[] {
  if (!b.calls(node)) return exits;
  if (ts.isFunctionLike(node)) {
    // A named helper is drawn where it is called, not where it is defined; a callback where it is passed.
    if (ts.isVariableDeclaration(node.parent) || ts.isFunctionDeclaration(node)) return exits;
    return inline(b, node as ts.FunctionLikeDeclaration, exits);
  }
  if (ts.isConditionalExpression(node)) {
    exits = walkExpression(b, node.condition, exits);
    const branch = b.step("branch", [`if ${short(node.condition.getText())}`], exits);
    return [
      ...walkExpression(b, node.whenTrue, [{ from: branch, label: "yes" }]),
      ...walkExpression(b, node.whenFalse, [{ from: branch, label: "no" }]),
    ];
  }
  if (ts.isBinaryExpression(node) && isShortCircuit(node.operatorToken.kind) && b.calls(node.right)) {
    exits = walkExpression(b, node.left, exits);
    const operator = node.operatorToken.getText();
    const test = operator === "&&" ? "" : operator === "||" ? " is false" : " is missing";
    const branch = b.step("branch", [`if ${short(node.left.getText())}${test}`], exits);
    return [...walkExpression(b, node.right, [{ from: branch, label: "yes" }]), { from: branch, label: "no" }];
  }
  if (ts.isCallExpression(node)) {
    const sdkFunction = b.sdkFunction(node);
    if (sdkFunction) {
      for (const argument of node.arguments) exits = walkExpression(b, argument, exits);
      return [{ from: callNode(b, sdkFunction, exits) }];
    }
    const helper = b.helperOf(node);
    const name = helper && ts.isIdentifier(node.expression) ? node.expression.text : undefined;
    if (helper && name && !b.inlining.includes(name) && b.inlining.length < 4) {
      for (const argument of node.arguments) exits = walkExpression(b, argument, exits);
      b.inlining.push(name);
      exits = inline(b, helper, exits);
      b.inlining.pop();
      return exits;
    }
    const callee = node.expression;
    const argument = node.arguments.find(
      (a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a) || (ts.isIdentifier(a) && b.helpers.has(a.text)),
    );
    const callback = argument && ts.isIdentifier(argument) ? b.helpers.get(argument.text) : argument;
    if (ts.isPropertyAccessExpression(callee) && ITERATORS.has(callee.name.text) && callback && b.calls(callback)) {
      exits = walkExpression(b, callee.expression, exits);
      const id = b.step("loop", [`for each of ${short(callee.expression.getText(), 40)} (${callee.name.text})`], exits);
      return loopBody(b, id, (entry) => inline(b, callback as ts.FunctionLikeDeclaration, entry));
    }
  }
  ts.forEachChild(node, (child) => {
    exits = walkExpression(b, child, exits);
  });
  return exits;
}

const isShortCircuit = (kind: ts.SyntaxKind) =>
  kind === ts.SyntaxKind.AmpersandAmpersandToken ||
  kind === ts.SyntaxKind.BarBarToken ||
  kind === ts.SyntaxKind.QuestionQuestionToken;

function callNode(b: Builder, sdkFunction: string, exits: Exit[]): string {
  const capability = b.capabilities.get(sdkFunction);
  const lines = capability ? [`${capability.integration}.${capability.tool}`] : [sdkFunction, "(not in the catalog)"];
  const risks = capability ? riskOf(capability) : [];
  if (risks.length) lines.push(risks.join(" · "));
  if (capability) b.placed.add(sdkFunction);
  const id = b.step("call", lines, exits, risks);
  b.failures?.push({ from: id, label: "on failure", failure: true });
  return id;
}

/** The graph of a workflow's `run`, from its source, its capabilities and its triggers. */
export function workflowGraph(
  source: string,
  capabilities: readonly Capability[],
  triggers: readonly WorkflowTrigger[],
  maxNodes = MAX_NODES,
): WorkflowGraph {
  const file = ts.createSourceFile("workflow.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const namespaces = new Map<string, string>();
  let defineWorkflow = "defineWorkflow";
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (statement.moduleSpecifier.text === "charter:sdk") namespaces.set(element.name.text, imported);
      if (statement.moduleSpecifier.text === "charter:workflow" && imported === "defineWorkflow")
        defineWorkflow = element.name.text;
    }
  }
  const helpers = new Map<string, ts.FunctionLikeDeclaration>();
  let definition: ts.ObjectLiteralExpression | undefined;
  const collect = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name && !helpers.has(node.name.text)) helpers.set(node.name.text, node);
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer)) &&
      !helpers.has(node.name.text)
    )
      helpers.set(node.name.text, node.initializer);
    const argument = ts.isCallExpression(node) ? node.arguments[0] : undefined;
    if (
      !definition &&
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === defineWorkflow &&
      argument &&
      ts.isObjectLiteralExpression(argument)
    )
      definition = argument;
    ts.forEachChild(node, collect);
  };
  collect(file);
  const byFunction = new Map(capabilities.map((c) => [c.sdkFunction, c]));
  const b = new Builder(namespaces, helpers, byFunction);
  const graph: WorkflowGraph = {
    nodes: [],
    edges: [],
    truncated: false,
    description: undefined,
    unplaced: [],
    problem: undefined,
  };
  const property = (name: string) =>
    definition?.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === name);
  const description = property("description");
  if (description && ts.isPropertyAssignment(description) && ts.isStringLiteralLike(description.initializer))
    graph.description = description.initializer.text;
  const run = property("run");
  const runFunction =
    run && ts.isMethodDeclaration(run)
      ? run
      : run && ts.isPropertyAssignment(run) && ts.isFunctionLike(run.initializer)
        ? (run.initializer as ts.FunctionLikeDeclaration)
        : run && ts.isShorthandPropertyAssignment(run)
          ? helpers.get(run.name.text)
          : undefined;

  const starts = (triggers.length ? triggers : [{ type: "manual" } as const]).map((t) =>
    b.add("trigger", describeTrigger(t)),
  );
  try {
    if (!runFunction?.body)
      graph.problem = "the drawing needs `defineWorkflow({ …, run: async (input, ctx) => { … } })`";
    else {
      const body = runFunction.body;
      const entry = starts.map((from) => ({ from }));
      const end = ts.isBlock(body) ? walkStatements(b, body.statements, entry) : walkExpression(b, body, entry);
      const endId = b.add("end", ["end"]);
      b.connect(end, endId);
      for (const node of b.nodes) if (node.kind === "return") b.connect([{ from: node.id }], endId);
    }
  } catch (error) {
    if (!(error instanceof TooLarge)) throw error;
    graph.truncated = true;
  }
  graph.nodes = b.nodes;
  graph.edges = b.edges;
  graph.unplaced = capabilities.filter((c) => !b.placed.has(c.sdkFunction));
  return cut(graph, maxNodes);
}

/** Keeps the first `max` nodes; what led past them leads to one "…" node. */
function cut(graph: WorkflowGraph, max: number): WorkflowGraph {
  if (graph.nodes.length <= max && !graph.truncated) return graph;
  const kept = graph.nodes.slice(0, max);
  const ids = new Set(kept.map((n) => n.id));
  const more: GraphNode = { id: "more", kind: "more", lines: ["… more steps not drawn"], risks: [] };
  const edges = graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to));
  for (const e of graph.edges)
    if (ids.has(e.from) && !ids.has(e.to) && !edges.some((x) => x.from === e.from && x.to === "more"))
      edges.push({ from: e.from, to: "more" });
  return { ...graph, nodes: [...kept, more], edges, truncated: true };
}

// --- layout and drawing ---

const CHAR_WIDTH = 7;
const LINE_HEIGHT = 16;
const WRAP = 34;

/** A node's lines wrapped to WRAP characters (at a space when there is one late enough), at most four. */
function wrapped(node: GraphNode): string[] {
  const out: string[] = [];
  for (let line of node.lines) {
    while (line.length > WRAP) {
      const space = line.lastIndexOf(" ", WRAP);
      const at = space > WRAP / 2 ? space : WRAP;
      out.push(line.slice(0, at));
      line = line.slice(at).trimStart();
    }
    out.push(line);
  }
  return out.length > 4 ? [...out.slice(0, 3), `${(out[3] ?? "").slice(0, WRAP - 1)}…`] : out;
}

type Placed = { node: GraphNode; lines: string[]; x: number; y: number; width: number; height: number };
type Routed = { edge: GraphEdge; points: { x: number; y: number }[]; x?: number; y?: number };

/** Positions from dagre, top to bottom. */
export function layoutGraph(graph: WorkflowGraph): {
  nodes: Placed[];
  edges: Routed[];
  width: number;
  height: number;
} {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 36, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const lines = new Map(graph.nodes.map((n) => [n.id, wrapped(n)]));
  for (const node of graph.nodes) {
    const text = lines.get(node.id) ?? [];
    const width = Math.max(90, Math.max(...text.map((l) => l.length)) * CHAR_WIDTH + 24);
    g.setNode(node.id, { width, height: text.length * LINE_HEIGHT + 14 });
  }
  graph.edges.forEach((e, i) => {
    const label = e.label ?? "";
    g.setEdge(e.from, e.to, { width: label.length * 6.5 + 6, height: label ? 14 : 0, labelpos: "c" }, `e${i}`);
  });
  dagre.layout(g);
  const placed: Placed[] = graph.nodes.map((node) => {
    const p = g.node(node.id);
    return { node, lines: lines.get(node.id) ?? [], x: p.x, y: p.y, width: p.width, height: p.height };
  });
  const routed: Routed[] = graph.edges.map((edge, i) => {
    const p = g.edge({ v: edge.from, w: edge.to, name: `e${i}` });
    return { edge, points: p.points ?? [], ...(edge.label ? { x: p.x ?? 0, y: p.y ?? 0 } : {}) };
  });
  // Edges going back up (to a loop) may be routed outside the box dagre reports: shift everything into view.
  const xs = [...placed.flatMap((p) => [p.x - p.width / 2, p.x + p.width / 2]), ...routed.flatMap(pointsX)];
  const ys = [...placed.flatMap((p) => [p.y - p.height / 2, p.y + p.height / 2]), ...routed.flatMap(pointsY)];
  const dx = Math.max(0, 12 - Math.min(...xs));
  const dy = Math.max(0, 12 - Math.min(...ys));
  const nodes = placed.map((p) => ({ ...p, x: p.x + dx, y: p.y + dy }));
  const edges = routed.map((r) => ({
    ...r,
    points: r.points.map((q) => ({ x: q.x + dx, y: q.y + dy })),
    ...(r.x !== undefined && r.y !== undefined ? { x: r.x + dx, y: r.y + dy } : {}),
  }));
  const width = Math.ceil(Math.max(0, ...xs) + dx + 12);
  const height = Math.ceil(Math.max(0, ...ys) + dy + 12);
  return { nodes, edges, width, height };
}

const pointsX = (r: Routed) => r.points.map((q) => q.x);
const pointsY = (r: Routed) => r.points.map((q) => q.y);

const n = (value: number) => Math.round(value * 10) / 10;

/** The graph as an inline SVG image (role img, titled), every label escaped by the html tag. */
export function graphSvg(graph: WorkflowGraph, options: { id: string; title: string }): Html {
  const layout = layoutGraph(graph);
  const count = (kind: GraphNodeKind, word: string) => {
    const k = graph.nodes.filter((node) => node.kind === kind).length;
    return `${k} ${word}${k === 1 ? "" : word.endsWith("h") ? "es" : "s"}`;
  };
  const summary =
    `${count("call", "tool call")}, ${count("branch", "branch")}, ${count("loop", "loop")}` +
    (graph.truncated ? `; only the first ${graph.nodes.length - 1} steps are drawn` : "");
  const nodes = layout.nodes.map((p) => {
    const left = p.x - p.width / 2;
    const top = p.y - p.height / 2;
    const classes = ["node", `node-${p.node.kind}`, ...p.node.risks.map((r) => `risk-${r}`)].join(" ");
    const first = top + 7 + LINE_HEIGHT * 0.75;
    const rounded = p.node.kind === "branch" || p.node.kind === "loop" ? 14 : 4;
    const lines = p.lines.map(
      (line, i) => html`<tspan x="${n(p.x)}" y="${n(first + i * LINE_HEIGHT)}">${line}</tspan>`,
    );
    return html`<g class="${classes}">
<rect x="${n(left)}" y="${n(top)}" width="${n(p.width)}" height="${n(p.height)}" rx="${rounded}"></rect>
<text x="${n(p.x)}" y="${n(first)}" text-anchor="middle">${lines}</text></g>`;
  });
  const arrow = `url(#${options.id}-arrow)`;
  const edges = layout.edges.map((r) => {
    const d = r.points.map((point, i) => `${i === 0 ? "M" : "L"}${n(point.x)} ${n(point.y)}`).join(" ");
    const label =
      r.edge.label && r.x !== undefined && r.y !== undefined
        ? html`<text class="edge-label" x="${n(r.x)}" y="${n(r.y + 4)}" text-anchor="middle">${r.edge.label}</text>`
        : "";
    const classes = r.edge.failure ? "edge edge-failure" : "edge";
    return html`<g class="${classes}"><path d="${d}" marker-end="${arrow}"></path>${label}</g>`;
  });
  const { width, height } = layout;
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img"
 aria-labelledby="${options.id}-title ${options.id}-desc" width="${width}" height="${height}"
 viewBox="0 0 ${width} ${height}">
<title id="${options.id}-title">${options.title}</title>
<desc id="${options.id}-desc">${summary}</desc>
<defs><marker id="${options.id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"
 orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z"></path></marker></defs>
${edges}
${nodes}
</svg>`;
}
