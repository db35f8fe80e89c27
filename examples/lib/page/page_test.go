package page

import (
	"bytes"
	"strings"
	"testing"
)

func TestRenderInlinesStylesheetAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	err := Render(&buf, Page{
		Title:  "Q&A <draft>",
		Body:   "<h1 id=\"q-a\">Q&amp;A</h1>",
		TOC:    []TOCEntry{{Level: 1, Text: "Q&A", ID: "q-a"}},
		Footer: "rendered by test",
	})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"<title>Q&amp;A &lt;draft&gt;</title>",
		`<h1 id="q-a">Q&amp;A</h1>`,
		`<li class="toc-1"><a href="#q-a">Q&amp;A</a></li>`,
		"--accent: #0969da;",
		"<footer>rendered by test</footer>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRenderDefaultsAndOptionalParts(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, Page{Body: "<p>x</p>"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "<title>Untitled</title>") || strings.Contains(out, "<nav") || strings.Contains(out, "<footer") {
		t.Errorf("unexpected output:\n%s", out)
	}
}

func TestIndexAndStylesheet(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderIndex(&buf, Index{Service: "mdserver", Endpoint: "/render", Sample: "# Hi </textarea>"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `action="/render?page=1"`) || !strings.Contains(buf.String(), "# Hi &lt;/textarea&gt;") {
		t.Errorf("index page:\n%s", buf.String())
	}
	if !bytes.HasPrefix(Stylesheet(), []byte("/* Stylesheet")) {
		t.Error("embedded stylesheet missing")
	}
	if names, _ := templateFS.ReadDir("assets/templates"); len(names) != 2 {
		t.Errorf("embedded templates: %v", names)
	}
}
