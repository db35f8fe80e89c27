package markdown

import "testing"

// These tests cover the inline scanner's helpers directly; the rendering
// table in render_test.go covers them only through whole documents.

func TestFlanking(t *testing.T) {
	cases := []struct {
		s                   string
		start, end          int
		wantOpen, wantClose bool
	}{
		{"*a", 0, 1, true, false},
		{"a*", 1, 2, false, true},
		{"a*b", 1, 2, true, true},
		{"a_b", 1, 2, false, false}, // intraword underscore
		{"a * b", 2, 3, false, false},
		{`"*a*"`, 1, 2, true, false},
	}
	for _, c := range cases {
		open, closing := flanking(c.s, c.start, c.end, c.s[c.start])
		if open != c.wantOpen || closing != c.wantClose {
			t.Errorf("flanking(%q, %d) = %v,%v want %v,%v", c.s, c.start, open, closing, c.wantOpen, c.wantClose)
		}
	}
}

func TestParseListMarker(t *testing.T) {
	cases := []struct {
		line    string
		ok      bool
		ordered bool
		start   int
		indent  int
		content string
	}{
		{"- item", true, false, 0, 2, "item"},
		{"  *   spaced", true, false, 0, 6, "spaced"},
		{"12. twelve", true, true, 12, 4, "twelve"},
		{"1) paren", true, true, 1, 3, "paren"},
		{"-", true, false, 0, 2, ""},
		{"-no space", false, false, 0, 0, ""},
		{"1234567890. too long", false, false, 0, 0, ""},
		{"    - code", false, false, 0, 0, ""},
		{"-      indented code", true, false, 0, 2, "     indented code"},
	}
	for _, c := range cases {
		m, ok := parseListMarker(c.line)
		if ok != c.ok {
			t.Errorf("parseListMarker(%q) ok = %v", c.line, ok)
			continue
		}
		if ok && (m.ordered != c.ordered || m.start != c.start || m.contentIndent != c.indent || m.content != c.content) {
			t.Errorf("parseListMarker(%q) = %+v", c.line, m)
		}
	}
}

func TestBareURL(t *testing.T) {
	cases := map[string]int{
		"https://go.dev/doc/pgo rest":                  len("https://go.dev/doc/pgo"),
		"http://x.io.":                                 len("http://x.io"),
		"https://en.wikipedia.org/wiki/Go_(language))": len("https://en.wikipedia.org/wiki/Go_(language)"),
		"https://":  0,
		"hello":     0,
		"https://a": len("https://a"),
	}
	for in, want := range cases {
		if got := bareURL(in); got != want {
			t.Errorf("bareURL(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestParseRefDef(t *testing.T) {
	label, ref, ok := parseRefDef(`  [The  Go Blog]: <https://go.dev/blog> 'Blog'`)
	if !ok || label != "the go blog" || ref.dest != "https://go.dev/blog" || ref.title != "Blog" {
		t.Fatalf("parseRefDef = %q, %+v, %v", label, ref, ok)
	}
	for _, bad := range []string{"[x] : /y", "[]: /y", "[x]: /y trailing", "not a def"} {
		if _, _, ok := parseRefDef(bad); ok {
			t.Errorf("parseRefDef(%q) accepted", bad)
		}
	}
}
