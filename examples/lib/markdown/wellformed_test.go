package markdown_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"example.com/examples/lib/corpus"
	"example.com/examples/lib/markdown"
)

// checkWellFormed fails when html is not well-formed: the renderer closes
// every element it opens and self-closes void elements, so its output must
// parse as XML.
func checkWellFormed(t *testing.T, name, html string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader("<root>" + html + "</root>"))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%s: output is not well-formed: %v\n%s", name, err, html)
		}
	}
}

func TestGeneratedCorpusRendersWellFormed(t *testing.T) {
	r := markdown.NewRenderer(markdown.Options{HeadingIDs: true})
	for _, doc := range corpus.Documents(42, 60) {
		html := string(r.Render([]byte(doc.Markdown)))
		checkWellFormed(t, doc.ID, html)
		if !strings.HasPrefix(html, "<h1 id=") {
			t.Fatalf("%s: expected to start with its h1, got %.80q", doc.ID, html)
		}
		if strings.Contains(html, "<script") || strings.Contains(html, "](http") {
			t.Fatalf("%s: raw markup leaked into the output", doc.ID)
		}
	}
}

func FuzzToHTML(f *testing.F) {
	for _, c := range renderCases {
		f.Add(c.in)
	}
	f.Add("- a\n  > b\n  > ```\n  > c\n- d")
	f.Add("*a **b *c* d** e*")
	f.Add("[a [b](c) d](e) ![x![y](z)](w)")
	f.Fuzz(func(t *testing.T, in string) {
		// XML cannot represent invalid UTF-8 or most control characters;
		// the renderer passes those through, so they are out of scope here.
		if !utf8.ValidString(in) || strings.ContainsFunc(in, func(r rune) bool {
			return (r < ' ' && r != '\n' && r != '\t' && r != '\r') || r == 0xFFFE || r == 0xFFFF
		}) {
			t.Skip()
		}
		checkWellFormed(t, "fuzz", markdown.ToHTML([]byte(in)))
	})
}

// BenchmarkRender renders a realistic mix of generated documents; it is the
// library-level view of mdserver's hot path, for PGO A/B comparisons.
func BenchmarkRender(b *testing.B) {
	docs := corpus.Documents(1, 100)
	var total int64
	srcs := make([][]byte, len(docs))
	for i, d := range docs {
		srcs[i] = []byte(d.Markdown)
		total += int64(len(srcs[i]))
	}
	r := markdown.NewRenderer(markdown.Options{HeadingIDs: true})
	b.SetBytes(total / int64(len(srcs)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Render(srcs[i%len(srcs)])
	}
}
