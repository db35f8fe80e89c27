package markdown

import (
	"strings"
	"testing"
	"time"
)

// TestPathologicalInputIsFast guards against quadratic behaviour on inputs a
// hostile client could POST to the server. Each input is ~80 KB; a quadratic
// algorithm takes seconds on them, a linear one a few milliseconds.
func TestPathologicalInputIsFast(t *testing.T) {
	inputs := map[string]string{
		"closers without openers": strings.Repeat("a* ", 25000),
		"mixed unmatched":         strings.Repeat("*a_ ", 20000),
		"many matches":            strings.Repeat("**a ", 10000) + strings.Repeat("b* ", 10000),
		"unclosed link dests":     strings.Repeat("[a](", 20000),
		"nested link dests":       strings.Repeat("[a](", 20000) + ")",
		"open brackets":           strings.Repeat("[", 80000),
		"close brackets":          strings.Repeat("]]]]]]]]0", 10000),
		"links in brackets":       strings.Repeat("[[a](b) ", 10000) + strings.Repeat("]", 10000),
		"deep quotes":             strings.Repeat("> ", 5000) + "x",
	}
	for name, in := range inputs {
		start := time.Now()
		out := ToHTML([]byte(in))
		if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
			t.Errorf("%s: took %v", name, elapsed)
		}
		if len(out) < len(in)/2 {
			t.Errorf("%s: output suspiciously short (%d bytes)", name, len(out))
		}
	}
}
