package corpus

import (
	"fmt"
	"strings"
)

// Query returns a search query over the corpus vocabulary: mostly one to
// three plain terms, sometimes a quoted phrase, a required (+) or an
// excluded (-) term, in the proportions a search box sees.
func (g *Generator) Query() string {
	switch n := g.r.IntN(20); {
	case n < 8:
		return g.pick(nouns)
	case n < 14:
		return fmt.Sprintf("%s %s", g.pick(adjectives), g.pick(nouns))
	case n < 16:
		return fmt.Sprintf("%s %s %s", g.pick(verbs), g.pick(adjectives), g.pick(nouns))
	case n < 18:
		return fmt.Sprintf("\"%s %s\"", g.pick(adjectives), g.pick(nouns))
	case n < 19:
		return fmt.Sprintf("+%s %s", strings.Fields(g.pick(nouns))[0], g.pick(nouns))
	default:
		return fmt.Sprintf("%s -%s", g.pick(nouns), strings.Fields(g.pick(adjectives))[0])
	}
}

// Queries returns n queries generated from seed.
func Queries(seed uint64, n int) []string {
	g := NewGenerator(seed)
	out := make([]string, n)
	for i := range out {
		out[i] = g.Query()
	}
	return out
}
