import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestFunctions } from '../../src/go/scan';
import { combineTestFunctions, findTestFunctions, generateTestMain } from '../../src/go/scan';
import { GO } from '../go-toolchain';

const goBin = GO;

function find(text: string, file = 'p/x_test.go'): TestFunctions {
  const r = findTestFunctions(file, text);
  if (!r.ok) throw new Error(`${r.failure.span.line}:${r.failure.span.col}: ${r.failure.message}`);
  return r.value;
}

describe('findTestFunctions', () => {
  const sample = `package p

import (
	"fmt"
	"testing"
	tt "testing"
)

var helper = func(t *testing.T) {} // a func literal, not a declaration

type T struct{}

func (T) TestMethod(t *testing.T) {} // methods are never tests

func Test(t *testing.T)          {}
func TestA(t *testing.T)         { s := "}"; _ = s; r := '{'; _ = r; _ = \`
}\` }
func Testify(t *testing.T)       {} // lower case after the prefix: not a test
func Test_b(t *tt.T)             {}
func TestÄ(*testing.T)           {}
func BenchmarkX(b *testing.B)    {}
func FuzzY(f *testing.F)         {}
func generic[T any](t T) struct{ x int } { return struct{ x int }{} }
func Examplefoo()                { fmt.Println("not an example") }

func ExampleA() {
	fmt.Println("a") // trailing comment
	// Output: a
}

func ExampleB() {
	fmt.Println("x\\ty")
	/* unordered OUTPUT:
	   x	y
	*/
}

func ExampleC() {
	// Output:
}

func ExampleD() {
	fmt.Println("no output comment")
}

func ExampleE() {
	// Output: not last

	// just a comment
}

func ExampleF(x int) {}

func ExampleG() int { return 0 }
`;

  it('finds tests, benchmarks, fuzz targets and examples in source order', () => {
    const f = find(sample);
    expect(f.tests).toEqual(['Test', 'TestA', 'Test_b', 'TestÄ']);
    expect(f.benchmarks).toEqual(['BenchmarkX']);
    expect(f.fuzzTargets).toEqual(['FuzzY']);
    expect(f.hasTestMain).toBe(false);
    expect(f.examples).toEqual([
      { name: 'ExampleA', output: 'a\n', unordered: false, emptyOutput: false },
      // Block comments keep their indentation (go/ast CommentGroup.Text).
      { name: 'ExampleB', output: '\t   x\ty\n', unordered: true, emptyOutput: false },
      { name: 'ExampleC', output: '', unordered: false, emptyOutput: true },
      { name: 'ExampleD', output: '', unordered: false, emptyOutput: false },
      { name: 'ExampleE', output: '', unordered: false, emptyOutput: false },
    ]);
  });

  it.each([
    ['func TestX(t testing.T) {}', 'wrong signature for TestX, must be: func TestX(t *testing.T)'],
    [
      'func TestX(t *testing.T) error { return nil }',
      'wrong signature for TestX, must be: func TestX(t *testing.T)',
    ],
    [
      'func TestX(t, u *testing.T) {}',
      'wrong signature for TestX, must be: func TestX(t *testing.T)',
    ],
    ['func TestX(t *testing.B) {}', 'wrong signature for TestX, must be: func TestX(t *testing.T)'],
    [
      'func BenchmarkX(t *testing.T) {}',
      'wrong signature for BenchmarkX, must be: func BenchmarkX(b *testing.B)',
    ],
    ['func FuzzX() {}', 'wrong signature for FuzzX, must be: func FuzzX(f *testing.F)'],
    [
      'func TestMain(m testing.M) {}',
      'wrong signature for TestMain, must be: func TestMain(m *testing.M)',
    ],
    [
      'func TestX[T any](t *testing.T) {}',
      'wrong signature for TestX, test functions cannot have type parameters',
    ],
  ])('%s is rejected', (decl, message) => {
    const r = findTestFunctions('p/x_test.go', `package p\n\nimport "testing"\n\n${decl}\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.message).toBe(message);
    expect(r.failure.span).toMatchObject({ file: 'p/x_test.go', line: 5, col: 1 });
  });

  it('accepts TestMain(m *testing.M), and TestMain(t *testing.T) as a plain test', () => {
    expect(find('package p\nfunc TestMain(m *testing.M) {}\n').hasTestMain).toBe(true);
    const asTest = find('package p\nfunc TestMain(t *testing.T) {}\n');
    expect([asTest.hasTestMain, asTest.tests]).toEqual([false, ['TestMain']]);
  });

  it('rejects two TestMain functions, within a file and across files', () => {
    const r = findTestFunctions(
      'p/x_test.go',
      'package p\nfunc TestMain(m *testing.M) {}\nfunc TestMain(m *testing.M) {}\n',
    );
    expect(r.ok ? '' : `${r.failure.span.line} ${r.failure.message}`).toBe(
      '3 multiple definitions of TestMain',
    );
    const a = find('package p\nfunc TestMain(m *testing.M) {}\n', 'p/a_test.go');
    const b = find('package p_test\n\nfunc TestMain(m *testing.M) {}\n', 'p/b_test.go');
    const both = combineTestFunctions([a, b]);
    expect(
      both.ok ? '' : `${both.failure.span.file}:${both.failure.span.line} ${both.failure.message}`,
    ).toBe('p/b_test.go:3 multiple definitions of TestMain');
  });

  it('reports lexical errors and unbalanced brackets with positions', () => {
    const lexical = findTestFunctions(
      'p/x_test.go',
      'package p\nfunc TestX(t *testing.T) { _ = "abc }\n',
    );
    expect(
      lexical.ok
        ? ''
        : `${lexical.failure.span.line}:${lexical.failure.span.col} ${lexical.failure.message}`,
    ).toBe('2:32 string literal not terminated');
    const unbalanced = findTestFunctions(
      'p/x_test.go',
      'package p\nfunc TestX(t *testing.T) { if x { }\n',
    );
    expect(unbalanced.ok ? '' : unbalanced.failure.message).toBe("expected '}', found 'EOF'");
  });
});

describe('generateTestMain is byte-identical to cmd/go', () => {
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-testmain-'));
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function writePackage(root: string, files: Record<string, string>): void {
    fs.mkdirSync(root, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
  }

  /** Runs `go test -c -work` and returns cmd/go's _testmain.go (or the failure output). */
  function goTestMain(root: string): { testmain?: string; stderr: string } {
    const r = spawnSync(
      goBin,
      ['test', '-c', '-vet=off', '-work', '-o', path.join(root, 'pkg.test'), '.'],
      {
        cwd: root,
        encoding: 'utf8',
        env: {
          ...process.env,
          GOFLAGS: '',
          GOTOOLCHAIN: 'local',
          GOPROXY: 'off',
          CGO_ENABLED: '0',
        },
      },
    );
    const work = /WORK=(\S+)/.exec(r.stderr)?.[1];
    try {
      if (r.status !== 0 || work === undefined) return { stderr: r.stderr + r.stdout };
      return {
        testmain: fs.readFileSync(path.join(work, 'b001', '_testmain.go'), 'utf8'),
        stderr: r.stderr,
      };
    } finally {
      if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
    }
  }

  const files: Record<string, string> = {
    'go.mod': 'module example.com/tm\n\ngo 1.26\n',
    'sum.go': 'package tm\n\n// Sum adds.\nfunc Sum(a, b int) int { return a + b }\n',
    'a_test.go': `package tm

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(m.Run()) }

func TestSum(t *testing.T) {
	if Sum(1, 2) != 3 {
		t.Fatal("bad sum")
	}
}

func BenchmarkSum(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Sum(i, i)
	}
}

func FuzzSum(f *testing.F) { f.Fuzz(func(t *testing.T, a int) { _ = Sum(a, a) }) }

func ExampleSum() {
	fmt.Println(Sum(1, 2)) // three
	// Output: 3
}
`,
    'b_test.go': `package tm

import "testing"

func TestSecondFile(t *testing.T) {}
`,
    'ext_test.go': `package tm_test

import (
	"fmt"
	"testing"

	"example.com/tm"
)

func TestExt(t *testing.T) { _ = tm.Sum(1, 1) }

func ExampleSum_unordered() {
	fmt.Println("b\\tü \\"q\\" \\\\ \\x01")
	fmt.Println("a")
	// Unordered output:
	// b	ü "q" \\ \x01
	// a
}

func ExampleSum_empty() {
	// Output:
}

func ExampleSum_block() {
	fmt.Println("x")
	/*
	   Output: x
	*/
}

func ExampleSum_later() {
	// Output: ignored

	fmt.Println("y") // output: y
}

func ExampleSum_none() {
	_ = tm.Sum(1, 1)
}
`,
  };

  it('for a package with tests, benchmarks, fuzz targets, examples, an external test and TestMain', () => {
    const root = path.join(dir, 'tm');
    writePackage(root, files);
    const internal = combineTestFunctions([
      find(files['a_test.go'] ?? '', 'tm/a_test.go'),
      find(files['b_test.go'] ?? '', 'tm/b_test.go'),
    ]);
    if (!internal.ok) throw new Error(internal.failure.message);
    const external = find(files['ext_test.go'] ?? '', 'tm/ext_test.go');
    const ours = generateTestMain({
      importPath: 'example.com/tm',
      modulePath: 'example.com/tm',
      internal: internal.value,
      external,
    });
    const theirs = goTestMain(root);
    expect(theirs.stderr).toMatch(/^WORK=\S+\n$/);
    expect(ours).toBe(theirs.testmain);
  });

  it('for a package with only an external test that has no runnable functions', () => {
    const root = path.join(dir, 'xonly');
    writePackage(root, {
      'go.mod': 'module example.com/xonly\n\ngo 1.26\n',
      'x_test.go': 'package xonly_test\n\nfunc ExampleNothing() {}\n',
    });
    const external = find('package xonly_test\n\nfunc ExampleNothing() {}\n');
    const ours = generateTestMain({
      importPath: 'example.com/xonly',
      modulePath: 'example.com/xonly',
      packageHasGoFiles: false,
      external,
    });
    expect(ours).toBe(goTestMain(root).testmain);
  });

  it('reports a wrong signature at the position cmd/go reports', () => {
    const root = path.join(dir, 'bad');
    const bad =
      'package bad\n\nimport "testing"\n\nfunc helper() {}\n\nfunc TestBad(t *testing.B) {}\n';
    writePackage(root, { 'go.mod': 'module example.com/bad\n\ngo 1.26\n', 'bad_test.go': bad });
    const r = findTestFunctions('bad_test.go', bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const ours = `${r.failure.span.file}:${r.failure.span.line}:${r.failure.span.col}: ${r.failure.message}`;
    const theirs = goTestMain(root);
    expect(theirs.testmain).toBeUndefined();
    expect(theirs.stderr).toContain(ours);
  });
});

/** A Go program printing, per test file, what go/parser + go/doc find (cmd/go's loadTestFuncs). */
const oracleSource = `package main

import (
	"encoding/json"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

type ex struct {
	Name, Output        string
	Unordered, EmptyOut bool
}
type res struct {
	Tests, Benchmarks, Fuzz []string
	Examples                []ex
	TestMain                bool
}

func isTest(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}

func main() {
	out := map[string]res{}
	for _, file := range os.Args[1:] {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		r := res{Tests: []string{}, Benchmarks: []string{}, Fuzz: []string{}, Examples: []ex{}}
		for _, d := range f.Decls {
			n, ok := d.(*ast.FuncDecl)
			if !ok || n.Recv != nil {
				continue
			}
			name := n.Name.String()
			switch {
			case name == "TestMain":
				r.TestMain = true // signature checks are covered elsewhere
			case isTest(name, "Test"):
				r.Tests = append(r.Tests, name)
			case isTest(name, "Benchmark"):
				r.Benchmarks = append(r.Benchmarks, name)
			case isTest(name, "Fuzz"):
				r.Fuzz = append(r.Fuzz, name)
			}
		}
			exs := doc.Examples(f)
		sort.Slice(exs, func(i, j int) bool { return exs[i].Order < exs[j].Order })
		for _, e := range exs {
			r.Examples = append(r.Examples, ex{"Example" + e.Name, e.Output, e.Unordered, e.EmptyOutput})
		}
		out[file] = r
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

describe('findTestFunctions agrees with go/parser + go/doc on every std _test.go file', () => {
  it('lists the same tests, benchmarks, fuzz targets and examples (with output)', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pgobuild-testfuncs-oracle-'));
    try {
      fs.writeFileSync(path.join(work, 'go.mod'), 'module oracle\n\ngo 1.26\n');
      fs.writeFileSync(path.join(work, 'main.go'), oracleSource);
      const env = { ...process.env, GOFLAGS: '', GOTOOLCHAIN: 'local', GOPROXY: 'off' };
      execFileSync(goBin, ['build', '-o', 'oracle', '.'], { cwd: work, env });
      const goroot = execFileSync(goBin, ['env', 'GOROOT'], { encoding: 'utf8', env }).trim();
      const files: string[] = [];
      const walk = (d: string): void => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory() && e.name !== 'testdata') walk(path.join(d, e.name));
          else if (e.isFile() && e.name.endsWith('_test.go')) files.push(path.join(d, e.name));
        }
      };
      walk(path.join(goroot, 'src'));
      fs.writeFileSync(path.join(work, 'files'), files.join('\n'));
      const oracle = JSON.parse(
        execFileSync('sh', ['-c', 'xargs ./oracle < files'], {
          cwd: work,
          encoding: 'utf8',
          maxBuffer: 256 << 20,
        }),
      ) as Record<string, unknown>;
      const mismatches: string[] = [];
      let compared = 0;
      for (const file of files) {
        const want = oracle[file];
        if (want === undefined) continue; // go/parser rejects it (deliberately broken test data)
        compared++;
        const r = findTestFunctions(file, fs.readFileSync(file, 'utf8'));
        const got = r.ok
          ? {
              Tests: r.value.tests,
              Benchmarks: r.value.benchmarks,
              Fuzz: r.value.fuzzTargets,
              Examples: r.value.examples.map((e) => ({
                Name: e.name,
                Output: e.output,
                Unordered: e.unordered,
                EmptyOut: e.emptyOutput,
              })),
              TestMain: r.value.hasTestMain,
            }
          : r.failure.message;
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(file);
      }
      expect(mismatches).toEqual([]);
      expect(compared).toBeGreaterThan(1000);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('generateTestMain without Go', () => {
  it('imports the package under test as _ when the test main names none of its functions', () => {
    const s = generateTestMain({
      importPath: 'example.com/p',
      internal: find('package p\nfunc ExampleX() {}\n'),
    });
    expect(s).toContain('\t_ "example.com/p"\n');
    expect(s).toContain('\tos.Exit(m.Run())\n');
    expect(s).not.toContain('"reflect"');
  });

  it('leaves testdeps.ImportPath empty for command-line-arguments', () => {
    expect(generateTestMain({ importPath: 'command-line-arguments' })).toContain(
      'testdeps.ImportPath = ""\n',
    );
  });
});

// Keep the compiler honest that this file really runs Go: fail fast with a clear message.
beforeAll(() => {
  execFileSync(goBin, ['version'], { encoding: 'utf8' });
});
