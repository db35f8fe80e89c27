import type { Diagnostic, SourceSpan } from '../../util/diagnostic';
import type { Result } from '../../util/result';
import { err, ok } from '../../util/result';
import { commentGroupText, exampleOutput } from './comment-text';
import type { GoToken } from './go-scanner';
import { GoScanner } from './go-scanner';
import { isGoLower } from './go-unicode';
import { SourceText } from './source-text';

/** An example function of a test file. */
export interface TestExample {
  /** The function name, e.g. `ExampleSum_negative`. */
  readonly name: string;
  /** The expected output ('' when none). */
  readonly output: string;
  /** The comment said `Unordered output:`. */
  readonly unordered: boolean;
  /** There is an output comment but it is empty: the example runs and must print nothing. */
  readonly emptyOutput: boolean;
}

/** The test functions of one or more _test.go files, in source order. */
export interface TestFunctions {
  readonly tests: readonly string[];
  readonly benchmarks: readonly string[];
  readonly fuzzTargets: readonly string[];
  /** Every example, including those without an output comment (which are compiled, not run). */
  readonly examples: readonly TestExample[];
  readonly hasTestMain: boolean;
  /** Where TestMain is, when there is one (for the "multiple definitions" diagnostic). */
  readonly testMain?: { readonly span: SourceSpan; readonly sourceLine: string };
}

/**
 * Finds the Test*, Benchmark*, Fuzz* and Example* functions of a _test.go file like cmd/go's
 * loadTestFuncs: top-level functions only, names whose next character is not lower-case, and the
 * signatures cmd/go accepts (`func TestX(t *testing.T)`, `*T` or `*anything.T`, no results, no
 * type parameters). A wrong signature is a Diagnostic with cmd/go's message. Examples get their
 * expected output from the last comment in their body, as go/doc does.
 *
 * The file is tokenized completely (lexical errors and unbalanced brackets are Diagnostics) but
 * not type-checked or fully parsed: other syntax errors are left to the compiler.
 */
export function findTestFunctions(
  displayPath: string,
  text: string,
): Result<TestFunctions, Diagnostic> {
  const src = new SourceText(displayPath, text);
  const scanner = new GoScanner(src.text);
  const all: GoToken[] = [];
  for (;;) {
    const t = scanner.scan();
    all.push(t);
    if (t.kind === 'EOF') break;
  }
  const firstScanError = scanner.errors.reduce<(typeof scanner.errors)[number] | undefined>(
    (best, e) => (best === undefined || e.offset < best.offset ? e : best),
    undefined,
  );
  if (firstScanError !== undefined) {
    return err(src.error(firstScanError.offset, firstScanError.offset + 1, firstScanError.message));
  }
  const toks = all.filter((t) => t.kind !== 'COMMENT');
  const matched = matchBrackets(src, toks);
  if (!matched.ok) return matched;
  const match = matched.value;
  const groups = commentGroups(src, all);

  const tests: string[] = [];
  const benchmarks: string[] = [];
  const fuzzTargets: string[] = [];
  const examples: TestExample[] = [];
  let testMain: TestFunctions['testMain'];

  for (const fn of topLevelFuncs(toks, match)) {
    const name = fn.name;
    const wrong = (arg: string): Diagnostic | undefined => {
      let why: string | undefined;
      if (!isTestFunc(fn, arg)) why = `must be: func ${name}(${arg.toLowerCase()} *testing.${arg})`;
      if (fn.typeParams.length > 0) why = 'test functions cannot have type parameters';
      if (why === undefined) return undefined;
      return src.error(fn.funcToken.start, fn.funcToken.end, `wrong signature for ${name}, ${why}`);
    };
    if (name === 'TestMain') {
      if (isTestFunc(fn, 'T')) {
        tests.push(name);
        continue;
      }
      const bad = wrong('M');
      if (bad !== undefined) return err(bad);
      const span = src.span(fn.funcToken.start, fn.funcToken.end);
      if (testMain !== undefined) {
        return err(
          src.error(fn.funcToken.start, fn.funcToken.end, 'multiple definitions of TestMain'),
        );
      }
      testMain = { span, sourceLine: src.lineText(span.line) };
    } else if (isTest(name, 'Test')) {
      const bad = wrong('T');
      if (bad !== undefined) return err(bad);
      tests.push(name);
    } else if (isTest(name, 'Benchmark')) {
      const bad = wrong('B');
      if (bad !== undefined) return err(bad);
      benchmarks.push(name);
    } else if (isTest(name, 'Fuzz')) {
      const bad = wrong('F');
      if (bad !== undefined) return err(bad);
      fuzzTargets.push(name);
    }
  }

  // go/doc's Examples, in source order (cmd/go sorts them back by their order in the file).
  for (const fn of topLevelFuncs(toks, match)) {
    const name = fn.name;
    if (isTest(name, 'Test') || isTest(name, 'Benchmark') || isTest(name, 'Fuzz')) continue;
    if (!isTest(name, 'Example')) continue;
    if (fn.params.length !== 0 || hasResults(fn.results) || fn.body === undefined) continue;
    const body = fn.body;
    let last: CommentGroup | undefined;
    for (const g of groups) {
      if (g.start < body.start) continue;
      if (g.end > body.end) break;
      last = g;
    }
    const out = exampleOutput(last === undefined ? undefined : commentGroupText(last.texts));
    examples.push({
      name,
      output: out.output,
      unordered: out.unordered,
      emptyOutput: out.output === '' && out.hasOutput,
    });
  }

  return ok({
    tests,
    benchmarks,
    fuzzTargets,
    examples,
    hasTestMain: testMain !== undefined,
    ...(testMain !== undefined ? { testMain } : {}),
  });
}

/**
 * Concatenates the test functions of several files of one package (cmd/go loads them in file
 * order). Two TestMain functions are a Diagnostic, as in cmd/go.
 */
export function combineTestFunctions(
  parts: readonly TestFunctions[],
): Result<TestFunctions, Diagnostic> {
  let testMain: TestFunctions['testMain'];
  for (const p of parts) {
    if (!p.hasTestMain) continue;
    if (testMain !== undefined) {
      const site = p.testMain ?? testMain;
      return err({
        severity: 'error',
        span: site.span,
        message: 'multiple definitions of TestMain',
        sourceLine: site.sourceLine,
      });
    }
    testMain = p.testMain ?? { span: { file: '', line: 1, col: 1, endCol: 1 }, sourceLine: '' };
  }
  return ok({
    tests: parts.flatMap((p) => p.tests),
    benchmarks: parts.flatMap((p) => p.benchmarks),
    fuzzTargets: parts.flatMap((p) => p.fuzzTargets),
    examples: parts.flatMap((p) => p.examples),
    hasTestMain: testMain !== undefined,
    ...(testMain !== undefined ? { testMain } : {}),
  });
}

/** cmd/go's isTest: `name` is `prefix` or `prefix` followed by a non-lower-case character. */
export function isTest(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  if (name.length === prefix.length) return true;
  return !isGoLower(name.codePointAt(prefix.length) ?? 0);
}

interface FuncDecl {
  readonly funcToken: GoToken;
  readonly name: string;
  /** Tokens inside the type parameter brackets. */
  readonly typeParams: readonly GoToken[];
  /** Tokens inside the parameter parentheses. */
  readonly params: readonly GoToken[];
  /** Tokens between the parameters and the body. */
  readonly results: readonly GoToken[];
  /** Offsets of the body from `{` to just after `}`; undefined for a declaration without body. */
  readonly body?: { readonly start: number; readonly end: number };
}

const opens: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

/** Index of the matching close bracket of every open bracket. */
function matchBrackets(
  src: SourceText,
  toks: readonly GoToken[],
): Result<Map<number, number>, Diagnostic> {
  const match = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as GoToken;
    if (t.kind === 'OP' && opens[t.text] !== undefined) {
      stack.push(i);
    } else if (
      t.kind === 'EOF' ||
      (t.kind === 'OP' && (t.text === ')' || t.text === ']' || t.text === '}'))
    ) {
      const open = stack.pop();
      const want = open === undefined ? undefined : opens[(toks[open] as GoToken).text];
      if (t.kind === 'EOF' && open === undefined) break;
      if (open === undefined || want !== t.text) {
        const found = t.kind === 'EOF' ? 'EOF' : t.text;
        const message =
          want === undefined ? `unexpected '${found}'` : `expected '${want}', found '${found}'`;
        return err(src.error(t.start, t.end, message));
      }
      match.set(open, i);
    }
  }
  return ok(match);
}

/** The top-level function declarations (without receiver) in order. */
function* topLevelFuncs(
  toks: readonly GoToken[],
  match: ReadonlyMap<number, number>,
): Generator<FuncDecl> {
  const isOp = (i: number, op: string): boolean => toks[i]?.kind === 'OP' && toks[i]?.text === op;
  let i = 0;
  while (i < toks.length) {
    const t = toks[i] as GoToken;
    const close = match.get(i);
    if (close !== undefined) {
      i = close + 1;
      continue;
    }
    // A declaration starts after a semicolon; a func literal in a top-level var does not.
    const startsDecl = i === 0 || toks[i - 1]?.kind === 'SEMICOLON';
    if (!(t.kind === 'KEYWORD' && t.text === 'func' && startsDecl)) {
      i++;
      continue;
    }
    let j = i + 1;
    const nameTok = toks[j];
    if (nameTok === undefined || nameTok.kind !== 'IDENT') {
      i++; // a method (receiver first) or a syntax error: not a test function
      continue;
    }
    j++;
    let typeParams: GoToken[] = [];
    const tpClose = isOp(j, '[') ? match.get(j) : undefined;
    if (tpClose !== undefined) {
      typeParams = toks.slice(j + 1, tpClose);
      j = tpClose + 1;
    }
    const paramsClose = isOp(j, '(') ? match.get(j) : undefined;
    if (paramsClose === undefined) {
      i = j;
      continue;
    }
    const params = toks.slice(j + 1, paramsClose);
    j = paramsClose + 1;
    const resultsStart = j;
    let afterStructOrInterface = false;
    while (j < toks.length) {
      const r = toks[j] as GoToken;
      if (r.kind === 'SEMICOLON' || r.kind === 'EOF') break;
      if (isOp(j, '{') && !afterStructOrInterface) break;
      afterStructOrInterface =
        r.kind === 'KEYWORD' && (r.text === 'struct' || r.text === 'interface');
      j = (match.get(j) ?? j) + 1;
    }
    const results = toks.slice(resultsStart, j);
    const bodyClose = isOp(j, '{') ? match.get(j) : undefined;
    const decl: FuncDecl = {
      funcToken: t,
      name: nameTok.text,
      typeParams,
      params,
      results,
      ...(bodyClose !== undefined
        ? { body: { start: (toks[j] as GoToken).start, end: (toks[bodyClose] as GoToken).end } }
        : {}),
    };
    yield decl;
    i = bodyClose !== undefined ? bodyClose + 1 : j;
  }
}

/** Results present: anything but nothing or an empty `()`. */
function hasResults(results: readonly GoToken[]): boolean {
  if (results.length === 0) return false;
  return !(results.length === 2 && results[0]?.text === '(' && results[1]?.text === ')');
}

/**
 * cmd/go's isTestFunc: no results and exactly one parameter (at most one name) whose type is
 * `*arg` or `*pkg.arg`.
 */
function isTestFunc(fn: FuncDecl, arg: string): boolean {
  if (hasResults(fn.results)) return false;
  const fields = splitTopLevelCommas(fn.params);
  if (fields.length !== 1) return false;
  const f = (fields[0] ?? []).map((t) => (t.kind === 'IDENT' ? 'I' : t.text));
  const last = fields[0]?.[f.length - 1];
  if (last === undefined || last.kind !== 'IDENT' || last.text !== arg) return false;
  const shape = f.join(' ');
  return shape === '* I' || shape === '* I . I' || shape === 'I * I' || shape === 'I * I . I';
}

/** The parameter list split at commas outside brackets, without a trailing empty part. */
function splitTopLevelCommas(tokens: readonly GoToken[]): GoToken[][] {
  const parts: GoToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'OP' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
    if (t.kind === 'OP' && (t.text === ')' || t.text === ']' || t.text === '}')) depth--;
    if (depth === 0 && t.kind === 'OP' && t.text === ',') parts.push([]);
    else (parts[parts.length - 1] as GoToken[]).push(t);
  }
  // Automatic semicolons before a closing parenthesis on its own line are not tokens of the list.
  const cleaned = parts.map((p) => p.filter((t) => t.kind !== 'SEMICOLON' || t.text === ';'));
  if (cleaned.length > 0 && (cleaned[cleaned.length - 1] as GoToken[]).length === 0) cleaned.pop();
  return cleaned;
}

interface CommentGroup {
  readonly start: number;
  readonly end: number;
  readonly texts: string[];
}

/** go/parser's grouping of comments (its `next` and `consumeCommentGroup`). */
function commentGroups(src: SourceText, all: readonly GoToken[]): CommentGroup[] {
  const groups: CommentGroup[] = [];
  const endLine = (c: GoToken): number => src.lineOf(c.start) + (c.text.match(/\n/g)?.length ?? 0);
  let prevLine = 0;
  let i = 0;
  const consume = (n: number): void => {
    const first = all[i] as GoToken;
    let endline = src.lineOf(first.start);
    const texts: string[] = [];
    let end = first.end;
    while (all[i]?.kind === 'COMMENT' && src.lineOf((all[i] as GoToken).start) <= endline + n) {
      const c = all[i] as GoToken;
      texts.push(c.text);
      endline = endLine(c);
      end = c.end;
      i++;
    }
    groups.push({ start: first.start, end, texts });
  };
  while (i < all.length) {
    const t = all[i] as GoToken;
    if (t.kind !== 'COMMENT') {
      prevLine = src.lineOf(t.start);
      i++;
      continue;
    }
    if (src.lineOf(t.start) === prevLine) consume(0);
    while (all[i]?.kind === 'COMMENT') consume(1);
  }
  return groups;
}
