package markdown

import (
	"strings"

	"example.com/examples/lib/textproc"
)

// plainText concatenates the text of an inline tree without markup.
func plainText(nodes []*inode) string {
	var b strings.Builder
	appendPlain(&b, nodes)
	return b.String()
}

func appendPlain(b *strings.Builder, nodes []*inode) {
	for _, n := range nodes {
		switch n.kind {
		case inText, inCode, inBracket:
			b.WriteString(n.text)
		case inDelim:
			b.WriteString(n.text[:n.count])
		case inEmph, inStrong, inLink, inImage:
			appendPlain(b, n.children)
		case inHardBreak, inSoftBreak:
			b.WriteByte(' ')
		}
	}
}

// plainInline returns the text of inline Markdown without markup.
func plainInline(s string, refs map[string]linkRef) string {
	return plainText(parseInline(s, refs))
}

// slugify makes a heading anchor from its plain text.
func slugify(s string) string {
	return textproc.Slug(s)
}

// PlainText returns the text content of a document without markup: one
// line per paragraph, heading, list item paragraph and code line. Search
// indexes it instead of the raw Markdown so that syntax is not indexed.
func (d *Document) PlainText() string {
	var b strings.Builder
	d.appendBlocksText(&b, d.blocks)
	return b.String()
}

func (d *Document) appendBlocksText(b *strings.Builder, blocks []block) {
	for _, bl := range blocks {
		switch x := bl.(type) {
		case *heading:
			b.WriteString(x.plain)
			b.WriteByte('\n')
		case *paragraph:
			appendPlain(b, parseInline(x.text, d.refs))
			b.WriteByte('\n')
		case *codeBlock:
			b.WriteString(x.code)
		case *list:
			for _, item := range x.items {
				d.appendBlocksText(b, item)
			}
		case *blockquote:
			d.appendBlocksText(b, x.blocks)
		case thematicBreak:
		}
	}
}
