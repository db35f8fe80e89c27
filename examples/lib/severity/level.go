// Package severity is the level of a log record. Its String method is generated at build time
// by the go_stringer rule (examples/rules/stringer.ts), a rule written in TypeScript on pgobuild's
// rule API that runs //examples/tools/enumstring in the sandbox; go build, which has no such
// rules, compiles the copy go generate writes (level_string_gogenerate.go). The test, run by
// either, checks the names.
package severity

//go:generate go run ../../tools/enumstring -type Level -pkg severity -o level_string_gogenerate.go level.go

// Level orders how much a record matters.
type Level int

// The levels, least severe first.
const (
	Debug Level = iota
	Info
	Warn
	Error
)

// Parse returns the level named s, as String spells it.
func Parse(s string) (Level, bool) {
	for l := Debug; l <= Error; l++ {
		if l.String() == s {
			return l, true
		}
	}
	return 0, false
}
