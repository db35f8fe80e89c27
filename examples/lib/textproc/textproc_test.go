package textproc

import (
	"reflect"
	"strings"
	"testing"
)

func tokenTexts(s string) []string {
	var out []string
	for _, t := range AppendTokens(nil, s) {
		if s[t.Start:t.End] != t.Text {
			panic("token offsets do not match its text")
		}
		out = append(out, t.Text)
	}
	return out
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ...  ", nil},
		{"Hello, world!", []string{"Hello", "world"}},
		{"don't stop-me now.", []string{"don't", "stop-me", "now"}},
		{"go1.26 v1.2.3 user_id", []string{"go1.26", "v1.2.3", "user_id"}},
		{"trailing-", []string{"trailing"}},
		{"naïve café — über", []string{"naïve", "café", "über"}},
		{"日本語 text", []string{"日本語", "text"}},
	}
	for _, c := range cases {
		if got := tokenTexts(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	cases := map[string]string{
		"hello":  "hello",
		"Hello":  "hello",
		"DON'T":  "dont",
		"Café":   "cafe",
		"Straße": "strasse",
		"ÜBER":   "uber",
	}
	for in, want := range cases {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(50, func() { _ = Normalize("already") }); n != 0 {
		t.Errorf("Normalize allocated %v times on clean input", n)
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"caresses":   "caress",
		"ponies":     "pony",
		"cats":       "cat",
		"class":      "class",
		"status":     "status",
		"running":    "run",
		"falling":    "fall",
		"indexed":    "index",
		"quickly":    "quick",
		"deployment": "deploy",
		"sing":       "sing",
		"go":         "go",
		"go1.26":     "go1.26",
	}
	for in, want := range cases {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnalyzerKeepsPositionsAcrossStopwords(t *testing.T) {
	var got []Term
	DefaultAnalyzer.Analyze("The Servers are Running in the cloud", func(term Term) { got = append(got, term) })
	want := []Term{
		{Text: "server", Pos: 1, Start: 4, End: 11},
		{Text: "run", Pos: 3, Start: 16, End: 23},
		{Text: "cloud", Pos: 6, Start: 31, End: 36},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Analyze = %+v\nwant %+v", got, want)
	}
	raw := (&Analyzer{KeepStopwords: true, NoStemming: true}).Terms("The Servers")
	if !reflect.DeepEqual(raw, []string{"the", "servers"}) {
		t.Fatalf("Terms without stemming = %q", raw)
	}
	long := strings.Repeat("x", 80)
	if terms := DefaultAnalyzer.Terms("short " + long); !reflect.DeepEqual(terms, []string{"short"}) {
		t.Fatalf("long term not dropped: %q", terms)
	}
}

func TestSlug(t *testing.T) {
	cases := map[string]string{
		"Getting Started with PGO!": "getting-started-with-pgo",
		"  Go 1.26: What's New  ":   "go-126-whats-new",
		"Café & Crème":              "cafe-creme",
		"!!!":                       "section",
	}
	for in, want := range cases {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
