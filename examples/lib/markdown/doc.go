// Package markdown parses Markdown documents and renders them to HTML.
//
// It covers the parts of CommonMark that real documents use: ATX and setext
// headings, paragraphs, emphasis and strong emphasis, inline code, fenced and
// indented code blocks, inline, reference and automatic links, images,
// ordered and unordered lists (nested, tight and loose), block quotes,
// thematic breaks, backslash escapes and hard line breaks.
//
// Raw HTML in the input is never passed through: it is escaped like any other
// text, and link destinations with script-capable schemes are neutralized, so
// the output is safe to embed in a page served to other users.
package markdown
