package markdown

import (
	"io"
	"strconv"

	"example.com/examples/lib/htmlutil"
)

// Options control the HTML output.
type Options struct {
	// HeadingIDs adds an id attribute (a slug of the text) to headings, so
	// that "#section" links work.
	HeadingIDs bool
	// NoFollowLinks adds rel="nofollow" to links, for user-generated content.
	NoFollowLinks bool
}

// Renderer renders documents to HTML. A Renderer reuses its output buffer
// across calls, so a server keeps one per goroutine (or in a sync.Pool) and
// stops allocating once warm. It is not safe for concurrent use.
type Renderer struct {
	opts Options
	w    htmlutil.Writer
	doc  *Document
}

// NewRenderer returns a Renderer with the given options.
func NewRenderer(opts Options) *Renderer {
	return &Renderer{opts: opts}
}

// Render parses src and renders it. The returned slice aliases the
// Renderer's buffer and is valid until the next call.
func (r *Renderer) Render(src []byte) []byte {
	return r.RenderDocument(Parse(src))
}

// RenderDocument renders an already parsed document. The returned slice
// aliases the Renderer's buffer and is valid until the next call.
func (r *Renderer) RenderDocument(doc *Document) []byte {
	r.w.Reset()
	r.doc = doc
	r.blocks(doc.blocks)
	r.doc = nil
	return r.w.Bytes()
}

// RenderTo renders src and writes the HTML to dst.
func (r *Renderer) RenderTo(dst io.Writer, src []byte) error {
	_, err := dst.Write(r.Render(src))
	return err
}

// ToHTML renders src with default options; a convenience for one-off use.
func ToHTML(src []byte) string {
	var r Renderer
	return string(r.Render(src))
}

func (r *Renderer) blocks(bs []block) {
	for _, b := range bs {
		b.render(r)
	}
}

var headingTags = [...]string{"h1", "h1", "h2", "h3", "h4", "h5", "h6"}

func (h *heading) render(r *Renderer) {
	tag := headingTags[h.level]
	if r.opts.HeadingIDs {
		r.w.OpenAttrs(tag, "id", h.id)
	} else {
		r.w.Open(tag)
	}
	r.inline(h.text)
	r.w.Close(tag)
	r.w.Newline()
}

func (p *paragraph) render(r *Renderer) {
	r.w.Open("p")
	r.inline(p.text)
	r.w.Close("p")
	r.w.Newline()
}

func (c *codeBlock) render(r *Renderer) {
	r.w.Raw("<pre><code")
	if c.info != "" {
		r.w.Attr("class", "language-"+c.info)
	}
	r.w.RawByte('>')
	r.w.Text(c.code)
	r.w.Raw("</code></pre>\n")
}

func (thematicBreak) render(r *Renderer) {
	r.w.Raw("<hr />\n")
}

func (q *blockquote) render(r *Renderer) {
	r.w.Raw("<blockquote>\n")
	r.blocks(q.blocks)
	r.w.Raw("</blockquote>\n")
}

func (l *list) render(r *Renderer) {
	tag := "ul"
	if l.ordered {
		tag = "ol"
		if l.start != 1 {
			r.w.OpenAttrs(tag, "start", strconv.Itoa(l.start))
		} else {
			r.w.Open(tag)
		}
	} else {
		r.w.Open(tag)
	}
	r.w.Newline()
	for _, item := range l.items {
		r.w.Open("li")
		for i, b := range item {
			if p, ok := b.(*paragraph); ok && l.tight {
				// Tight lists put paragraph text directly in the <li>.
				r.inline(p.text)
				if i+1 < len(item) {
					r.w.Newline()
				}
				continue
			}
			if i == 0 {
				r.w.Newline()
			}
			b.render(r)
		}
		r.w.Close("li")
		r.w.Newline()
	}
	r.w.Close(tag)
	r.w.Newline()
}

// inline parses and renders inline Markdown.
func (r *Renderer) inline(s string) {
	var refs map[string]linkRef
	if r.doc != nil {
		refs = r.doc.refs
	}
	r.inlines(parseInline(s, refs))
}

func (r *Renderer) inlines(nodes []*inode) {
	for _, n := range nodes {
		switch n.kind {
		case inText, inBracket:
			r.w.Text(n.text)
		case inDelim:
			if n.count > 0 {
				r.w.Raw(n.text[:n.count])
			}
		case inCode:
			r.w.Raw("<code>")
			r.w.Text(n.text)
			r.w.Raw("</code>")
		case inEmph:
			r.w.Raw("<em>")
			r.inlines(n.children)
			r.w.Raw("</em>")
		case inStrong:
			r.w.Raw("<strong>")
			r.inlines(n.children)
			r.w.Raw("</strong>")
		case inLink:
			r.w.Raw("<a")
			r.w.URLAttr("href", n.dest)
			if n.title != "" {
				r.w.Attr("title", n.title)
			}
			if r.opts.NoFollowLinks {
				r.w.Raw(` rel="nofollow"`)
			}
			r.w.RawByte('>')
			r.inlines(n.children)
			r.w.Raw("</a>")
		case inImage:
			r.w.Raw("<img")
			r.w.URLAttr("src", n.dest)
			r.w.Attr("alt", plainText(n.children))
			if n.title != "" {
				r.w.Attr("title", n.title)
			}
			r.w.Raw(" />")
		case inHardBreak:
			r.w.Raw("<br />\n")
		case inSoftBreak:
			r.w.Newline()
		default:
			panic("markdown: unknown inline kind " + strconv.Itoa(int(n.kind)))
		}
	}
}
