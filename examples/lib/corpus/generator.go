package corpus

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Generator produces documents and queries from a seeded random source. It
// is not safe for concurrent use; give each goroutine its own.
type Generator struct {
	r *rand.Rand
}

// NewGenerator returns a Generator seeded with seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Rand exposes the underlying random source, for callers that need extra
// decisions consistent with the same seed.
func (g *Generator) Rand() *rand.Rand { return g.r }

// skewed returns an index in [0, n) biased toward small values, so a few
// words are frequent and most are rare, as in natural text.
func (g *Generator) skewed(n int) int {
	return int(float64(n) * math.Pow(g.r.Float64(), 2.5))
}

func (g *Generator) pick(words []string) string {
	return words[g.skewed(len(words))]
}

func (g *Generator) uniform(words []string) string {
	return words[g.r.IntN(len(words))]
}

// Word returns a random vocabulary word.
func (g *Generator) Word() string {
	switch g.r.IntN(3) {
	case 0:
		return g.pick(verbs)
	case 1:
		return g.pick(adjectives)
	default:
		return g.pick(nouns)
	}
}

// Title returns a heading-like phrase such as "Reduce hot cache latency".
func (g *Generator) Title() string {
	var parts []string
	parts = append(parts, capitalize(g.pick(verbs)))
	if g.r.IntN(2) == 0 {
		parts = append(parts, g.pick(adjectives))
	}
	parts = append(parts, g.pick(nouns))
	if g.r.IntN(3) == 0 {
		parts = append(parts, "for", g.uniform(teams))
	}
	return strings.Join(parts, " ")
}

// Sentence returns a plain sentence of roughly 8–25 words.
func (g *Generator) Sentence() string {
	var b strings.Builder
	b.WriteString(capitalize(fmt.Sprintf("the %s %s", g.pick(adjectives), g.pick(nouns))))
	b.WriteString(" ")
	b.WriteString(thirdPerson(g.pick(verbs)))
	b.WriteString(" the ")
	b.WriteString(g.pick(nouns))
	for k := g.r.IntN(3); k > 0; k-- {
		fmt.Fprintf(&b, " %s the %s %s %s", g.uniform(connectors), g.pick(nouns), thirdPerson(g.pick(verbs)), g.pick(nouns))
	}
	if g.r.IntN(4) == 0 {
		fmt.Fprintf(&b, " by %d%%", 1+g.r.IntN(60))
	}
	b.WriteString(".")
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// thirdPerson conjugates a verb for "the service ___ the cache".
func thirdPerson(v string) string {
	switch {
	case strings.HasSuffix(v, "y") && len(v) > 1 && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		return v[:len(v)-1] + "ies"
	case strings.HasSuffix(v, "s"), strings.HasSuffix(v, "sh"), strings.HasSuffix(v, "ch"), strings.HasSuffix(v, "x"):
		return v + "es"
	default:
		return v + "s"
	}
}
