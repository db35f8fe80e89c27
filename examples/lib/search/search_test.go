package search

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"example.com/examples/lib/corpus"
	"example.com/examples/lib/textproc"
)

func testIndex() *Index {
	ix := NewIndex(nil)
	ix.Add(Document{ID: "pgo", Title: "Profile-guided optimization", Body: "Build the service with a CPU profile. The compiler inlines hot functions using the profile."})
	ix.Add(Document{ID: "cache", Title: "Cache tuning", Body: "The cache hit ratio dropped. Increase the cache size and watch latency."})
	ix.Add(Document{ID: "latency", Title: "Latency budget", Body: "Every request has a latency budget. Hot paths must stay fast; the cache helps."})
	ix.Add(Document{ID: "oncall", Title: "On-call runbook", Body: "When paged, check the dashboard, then the logs. Restart the worker if stuck."})
	return ix
}

func ids(r Results) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearchRanking(t *testing.T) {
	ix := testIndex()
	cases := []struct {
		query string
		want  []string
		total int
	}{
		// "cache" occurs in the title and twice in the body of "cache".
		{"cache", []string{"cache", "latency"}, 2},
		{"profiles", []string{"pgo"}, 1}, // stemming: profiles → profile
		{"latency budget", []string{"latency", "cache"}, 2},
		{"+latency budget", []string{"latency", "cache"}, 2},
		{"+budget +latency", []string{"latency"}, 1},
		{"+budget cache", []string{"latency"}, 1},
		{"cache -budget", []string{"cache"}, 1},
		{`"hot paths"`, []string{"latency"}, 1},
		{`"paths hot"`, nil, 0},
		{"the and of", nil, 0}, // only stop words
		{"nonexistent", nil, 0},
		{"", nil, 0},
	}
	for _, c := range cases {
		r := ix.Search(c.query, 10)
		if got := ids(r); strings.Join(got, ",") != strings.Join(c.want, ",") || r.Total != c.total {
			t.Errorf("Search(%q) = %v (total %d), want %v (total %d); query %q", c.query, got, r.Total, c.want, c.total, r.Query)
		}
	}
}

func TestSearchLimitAndDeterministicTies(t *testing.T) {
	ix := NewIndex(nil)
	for i := 0; i < 50; i++ {
		ix.Add(Document{ID: fmt.Sprintf("d%02d", i), Title: "same", Body: "identical body text"})
	}
	r := ix.Search("identical", 5)
	if r.Total != 50 || strings.Join(ids(r), ",") != "d00,d01,d02,d03,d04" {
		t.Fatalf("got %v total %d", ids(r), r.Total)
	}
}

func TestReplaceAndDelete(t *testing.T) {
	ix := testIndex()
	ix.Add(Document{ID: "cache", Title: "Renamed", Body: "nothing about caching here"})
	if r := ix.Search("ratio", 10); r.Total != 0 {
		t.Fatalf("replaced document still matches old text: %v", ids(r))
	}
	if d, ok := ix.Get("cache"); !ok || d.Title != "Renamed" {
		t.Fatalf("Get = %+v, %v", d, ok)
	}
	if !ix.Delete("oncall") || ix.Delete("oncall") {
		t.Fatal("Delete should succeed once")
	}
	if r := ix.Search("dashboard", 10); r.Total != 0 {
		t.Fatal("deleted document still matches")
	}
	s := ix.Stats()
	if s.Documents != 3 || s.Tombstones != 2 || ix.Len() != 3 || s.Terms == 0 || s.Postings < s.Terms {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestParseQuery(t *testing.T) {
	q := ParseQuery(`Caching +Servers -"ignored phrase" "hot  PATHS" -old the`, nil)
	if got, want := q.String(), `cach +server -"ignor phrase" +"hot path" -old`; got != want {
		t.Fatalf("ParseQuery = %q, want %q", got, want)
	}
	if unterminated := ParseQuery(`"open phrase`, nil).String(); unterminated != `+"open phrase"` {
		t.Fatalf("unterminated phrase = %q", unterminated)
	}
}

func TestSnippet(t *testing.T) {
	body := strings.Repeat("filler words here. ", 40) + "The <cache> hit ratio matters for the cache." + strings.Repeat(" more filler text", 40)
	s := Snippet(textproc.DefaultAnalyzer, body, []string{"cache", "ratio"}, 12)
	if !strings.Contains(s, "The &lt;<mark>cache</mark>&gt; hit <mark>ratio</mark> matters for the <mark>cache</mark>") {
		t.Fatalf("snippet = %q", s)
	}
	if !strings.HasPrefix(s, "… ") || !strings.HasSuffix(s, " …") {
		t.Fatalf("snippet should show both cuts: %q", s)
	}
	if got := Snippet(textproc.DefaultAnalyzer, "the and", []string{"x"}, 5); got != "the and" {
		t.Fatalf("stop-word-only snippet = %q", got)
	}
}

func TestConcurrentAddAndSearch(t *testing.T) {
	ix := testIndex()
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				ix.Add(Document{ID: fmt.Sprintf("w%d-%d", w, i), Title: "cache note", Body: "cache entry"})
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				if r := ix.Search("cache", 3); len(r.Hits) == 0 {
					t.Error("no hits during concurrent writes")
					return
				}
			}
		}()
	}
	wg.Wait()
	if ix.Len() != 404 {
		t.Fatalf("Len = %d", ix.Len())
	}
}

// BenchmarkSearch runs generated queries against an index of generated
// documents: searchd's hot path without HTTP.
func BenchmarkSearch(b *testing.B) {
	ix := NewIndex(nil)
	for _, d := range corpus.Documents(1, 500) {
		ix.Add(Document{ID: d.ID, Title: d.Title, Body: d.Markdown})
	}
	queries := corpus.Queries(2, 200)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ix.Search(queries[i%len(queries)], 10)
	}
}
