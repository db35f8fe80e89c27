/**
 * A small but complete workspace for end-to-end tests: two binaries sharing libraries, a library
 * with assembly, one with //go:embed, one with a build-constrained file, and a test.
 */
export const SMALL_WORKSPACE: Readonly<Record<string, string>> = {
  'go.mod': 'module example.com/small\n\ngo 1.22\n',
  'lib/base/BUILD':
    'go_library(\n    name = "base",\n    srcs = [\n        "base.go",\n        "sys_linux.go",\n        "sys_other.go",\n    ],\n)\n',
  'lib/base/base.go':
    'package base\n\n// Double doubles n.\nfunc Double(n int) int { return 2 * n }\n',
  'lib/base/sys_linux.go':
    'package base\n\n// OS names the platform this file was selected for.\nconst OS = "linux"\n',
  'lib/base/sys_other.go': '//go:build !linux\n\npackage base\n\nconst OS = "other"\n',
  'lib/mid/BUILD':
    'go_library(\n    name = "mid",\n    srcs = ["mid.go"],\n    embedsrcs = ["greeting.txt"],\n    deps = ["//lib/base"],\n)\n',
  'lib/mid/mid.go':
    'package mid\n\nimport (\n\t_ "embed"\n\t"fmt"\n\n\t"example.com/small/lib/base"\n)\n\n//go:embed greeting.txt\nvar greeting string\n\n// Describe formats n.\nfunc Describe(n int) string { return fmt.Sprintf("%s %d on %s", greeting, base.Double(n), base.OS) }\n',
  'lib/mid/greeting.txt': 'hello',
  'lib/asm/BUILD':
    'go_library(\n    name = "asm",\n    srcs = [\n        "add.go",\n        "add_amd64.s",\n    ],\n)\n',
  'lib/asm/add.go':
    'package asm\n\n// Add is implemented in assembly.\nfunc Add(a, b int64) int64\n',
  'lib/asm/add_amd64.s':
    '#include "textflag.h"\n\nTEXT ·Add(SB), NOSPLIT, $0-24\n\tMOVQ a+0(FP), AX\n\tADDQ b+8(FP), AX\n\tMOVQ AX, ret+16(FP)\n\tRET\n',
  'lib/other/BUILD': 'go_library(\n    name = "other",\n    srcs = ["other.go"],\n)\n',
  'lib/other/other.go':
    'package other\n\nimport "strings"\n\n// Shout upper-cases s.\nfunc Shout(s string) string { return strings.ToUpper(s) }\n',
  'cmd/one/BUILD':
    'go_binary(\n    name = "one",\n    srcs = ["main.go"],\n    deps = [\n        "//lib/asm",\n        "//lib/mid",\n    ],\n)\n\ngo_test(\n    name = "one_test",\n    srcs = ["main_test.go"],\n    embed = [":one"],\n)\n',
  'cmd/one/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/small/lib/asm"\n\t"example.com/small/lib/mid"\n)\n\nfunc answer() int64 { return asm.Add(40, 2) }\n\nfunc main() { fmt.Println(mid.Describe(21), answer()) }\n',
  'cmd/one/main_test.go':
    'package main\n\nimport "testing"\n\nfunc TestAnswer(t *testing.T) {\n\tif got := answer(); got != 42 {\n\t\tt.Fatalf("answer() = %d, want 42", got)\n\t}\n}\n',
  'cmd/two/BUILD':
    'go_binary(\n    name = "two",\n    srcs = ["main.go"],\n    deps = ["//lib/other"],\n)\n',
  'cmd/two/main.go':
    'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/small/lib/other"\n)\n\nfunc main() { fmt.Println(other.Shout("two")) }\n',
};
