package markdown_test

import (
	"strings"
	"testing"

	"example.com/examples/lib/markdown"
)

// renderCases pin the HTML for each construct the renderer supports. The
// expected output follows CommonMark's reference renderer wherever this
// package implements the construct.
var renderCases = []struct {
	name string
	in   string
	want string
}{
	{"empty", "", ""},
	{"paragraph", "Hello world.", "<p>Hello world.</p>\n"},
	{"two paragraphs", "one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n"},
	{"atx headings", "# One\n### Three ###\n####### seven", "<h1>One</h1>\n<h3>Three</h3>\n<p>####### seven</p>\n"},
	{"atx needs space", "#hashtag", "<p>#hashtag</p>\n"},
	{"setext headings", "Title\n=====\nSub\n---", "<h1>Title</h1>\n<h2>Sub</h2>\n"},
	{"emphasis", "*em* and _em_ and **strong** and __strong__", "<p><em>em</em> and <em>em</em> and <strong>strong</strong> and <strong>strong</strong></p>\n"},
	{"nested emphasis", "***both*** and *a **b** c*", "<p><em><strong>both</strong></em> and <em>a <strong>b</strong> c</em></p>\n"},
	{"intraword underscore", "snake_case_name and 2*3*4", "<p>snake_case_name and 2<em>3</em>4</p>\n"},
	{"unmatched delimiters", "a * b ** c _", "<p>a * b ** c _</p>\n"},
	{"code span", "use `go build` and ``a ` b``", "<p>use <code>go build</code> and <code>a ` b</code></p>\n"},
	{"code span is literal", "`*not em* <b>`", "<p><code>*not em* &lt;b&gt;</code></p>\n"},
	{"html is escaped", "<script>alert('x')</script> & co", "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</p>\n"},
	{"backslash escapes", `\*not em\* \[x\] \\`, "<p>*not em* [x] \\</p>\n"},
	{"hard breaks", "line one  \nline two\\\nline three", "<p>line one<br />\nline two<br />\nline three</p>\n"},
	{"inline link", `see [the docs](https://go.dev/doc "Go docs") now`, `<p>see <a href="https://go.dev/doc" title="Go docs">the docs</a> now</p>` + "\n"},
	{"link with emphasis", "[**bold** link](/x)", `<p><a href="/x"><strong>bold</strong> link</a></p>` + "\n"},
	{"link dest with parens and spaces", "[a](</my file.md>) [b](/wiki/Go_(language))", `<p><a href="/my%20file.md">a</a> <a href="/wiki/Go_(language)">b</a></p>` + "\n"},
	{"unsafe link", "[click](javascript:alert(1))", `<p><a href="#">click</a></p>` + "\n"},
	{"links do not nest", "[a [b](c) d](e) ![x [y](z)](w)", `<p>[a <a href="c">b</a> d](e) <img src="w" alt="x y" /></p>` + "\n"},
	{"not a link", "[just brackets] and [x](", "<p>[just brackets] and [x](</p>\n"},
	{"reference links", "[full][go], [Go][], [go] and [missing][nope]\n\n[Go]: https://go.dev \"The Go site\"", `<p><a href="https://go.dev" title="The Go site">full</a>, <a href="https://go.dev" title="The Go site">Go</a>, <a href="https://go.dev" title="The Go site">go</a> and [missing][nope]</p>` + "\n"},
	{"image", `![a *cat*](/img/cat.png "Cat")`, `<p><img src="/img/cat.png" alt="a cat" title="Cat" /></p>` + "\n"},
	{"autolinks", "<https://example.com/a?b=1&c=2> <ops@example.com>", `<p><a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a> <a href="mailto:ops@example.com">ops@example.com</a></p>` + "\n"},
	{"bare url", "Visit https://go.dev/blog/pgo. Or (http://x.io/a).", `<p>Visit <a href="https://go.dev/blog/pgo">https://go.dev/blog/pgo</a>. Or (<a href="http://x.io/a">http://x.io/a</a>).</p>` + "\n"},
	{"thematic breaks", "a\n\n---\n* * *\n___", "<p>a</p>\n<hr />\n<hr />\n<hr />\n"},
	{"fenced code", "```go\nfunc main() {\n\tfmt.Println(\"<hi>\")\n}\n```", "<pre><code class=\"language-go\">func main() {\n\tfmt.Println(&quot;&lt;hi&gt;&quot;)\n}\n</code></pre>\n"},
	{"tilde fence keeps backticks", "~~~\n```\n~~~", "<pre><code>```\n</code></pre>\n"},
	{"unclosed fence runs to end", "```\ncode\n\nmore", "<pre><code>code\n\nmore\n</code></pre>\n"},
	{"indented code", "    $ go build\n\n    $ go test\ntext", "<pre><code>$ go build\n\n$ go test\n</code></pre>\n<p>text</p>\n"},
	{"tight bullet list", "- one\n- two\n- three", "<ul>\n<li>one</li>\n<li>two</li>\n<li>three</li>\n</ul>\n"},
	{"loose bullet list", "* one\n\n* two", "<ul>\n<li>\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>\n"},
	{"ordered list with start", "3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"},
	{"nested lists", "1. first\n   - a\n   - b\n2. second\n    1. deep", "<ol>\n<li>first\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n</li>\n<li>second\n<ol>\n<li>deep</li>\n</ol>\n</li>\n</ol>\n"},
	{"list item with code and paragraphs", "- item\n\n  ```sh\n  make\n  ```\n- next", "<ul>\n<li>\n<p>item</p>\n<pre><code class=\"language-sh\">make\n</code></pre>\n</li>\n<li>\n<p>next</p>\n</li>\n</ul>\n"},
	{"lazy list continuation", "- long item\ncontinues here\n- b", "<ul>\n<li>long item\ncontinues here</li>\n<li>b</li>\n</ul>\n"},
	{"list then paragraph", "- a\n- b\n\nafter", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<p>after</p>\n"},
	{"changing bullet starts new list", "- a\n+ b", "<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n</ul>\n"},
	{"number does not interrupt paragraph", "The answer is\n42. Really.", "<p>The answer is\n42. Really.</p>\n"},
	{"blockquote", "> quoted *text*\ncontinued\n>\n> - item", "<blockquote>\n<p>quoted <em>text</em>\ncontinued</p>\n<ul>\n<li>item</li>\n</ul>\n</blockquote>\n"},
	{"nested blockquote", "> a\n>> b", "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n"},
	{"crlf and tabs", "-\tone\r\n-\ttwo\r\n", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"},
}

func TestToHTML(t *testing.T) {
	for _, c := range renderCases {
		t.Run(c.name, func(t *testing.T) {
			if got := markdown.ToHTML([]byte(c.in)); got != c.want {
				t.Errorf("input:\n%s\ngot:\n%s\nwant:\n%s", c.in, got, c.want)
			}
		})
	}
}

func TestRendererReuseAndOptions(t *testing.T) {
	r := markdown.NewRenderer(markdown.Options{HeadingIDs: true, NoFollowLinks: true})
	first := string(r.Render([]byte("# Intro\n\n## Intro\n\n## Intro\n\n[x](https://x.io)")))
	want := `<h1 id="intro">Intro</h1>` + "\n" + `<h2 id="intro-1">Intro</h2>` + "\n" + `<h2 id="intro-2">Intro</h2>` + "\n" +
		`<p><a href="https://x.io" rel="nofollow">x</a></p>` + "\n"
	if first != want {
		t.Fatalf("got:\n%s\nwant:\n%s", first, want)
	}
	second := string(r.Render([]byte("plain")))
	if second != "<p>plain</p>\n" {
		t.Fatalf("second render on a reused Renderer = %q", second)
	}
	var sb strings.Builder
	if err := r.RenderTo(&sb, []byte("*x*")); err != nil || sb.String() != "<p><em>x</em></p>\n" {
		t.Fatalf("RenderTo = %q, %v", sb.String(), err)
	}
}

func TestDocumentOutline(t *testing.T) {
	doc := markdown.Parse([]byte("Intro text\n\n# The *Fast* Path\n\n## Setup `go`\n\nBody.\n\n## Setup go\n"))
	if got := doc.Title(); got != "The Fast Path" {
		t.Errorf("Title() = %q", got)
	}
	want := []markdown.Heading{
		{Level: 1, Text: "The Fast Path", ID: "the-fast-path"},
		{Level: 2, Text: "Setup go", ID: "setup-go"},
		{Level: 2, Text: "Setup go", ID: "setup-go-1"},
	}
	got := doc.Headings()
	if len(got) != len(want) {
		t.Fatalf("Headings() = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("heading %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if markdown.Parse([]byte("no headings")).Title() != "" {
		t.Error("Title() of a document without h1 should be empty")
	}
}

func TestPlainText(t *testing.T) {
	doc := markdown.Parse([]byte("# Title\n\nSome **bold** [link](/x).\n\n- item *one*\n\n```\ncode()\n```\n\n> quote"))
	want := "Title\nSome bold link.\nitem one\ncode()\nquote\n"
	if got := doc.PlainText(); got != want {
		t.Fatalf("PlainText() = %q, want %q", got, want)
	}
}
