package markdown

// block is one block-level element of a parsed document. The set is closed:
// only this package implements it.
type block interface {
	render(r *Renderer)
}

// heading is an ATX ("## Title") or setext (underlined) heading.
type heading struct {
	level int
	text  string // raw inline Markdown
	id    string // anchor, assigned once all headings are known
	plain string // text without markup
}

// paragraph is a run of text lines; text keeps the line breaks.
type paragraph struct {
	text string
}

// codeBlock is a fenced or indented code block; code ends with a newline
// unless empty.
type codeBlock struct {
	info string // first word of the fence info string, e.g. "go"
	code string
}

// list is an ordered or bullet list. A tight list renders its items'
// paragraphs without <p> tags.
type list struct {
	ordered bool
	start   int
	tight   bool
	items   [][]block
}

// blockquote is a "> " quoted run of blocks.
type blockquote struct {
	blocks []block
}

// thematicBreak is a horizontal rule ("---", "***", "___").
type thematicBreak struct{}

// linkRef is the target of a reference definition "[label]: dest "title"".
type linkRef struct {
	dest, title string
}

// Heading describes a heading of a parsed document, for tables of contents.
type Heading struct {
	// Level is 1 for <h1> through 6 for <h6>.
	Level int
	// Text is the heading text without Markdown markup.
	Text string
	// ID is the unique anchor the renderer uses when Options.HeadingIDs is set.
	ID string
}

// Document is a parsed Markdown document. It is immutable once Parse
// returns and may be rendered any number of times, concurrently.
type Document struct {
	blocks   []block
	refs     map[string]linkRef
	headings []*heading
}

// Headings returns the document's headings in order.
func (d *Document) Headings() []Heading {
	out := make([]Heading, len(d.headings))
	for i, h := range d.headings {
		out[i] = Heading{Level: h.level, Text: h.plain, ID: h.id}
	}
	return out
}

// Title returns the text of the first level-1 heading, or "" if none.
func (d *Document) Title() string {
	for _, h := range d.headings {
		if h.level == 1 {
			return h.plain
		}
	}
	return ""
}
