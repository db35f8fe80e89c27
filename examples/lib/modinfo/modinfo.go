// Package modinfo describes the examples module as its go.mod declares it: module path, Go
// version and requirements, compiled in.
//
// Under pgobuild, the table is made at build time from go.mod by a genrule running
// //examples/tools/genmodinfo (see BUILD.bazel), so it cannot go stale. go build, which has no
// genrules, compiles the copy go generate writes (table_gogenerate.go); the test, run by either,
// checks that the table compiled in matches go.mod.
package modinfo

//go:generate go run ../../tools/genmodinfo -pkg modinfo -o table_gogenerate.go ../../go.mod

import "strings"

// Requirement is one require directive of go.mod.
type Requirement struct {
	Path     string
	Version  string
	Indirect bool
}

// Lookup finds the requirement on module path.
func Lookup(path string) (Requirement, bool) {
	for _, r := range Requirements {
		if r.Path == path {
			return r, true
		}
	}
	return Requirement{}, false
}

// Direct lists the requirements not marked // indirect.
func Direct() []Requirement {
	var out []Requirement
	for _, r := range Requirements {
		if !r.Indirect {
			out = append(out, r)
		}
	}
	return out
}

// UserAgent is what a program of this module sends as its HTTP User-Agent, e.g.
// "mdrender-load (example.com/examples; go1.26)".
func UserAgent(program string) string {
	var b strings.Builder
	b.WriteString(program)
	b.WriteString(" (")
	b.WriteString(Path)
	b.WriteString("; go")
	b.WriteString(GoVersion)
	b.WriteString(")")
	return b.String()
}
