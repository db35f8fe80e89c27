import { actions, makeWorkspace, pgobuild, tempDir } from './harness';

/**
 * genrule outputs beyond Go sources: embedded by a go_library (`embedsrcs`), read by a go_test at
 * run time (`data`), and the `$(rootpath)` function and make variables (`$(GOOS)`, `$(GOARCH)`)
 * in `cmd`. The Go test checks what it embedded and what it finds beside it.
 */

const GOARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };
const PLATFORM = `${process.platform}/${GOARCH[process.arch] ?? process.arch}`;

const FILES: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/gg\n\ngo 1.22\n',
  'assets/BUILD': `genrule(
    name = "banner",
    outs = ["banner.txt"],
    cmd = "echo built for $(GOOS)/$(GOARCH) > $@",
)

genrule(
    name = "paths",
    srcs = [
        "input.txt",
        ":banner",
    ],
    outs = ["paths.txt"],
    cmd = "echo $(rootpath input.txt) $(rootpath :banner) $(execpath :banner) > $@",
)

go_library(
    name = "assets",
    srcs = ["assets.go"],
    embedsrcs = [
        ":banner",
        "paths.txt",
    ],
    importpath = "example.com/gg/assets",
)

go_test(
    name = "assets_test",
    srcs = ["assets_test.go"],
    data = [
        ":banner",
        "//data:table",
    ],
    embed = [":assets"],
)
`,
  'assets/input.txt': 'input\n',
  'assets/assets.go': `package assets

import _ "embed"

// Banner is a genrule's output, embedded.
//
//go:embed banner.txt
var Banner string

// Paths is what $(rootpath) and $(execpath) expanded to.
//
//go:embed paths.txt
var Paths string
`,
  'assets/assets_test.go': `package assets

import (
	"os"
	"testing"
)

func TestEmbedded(t *testing.T) {
	if Banner != "built for ${PLATFORM}\\n" {
		t.Fatalf("Banner = %q", Banner)
	}
	if Paths != "assets/input.txt assets/banner.txt pgobuild-out/bin/assets/banner.txt\\n" {
		t.Fatalf("Paths = %q", Paths)
	}
}

func TestData(t *testing.T) {
	b, err := os.ReadFile("banner.txt")
	if err != nil || string(b) != Banner {
		t.Fatalf("banner.txt: %q, %v", b, err)
	}
	table, err := os.ReadFile("../data/table.txt")
	if err != nil || string(table) != "row\\n" {
		t.Fatalf("../data/table.txt: %q, %v", table, err)
	}
}
`,
  'data/BUILD':
    'genrule(\n    name = "table",\n    outs = ["table.txt"],\n    cmd = "echo row > $@",\n)\n',
};

describe('genrule outputs as embedded files and test data', () => {
  test('a go_library embeds genrule outs; a go_test reads genrule outs as data', () => {
    const ws = makeWorkspace(FILES, 'pgobuild-genrule-outs-');
    const cache = tempDir('pgobuild-genrule-outs-cache-');
    const run = pgobuild(ws, ['test', '//assets:assets_test'], { cache });
    expect({
      code: run.code,
      stderr: run.stderr,
      stdout: run.code === 0 ? '' : run.stdout,
    }).toEqual({ code: 0, stderr: expect.any(String) as string, stdout: '' });
    expect(actions(run, 'executed', 'Genrule')).toEqual([
      '//assets:banner',
      '//assets:paths',
      '//data:table',
    ]);
    expect(actions(run, 'executed', 'GoTestRun')).toEqual(['//assets:assets_test']);
    // A second run is answered from the cache, generated inputs included.
    const again = pgobuild(ws, ['test', '//assets:assets_test'], { cache });
    expect(again.code).toBe(0);
    expect(actions(again, 'executed')).toEqual([]);
  }, 600000);
});
