package htmlutil

import (
	"bytes"
	"strings"
	"testing"
)

func TestEscapeString(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{"a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"},
		{`say "hi" it's`, "say &quot;hi&quot; it&#39;s"},
		{"nul\x00byte", "nul\uFFFDbyte"},
		{"héllo wörld", "héllo wörld"},
	}
	for _, c := range cases {
		if got := EscapeString(c.in); got != c.want {
			t.Errorf("EscapeString(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := NeedsEscape(c.in); got != (c.in != c.want) {
			t.Errorf("NeedsEscape(%q) = %v", c.in, got)
		}
	}
}

func TestEscapeStringReturnsInputWhenClean(t *testing.T) {
	s := strings.Repeat("abc", 10)
	if got := EscapeString(s); got != s {
		t.Fatalf("got %q", got)
	}
	if n := testing.AllocsPerRun(100, func() { _ = EscapeString(s) }); n != 0 {
		t.Fatalf("EscapeString allocated %v times for a clean string", n)
	}
}

func TestSafeURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://go.dev/doc", "https://go.dev/doc"},
		{"/relative/path?x=1", "/relative/path?x=1"},
		{"#section", "#section"},
		{"javascript:alert(1)", "#"},
		{"  JavaScript:alert(1)", "#"},
		{"java\tscript:alert(1)", "#"},
		{"vbscript:msgbox", "#"},
		{"data:text/html;base64,xxx", "#"},
		{"data:image/png;base64,iVBOR", "data:image/png;base64,iVBOR"},
		{"data:image/svg+xml,<svg/>", "#"},
		{"mailto:team@example.com", "mailto:team@example.com"},
	}
	for _, c := range cases {
		if got := SafeURL(c.in); got != c.want {
			t.Errorf("SafeURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAppendURL(t *testing.T) {
	got := string(AppendURL(nil, `/a b/ü?q="x"&y='z'`))
	want := "/a%20b/%C3%BC?q=%22x%22&amp;y=&#39;z&#39;"
	if got != want {
		t.Fatalf("AppendURL = %q, want %q", got, want)
	}
}

func TestWriter(t *testing.T) {
	var w Writer
	w.OpenAttrs("a", "href", "/x?a=1&b=2", "title", "", "class", `q"uote`)
	w.Text("1 < 2")
	w.Close("a")
	w.Newline()
	w.Raw("<img")
	w.URLAttr("src", "javascript:evil()")
	w.Raw(">")
	want := `<a href="/x?a=1&amp;b=2" class="q&quot;uote">1 &lt; 2</a>` + "\n" + `<img src="#">`
	if got := w.String(); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	var out bytes.Buffer
	n, err := w.WriteTo(&out)
	if err != nil || int(n) != len(want) || out.String() != want {
		t.Fatalf("WriteTo = %d, %v, %q", n, err, out.String())
	}
	capBefore := cap(w.Bytes())
	w.Reset()
	if w.Len() != 0 || cap(w.Bytes()) != capBefore {
		t.Fatalf("Reset: len %d cap %d, want 0 and %d", w.Len(), cap(w.Bytes()), capBefore)
	}
}
