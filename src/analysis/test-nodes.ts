import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceFile } from '../go/compile-action';
import { inPackageDir } from '../go/exec-root';
import {
  type GoFileInfo,
  type TestFunctions,
  combineTestFunctions,
  findTestFunctions,
  generateTestMain,
  scanGoFile,
} from '../go/scan';
import { testBinaryName } from '../go/test-run-action';
import { type Diagnostic, type Result, err, ok } from '../util';
import { labelOf, shortLabel } from '../workspace';
import type { TestRunNode, TestRunOptions } from './build-graph';
import type { Configuration } from './configuration';
import { testImportCycle } from './dependency-cycle';
import { type AnalysisFailure, diagnosticFailure } from './failure';
import { type ReadSource, importPathOf, selectSources } from './go-package';
import { type GraphContext, buildContextOf } from './graph-context';
import type { ImportResolver } from './import-resolution';
import type { LinkNodes } from './link-nodes';
import type { ResolvedPackage } from './resolved-package';
import { type DeclaredTarget, listAttr } from './rule-api';
import type { StdNodes } from './std-nodes';
import type { TargetLookup } from './target-lookup';
import { testDataFiles } from './test-data';
import { type UserCompileNodes, langFor } from './user-compile-nodes';

/**
 * The nodes of a go_test: the test binary as `go test` builds it (the package under test
 * recompiled with its _test.go files, the external test package, a generated test main, the
 * link) and the node that runs it.
 */
export class TestNodes {
  constructor(
    private readonly ctx: GraphContext,
    private readonly lookup: TargetLookup,
    private readonly resolver: ImportResolver,
    private readonly std: StdNodes,
    private readonly compiles: UserCompileNodes,
    private readonly links: LinkNodes,
  ) {}

  /**
   * A go_test binary, as `go test` builds it: the package under test recompiled with its internal
   * _test.go files (as a library: `-p <importpath>`), the external `_test` package, and a
   * generated `_testmain.go` compiled as `-p main -dwarf=false` and linked with `-s -w`.
   */
  async testBinaryNode(
    target: DeclaredTarget,
    config: Configuration,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const embedded: DeclaredTarget[] = [];
    for (const e of listAttr(target, 'embed')) {
      const found = await this.lookup.findTarget(e.value, target.pkg, e.span);
      if (!found.ok) return err([found.failure]);
      embedded.push(found.value);
    }
    const testFiles = await selectSources(
      target,
      'test',
      buildContextOf(this.ctx, config.tags),
      this.ctx.reader,
    );
    if (!testFiles.ok) return err([testFiles.failure]);
    const underTest = embedded[0];
    let libFiles: ReadSource[] = [];
    if (underTest !== undefined) {
      const sel = await selectSources(
        underTest,
        'library',
        buildContextOf(this.ctx, config.tags),
        this.ctx.reader,
      );
      if (!sel.ok) return err([sel.failure]);
      libFiles = sel.value;
    }
    const basePackageName = libFiles.find((f) => f.info !== undefined)?.info?.packageName;
    const isExternal = (f: ReadSource): boolean =>
      f.info !== undefined &&
      f.info.packageName.endsWith('_test') &&
      f.info.packageName !== basePackageName;
    const internalTests = testFiles.value.filter((f) => !isExternal(f));
    const externalTests = testFiles.value.filter(isExternal);
    const owner = underTest ?? target;
    const failures: AnalysisFailure[] = [];
    let internal: ResolvedPackage | undefined;
    if (libFiles.length + internalTests.length > 0) {
      const r = await this.resolver.resolveFiles(owner, owner === target ? [] : [target], 'test', {
        preselected: [...libFiles, ...internalTests],
        tags: config.tags,
      });
      const cycle =
        r.ok && underTest !== undefined
          ? await testImportCycle(target, underTest, r.value, (t, p, s) =>
              this.lookup.findTarget(t, p, s),
            )
          : undefined;
      if (cycle !== undefined) failures.push(cycle);
      else if (r.ok) internal = r.value;
      else failures.push(...r.failure);
    }
    let external: ResolvedPackage | undefined;
    if (externalTests.length > 0) {
      const r = await this.resolver.resolveFiles(target, owner === target ? [] : [owner], 'test', {
        preselected: externalTests,
        underTest: internal,
        tags: config.tags,
      });
      if (r.ok) external = r.value;
      else failures.push(...r.failure);
    }
    if (failures.length > 0) return err(failures);
    let basePath = internal?.importPath;
    if (basePath === undefined) {
      const own = await importPathOf(owner, this.ctx.reader);
      if (!own.ok) return err([own.failure]);
      basePath = own.value.importPath;
    }
    const suffix = ` [${shortLabel(target)}]`;
    const overrides = new Map<string, string>();
    let internalId: string | undefined;
    if (internal !== undefined) {
      const r = await this.compiles.compileNode(internal, config, {
        suffix,
        packagePath: internal.importPath,
        overrides: new Map(),
      });
      if (!r.ok) return r;
      internalId = r.value;
      overrides.set(internal.importPath, internalId);
    }
    let externalId: string | undefined;
    if (external !== undefined) {
      const r = await this.compiles.compileNode(
        { ...external, importPath: `${basePath}_test` },
        config,
        { suffix: `_test${suffix}`, packagePath: `${basePath}_test`, overrides },
      );
      if (!r.ok) return r;
      externalId = r.value;
    }
    const testmain = testMainSource(basePath, internalTests, externalTests, internal, external);
    if (!testmain.ok) return err([testmain.failure]);
    const testmainText = testmain.value;
    const testmainInfo = scanGoFile('_testmain.go', testmainText);
    if (!testmainInfo.ok)
      throw new Error(`generated _testmain.go does not scan: ${testmainInfo.failure.message}`);
    const testmainDeps: { importPath: string; nodeId: string }[] = [];
    for (const imp of testmainInfo.value.imports) {
      if (imp.path === basePath && internalId !== undefined)
        testmainDeps.push({ importPath: imp.path, nodeId: internalId });
      else if (imp.path === `${basePath}_test` && externalId !== undefined)
        testmainDeps.push({ importPath: imp.path, nodeId: externalId });
      else {
        const r = await this.std.compileNode(imp.path, config);
        if (!r.ok) return r;
        testmainDeps.push({ importPath: imp.path, nodeId: r.value });
      }
    }
    if (!testmainDeps.some((d) => d.importPath === 'runtime')) {
      const r = await this.std.compileNode('runtime', config);
      if (!r.ok) return r;
      testmainDeps.push({ importPath: 'runtime', nodeId: r.value });
    }
    const mainId = `compile:${labelOf(target)}[testmain]@${config.id}`;
    this.ctx.nodes.set(mainId, {
      kind: 'compile',
      id: mainId,
      owner: `${shortLabel(target)} [testmain]`,
      config,
      unit: {
        importPath: `${basePath}.test`,
        packagePath: 'main',
        standard: false,
        dir: inPackageDir(target.pkg, '_testmain'),
        goFiles: [],
        generatedGoFiles: [{ name: '_testmain.go', content: testmainText }],
        sFiles: [],
        hFiles: [],
        importMap: [],
        lang: langFor(this.ctx.std.sdk, internal?.module ?? external?.module),
        omitDebug: true,
      },
      deps: testmainDeps,
    });
    const mod = (internal ?? external)?.module;
    // cmd/go's test main takes the //go:debug lines of the package's files, then of its internal
    // and external _test.go files (load/test.go, defaultGODEBUG with pb.Directives,
    // TestDirectives, XTestDirectives).
    const goDebugOf = (files: readonly ReadSource[]): GoFileInfo['goDebug'] =>
      files.flatMap((f) => f.info?.goDebug ?? []);
    const packageDefaults = this.links.defaultGodebugFor(target, mod, goDebugOf(libFiles));
    if (!packageDefaults.ok) return packageDefaults;
    const testDefaults = this.links.defaultGodebugFor(target, mod, [
      ...goDebugOf(libFiles),
      ...goDebugOf(internalTests),
      ...goDebugOf(externalTests),
    ]);
    if (!testDefaults.ok) return testDefaults;
    const godebug = testDefaults.value;
    // The test of a main package whose _test.go files change no GODEBUG shares the package's
    // build info (its path is the package's); otherwise cmd/go gives the test main its own.
    const sharesMainBuildInfo =
      internal?.sources.packageName === 'main' && packageDefaults.value === godebug;
    return this.links.linkNode({
      target,
      id: `link:${labelOf(target)}@${config.id}`,
      config,
      mainImportPath: `${basePath}.test`,
      mainNodeId: mainId,
      module: mod,
      buildInfoPath: sharesMainBuildInfo ? basePath : `${basePath}.test`,
      defaultGodebug: godebug,
      xDefsPackage: basePath,
      stripDebug: true,
    });
  }

  /**
   * Running a go_test binary as `go test` runs it: in its package directory, with the package's
   * files (sources, embedded files, testdata/) and the `data` files around it, and the options'
   * arguments after cmd/go's own. Data files keep their workspace paths, so a test reads its own
   * package's as `name` and another package's as `../other/name`.
   */
  async testRunNode(
    target: DeclaredTarget,
    linkId: string,
    config: Configuration,
    tests: TestRunOptions,
  ): Promise<Result<string, AnalysisFailure[]>> {
    const id = `test:${labelOf(target)}@${config.id}`;
    const dataFiles: SourceFile[] = [];
    const names = new Set<string>();
    const owners = [target];
    for (const e of listAttr(target, 'embed')) {
      const found = await this.lookup.findTarget(e.value, target.pkg, e.span);
      if (found.ok) owners.push(found.value);
    }
    for (const t of owners)
      for (const attr of ['srcs', 'embedsrcs'])
        for (const s of listAttr(t, attr))
          names.add(`${t.pkg === '' ? '' : `${t.pkg}/`}${s.value.replace(/^:/, '')}`);
    for (const rel of this.testdataFiles(target.pkg)) names.add(rel);
    const data = await testDataFiles(
      target,
      this.ctx.root,
      this.ctx.loader,
      this.ctx.reader.generated,
    );
    if (!data.ok) return data;
    for (const rel of data.value.files) names.add(rel);
    // Generated data (a genrule's outs) at their paths in the package, among the others.
    const made = new Map(data.value.made.map((f) => [f.name, f]));
    for (const display of [...new Set([...names, ...made.keys()])].sort()) {
      const generated = made.get(display);
      if (generated !== undefined) {
        dataFiles.push({ ...generated, name: path.posix.relative(target.pkg, display) });
        continue;
      }
      const f = await this.ctx.reader.read(display);
      if (f.ok)
        dataFiles.push({
          name: path.posix.relative(target.pkg, display),
          absPath: f.value.absPath,
          digest: f.value.digest,
        });
    }
    const link = this.ctx.nodes.get(linkId);
    const mainImportPath = link?.kind === 'link' ? link.mainImportPath : `${target.name}.test`;
    const node: TestRunNode = {
      kind: 'test-run',
      id,
      owner: shortLabel(target),
      config,
      linkNodeId: linkId,
      dir: target.pkg,
      dataFiles,
      binaryName: testBinaryName(mainImportPath.replace(/\.test$/, '')),
      args: tests.args,
    };
    this.ctx.nodes.set(id, node);
    return ok(id);
  }

  /** Files under `<pkg>/testdata`, which `go test` lets tests read by convention. */
  private testdataFiles(pkg: string): string[] {
    const out: string[] = [];
    const walk = (rel: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(path.join(this.ctx.root, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const child = `${rel}/${e.name}`;
        if (e.isDirectory()) walk(child);
        else if (e.isFile()) out.push(child);
      }
    };
    walk(pkg === '' ? 'testdata' : `${pkg}/testdata`);
    return out;
  }
}

/**
 * The `_testmain.go` cmd/go would generate for a test: the test functions of the internal and
 * external test files (a wrong signature or two TestMains are diagnostics).
 */
function testMainSource(
  importPath: string,
  internalTests: readonly ReadSource[],
  externalTests: readonly ReadSource[],
  internal: ResolvedPackage | undefined,
  external: ResolvedPackage | undefined,
): Result<string, AnalysisFailure> {
  const functionsOf = (files: readonly ReadSource[]): Result<TestFunctions, Diagnostic> => {
    const parts: TestFunctions[] = [];
    for (const f of files) {
      const found = findTestFunctions(f.display, f.text);
      if (!found.ok) return found;
      parts.push(found.value);
    }
    return combineTestFunctions(parts);
  };
  const internalFns = functionsOf(internalTests);
  if (!internalFns.ok) return err(diagnosticFailure('go-source', internalFns.failure));
  const externalFns = functionsOf(externalTests);
  if (!externalFns.ok) return err(diagnosticFailure('go-source', externalFns.failure));
  const both = combineTestFunctions([internalFns.value, externalFns.value]);
  if (!both.ok) return err(diagnosticFailure('go-source', both.failure));
  return ok(
    generateTestMain({
      importPath,
      modulePath: (internal ?? external)?.module?.modulePath,
      // Without `embed` there is no package under test to import (the external test package
      // reaches the library through its deps).
      packageHasGoFiles: internal !== undefined,
      internal: internal !== undefined ? internalFns.value : undefined,
      external: external !== undefined ? externalFns.value : undefined,
    }),
  );
}
