package corpus

import (
	"strings"
	"testing"
)

func TestDocumentsAreDeterministic(t *testing.T) {
	a := Documents(7, 20)
	b := Documents(7, 20)
	c := Documents(8, 20)
	same := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("document %d differs between runs with the same seed", i)
		}
		if a[i].Markdown == c[i].Markdown {
			same++
		}
	}
	if same == len(a) {
		t.Fatal("different seeds produced the same documents")
	}
}

func TestDocumentShape(t *testing.T) {
	docs := Documents(1, 200)
	total := 0
	seen := map[string]bool{}
	var hasCode, hasList, hasQuote, hasRef bool
	for _, d := range docs {
		if seen[d.ID] {
			t.Fatalf("duplicate ID %s", d.ID)
		}
		seen[d.ID] = true
		if !strings.HasPrefix(d.Markdown, "# "+d.Title+"\n") {
			t.Fatalf("%s does not start with its title: %.60q", d.ID, d.Markdown)
		}
		total += len(d.Markdown)
		hasCode = hasCode || strings.Contains(d.Markdown, "\n```go\n")
		hasList = hasList || strings.Contains(d.Markdown, "\n- ")
		hasQuote = hasQuote || strings.Contains(d.Markdown, "\n> **Note:**")
		hasRef = hasRef || strings.Contains(d.Markdown, "]: https://")
	}
	if !hasCode || !hasList || !hasQuote || !hasRef {
		t.Errorf("corpus lacks a construct: code=%v list=%v quote=%v refs=%v", hasCode, hasList, hasQuote, hasRef)
	}
	if avg := total / len(docs); avg < 1000 || avg > 20000 {
		t.Errorf("average document size %d bytes is unrealistic", avg)
	}
}

func TestQueries(t *testing.T) {
	qs := Queries(3, 500)
	kinds := map[string]int{}
	for _, q := range qs {
		switch {
		case strings.HasPrefix(q, `"`):
			kinds["phrase"]++
		case strings.HasPrefix(q, "+"):
			kinds["required"]++
		case strings.Contains(q, " -"):
			kinds["excluded"]++
		default:
			kinds["plain"]++
		}
		if strings.TrimSpace(q) == "" {
			t.Fatal("empty query")
		}
	}
	for _, k := range []string{"phrase", "required", "excluded", "plain"} {
		if kinds[k] == 0 {
			t.Errorf("no %s queries in %v", k, kinds)
		}
	}
}

func TestThirdPerson(t *testing.T) {
	cases := map[string]string{"retry": "retries", "deploy": "deploys", "compress": "compresses", "cache": "caches", "batch": "batches"}
	for in, want := range cases {
		if got := thirdPerson(in); got != want {
			t.Errorf("thirdPerson(%q) = %q, want %q", in, got, want)
		}
	}
}
