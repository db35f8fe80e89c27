package textproc

import "strings"

// Slug turns a heading or title into a URL fragment: lowercase tokens joined
// by hyphens ("Getting Started with PGO!" → "getting-started-with-pgo").
// Stop words are kept and nothing is stemmed, so slugs read naturally.
func Slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	Tokenize(s, func(t Token) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		for _, r := range Normalize(t.Text) {
			if r == '.' || r == '\'' {
				continue
			}
			b.WriteRune(r)
		}
	})
	if b.Len() == 0 {
		return "section"
	}
	return b.String()
}
