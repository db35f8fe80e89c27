package markdown

import (
	"strconv"
	"strings"
)

// parser carries the document-wide state of one Parse call.
type parser struct {
	refs     map[string]linkRef
	headings []*heading
}

// Parse parses a Markdown document. It never fails: like every Markdown
// implementation, anything it does not recognize is text.
func Parse(src []byte) *Document {
	p := &parser{refs: map[string]linkRef{}}
	blocks, _ := p.parseBlocks(splitLines(string(src)))
	doc := &Document{blocks: blocks, refs: p.refs, headings: p.headings}
	assignHeadingIDs(doc)
	return doc
}

// parseBlocks parses a run of lines of one container (the document, a block
// quote or a list item). separated reports whether a blank line separates
// two of the blocks directly, which makes an enclosing list loose.
func (p *parser) parseBlocks(lines []string) (blocks []block, separated bool) {
	var para []string
	pendingBlank := false
	add := func(b block) {
		if pendingBlank && len(blocks) > 0 {
			separated = true
		}
		pendingBlank = false
		blocks = append(blocks, b)
	}
	flush := func() {
		if len(para) == 0 {
			return
		}
		if text := p.extractRefs(para); text != "" {
			add(&paragraph{text: text})
		}
		para = para[:0]
	}

	for i := 0; i < len(lines); {
		line := lines[i]
		if isBlank(line) {
			flush()
			pendingBlank = true
			i++
			continue
		}
		ind := indentOf(line)

		if ind >= 4 {
			if len(para) > 0 {
				// An indented line cannot interrupt a paragraph.
				para = append(para, trimIndent(line))
				i++
				continue
			}
			code, next := indentedCode(lines, i)
			add(&codeBlock{code: code})
			i = next
			continue
		}

		if len(para) > 0 {
			if level := setextLevel(line); level > 0 {
				text := strings.Join(para, "\n")
				para = para[:0]
				if text = p.extractRefs(strings.Split(text, "\n")); text != "" {
					add(p.newHeading(level, text))
				} else {
					// The whole paragraph was reference definitions, so the
					// underline is a paragraph of its own (or a rule).
					if isThematicBreak(line) {
						add(thematicBreak{})
					} else {
						para = append(para, strings.TrimSpace(line))
					}
				}
				i++
				continue
			}
		}

		if ch, n, fenceIndent, info, ok := fenceOpen(line); ok {
			flush()
			var code strings.Builder
			i++
			for i < len(lines) && !isFenceClose(lines[i], ch, n) {
				code.WriteString(stripColumns(lines[i], fenceIndent))
				code.WriteByte('\n')
				i++
			}
			i++ // skip the closing fence (or step past the end)
			add(&codeBlock{info: info, code: code.String()})
			continue
		}

		if level, text, ok := atxHeading(line); ok {
			flush()
			add(p.newHeading(level, text))
			i++
			continue
		}

		if isThematicBreak(line) {
			flush()
			add(thematicBreak{})
			i++
			continue
		}

		if isQuoteLine(line) {
			flush()
			quoted, next := quoteLines(lines, i)
			inner, _ := p.parseBlocks(quoted)
			add(&blockquote{blocks: inner})
			i = next
			continue
		}

		if m, ok := parseListMarker(line); ok {
			// Only a list that clearly starts a list may interrupt a
			// paragraph: "1." or a bullet, followed by content.
			if len(para) == 0 || (m.content != "" && (!m.ordered || m.start == 1)) {
				flush()
				l, next := p.parseList(lines, i)
				add(l)
				i = next
				continue
			}
		}

		if len(para) == 0 && pendingBlank && len(blocks) > 0 {
			separated = true
		}
		pendingBlank = false
		para = append(para, trimIndent(line))
		i++
	}
	flush()
	return blocks, separated
}

func (p *parser) newHeading(level int, text string) *heading {
	h := &heading{level: level, text: text}
	p.headings = append(p.headings, h)
	return h
}

// indentedCode collects an indented code block starting at lines[i].
func indentedCode(lines []string, i int) (string, int) {
	var b strings.Builder
	end := i
	for j := i; j < len(lines); j++ {
		if isBlank(lines[j]) {
			continue
		}
		if indentOf(lines[j]) < 4 {
			break
		}
		end = j + 1
	}
	for j := i; j < end; j++ {
		b.WriteString(stripColumns(lines[j], 4))
		b.WriteByte('\n')
	}
	return b.String(), end
}

// quoteLines collects the lines of a block quote starting at lines[i] with
// their "> " markers removed. A plain text line right after quoted text is a
// lazy continuation of the quoted paragraph.
func quoteLines(lines []string, i int) ([]string, int) {
	var out []string
	for i < len(lines) {
		l := lines[i]
		if isQuoteLine(l) {
			// Drop the marker and the one optional space after it.
			out = append(out, stripColumns(trimIndent(l)[1:], 1))
			i++
			continue
		}
		if len(out) > 0 && !isBlank(out[len(out)-1]) && !startsBlock(l) {
			out = append(out, l)
			i++
			continue
		}
		break
	}
	return out, i
}

// extractRefs removes link reference definitions from the start of a
// paragraph, records them, and returns the remaining paragraph text.
func (p *parser) extractRefs(lines []string) string {
	i := 0
	for ; i < len(lines); i++ {
		label, ref, ok := parseRefDef(lines[i])
		if !ok {
			break
		}
		if _, dup := p.refs[label]; !dup {
			// The first definition of a label wins.
			p.refs[label] = ref
		}
	}
	return strings.Join(lines[i:], "\n")
}

// parseRefDef parses `[label]: dest "optional title"` on one line.
func parseRefDef(l string) (string, linkRef, bool) {
	l = strings.TrimLeft(l, " ")
	if !strings.HasPrefix(l, "[") {
		return "", linkRef{}, false
	}
	end := strings.Index(l, "]:")
	if end < 2 {
		return "", linkRef{}, false
	}
	label := normalizeLabel(l[1:end])
	if label == "" || strings.ContainsAny(l[1:end], "[]") {
		return "", linkRef{}, false
	}
	rest := strings.TrimSpace(l[end+2:])
	dest, n, ok := parseDestination(rest)
	if !ok || dest == "" && n == 0 {
		return "", linkRef{}, false
	}
	rest = strings.TrimSpace(rest[n:])
	title := ""
	if rest != "" {
		t, m, ok := parseTitle(rest)
		if !ok || strings.TrimSpace(rest[m:]) != "" {
			return "", linkRef{}, false
		}
		title = t
	}
	return label, linkRef{dest: dest, title: title}, true
}

// normalizeLabel case-folds a reference label and collapses whitespace, so
// "[Go  Blog]" and "[go blog]" match.
func normalizeLabel(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// assignHeadingIDs gives every heading its plain text and a unique anchor:
// the slug of its text, with "-1", "-2"… appended to repeats.
func assignHeadingIDs(doc *Document) {
	seen := make(map[string]int, len(doc.headings))
	for _, h := range doc.headings {
		h.plain = plainInline(h.text, doc.refs)
		base := slugify(h.plain)
		id := base
		if n, dup := seen[base]; dup {
			for {
				n++
				id = base + "-" + strconv.Itoa(n)
				if _, taken := seen[id]; !taken {
					break
				}
			}
			seen[base] = n
		}
		seen[id] = 0
		h.id = id
	}
}
