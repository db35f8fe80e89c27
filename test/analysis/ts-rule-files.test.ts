import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TsRuleFiles } from '../../src/analysis/ts-rule-files';

const GOOD = `import { DefaultInfo, attr, rule } from 'pgobuild/rules';

export const stamp = rule({
  doc: 'Writes a version file.',
  attrs: { version: attr.string({ mandatory: true }), srcs: attr.labelList({ allowFiles: true }) },
  implementation: (ctx) => {
    const out = ctx.actions.declareFile(ctx.attr.name + '.txt');
    ctx.actions.write(out, ctx.attr.version + ' ' + ctx.files.srcs.length);
    return [DefaultInfo({ files: [out] })];
  },
});

export const notARule = 42;
`;

let ws: string;
let cache: string;
beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-tsrules-'));
  cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-tsrules-cache-'));
  fs.mkdirSync(path.join(ws, 'tools', 'rules'), { recursive: true });
});
afterEach(() => {
  fs.rmSync(ws, { recursive: true, force: true });
  fs.rmSync(cache, { recursive: true, force: true });
});
const write = (text: string): void =>
  fs.writeFileSync(path.join(ws, 'tools', 'rules', 'stamp.ts'), text);

it('loads the rules a file exports, type-checked, and keeps the compiled file by content', () => {
  write(GOOD);
  const loaded = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  if (!loaded.ok) throw new Error(loaded.failure.message);
  expect([...loaded.value.rules.keys()]).toEqual(['stamp']);
  expect(loaded.value.rules.get('stamp')?.doc).toBe('Writes a version file.');
  const compiled = fs.readdirSync(path.join(cache, 'ts-rules'));
  expect(compiled).toHaveLength(1);
  // The next command reads the compiled file instead of compiling: edit it and see the edit.
  const file = path.join(cache, 'ts-rules', compiled[0] ?? '');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Writes a version file.', 'cached'));
  const again = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  expect(again.ok && again.value.rules.get('stamp')?.doc).toBe('cached');
  // A changed file is compiled again.
  write(GOOD.replace('Writes a version file.', 'changed'));
  const changed = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  expect(changed.ok && changed.value.rules.get('stamp')?.doc).toBe('changed');
}, 60000);

it('a type error is a failure at its file:line:col, and nothing is cached', () => {
  write(GOOD.replace('attr.string({ mandatory: true })', 'attr.strin({ mandatory: true })'));
  const loaded = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  expect(loaded.ok).toBe(false);
  if (loaded.ok) return;
  expect(loaded.failure).toMatchObject({ file: 'tools/rules/stamp.ts', line: 5, col: 26 });
  expect(loaded.failure.message).toMatch(/^TS2551: Property 'strin' does not exist/);
  expect(fs.existsSync(path.join(cache, 'ts-rules'))).toBe(false);
}, 60000);

it('an implementation using an attribute the rule does not declare is a type error', () => {
  write(GOOD.replace('ctx.attr.version +', 'ctx.attr.versoin +'));
  const loaded = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  expect(!loaded.ok && loaded.failure).toMatchObject({ line: 8, col: 37 });
}, 60000);

it('rule files may import only pgobuild/rules', () => {
  // The type-check knows no other module…
  write(`import * as fs from 'fs';\n${GOOD}`);
  const checked = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  expect(!checked.ok && checked.failure).toMatchObject({
    message: "TS2307: Cannot find module 'fs' or its corresponding type declarations.",
    line: 1,
    col: 21,
  });
  // …and the loader refuses it even when the check is silenced.
  write(`// @ts-ignore\nimport * as fs from 'fs';\nexport const leak = fs;\n${GOOD}`);
  const run = new TsRuleFiles(ws, cache).load('tools/rules/stamp.ts');
  expect(!run.ok && run.failure.message).toBe(
    "tools/rules/stamp.ts imports 'fs': rule files may import only 'pgobuild/rules' (rules declare actions; the actions do the work)",
  );
}, 60000);
