package markdown

import "strings"

// listMarker is a parsed list item marker ("- ", "2. ", "3) ").
type listMarker struct {
	ordered bool
	char    byte // '-', '*', '+' for bullets; '.' or ')' for ordered
	start   int
	// contentIndent is the column where the item's content starts; lines
	// indented at least this much continue the item.
	contentIndent int
	content       string
}

// parseListMarker recognizes a list item marker at the start of l.
func parseListMarker(l string) (listMarker, bool) {
	indCols, pos := leadingSpace(l)
	if indCols > 3 || pos >= len(l) {
		return listMarker{}, false
	}
	var m listMarker
	markerStart := pos
	switch c := l[pos]; {
	case c == '-' || c == '*' || c == '+':
		m.char = c
		pos++
	case '0' <= c && c <= '9':
		n := 0
		for pos < len(l) && '0' <= l[pos] && l[pos] <= '9' {
			if pos-markerStart == 9 {
				return listMarker{}, false
			}
			n = n*10 + int(l[pos]-'0')
			pos++
		}
		if pos >= len(l) || (l[pos] != '.' && l[pos] != ')') {
			return listMarker{}, false
		}
		m.ordered, m.char, m.start = true, l[pos], n
		pos++
	default:
		return listMarker{}, false
	}
	if pos < len(l) && l[pos] != ' ' && l[pos] != '\t' {
		return listMarker{}, false
	}
	markerEnd := indCols + pos - markerStart // column just after the marker
	// Measure the whitespace after the marker from its real column, so a
	// tab advances to the next tab stop.
	rest := l[pos:]
	cols, n := 0, 0
	for n < len(rest) && (rest[n] == ' ' || rest[n] == '\t') {
		if rest[n] == '\t' {
			cols += 4 - (markerEnd+cols)%4
		} else {
			cols++
		}
		n++
	}
	switch {
	case n == len(rest):
		// Empty item: content starts one column after the marker.
		m.contentIndent = markerEnd + 1
	case cols > 4:
		// Content indented 5+ is an indented code block inside the item.
		m.contentIndent = markerEnd + 1
		m.content = strings.Repeat(" ", cols-1) + rest[n:]
	default:
		m.contentIndent = markerEnd + cols
		m.content = rest[n:]
	}
	return m, true
}

// parseList parses the list starting at lines[i] and returns it with the
// index of the first line after it.
func (p *parser) parseList(lines []string, i int) (*list, int) {
	first, _ := parseListMarker(lines[i])
	l := &list{ordered: first.ordered, start: first.start, tight: true}

	var items [][]string
	cur := []string{first.content}
	contentIndent := first.contentIndent
	blankBefore := false // last line seen was blank
	end := i + 1         // one past the last non-blank line of the list
	i++
	for i < len(lines) {
		line := lines[i]
		if isBlank(line) {
			cur = append(cur, "")
			blankBefore = true
			i++
			continue
		}
		ind := indentOf(line)
		if ind >= contentIndent {
			cur = append(cur, stripColumns(line, contentIndent))
			blankBefore = false
			end = i + 1
			i++
			continue
		}
		if isThematicBreak(line) {
			break
		}
		if m, ok := parseListMarker(line); ok && m.ordered == first.ordered && m.char == first.char {
			if blankBefore {
				l.tight = false
			}
			items = append(items, trimTrailingBlank(cur))
			cur = []string{m.content}
			contentIndent = m.contentIndent
			blankBefore = false
			end = i + 1
			i++
			continue
		}
		if !blankBefore && !startsBlock(line) {
			// Lazy continuation of the item's last paragraph.
			cur = append(cur, strings.TrimLeft(line, " "))
			end = i + 1
			i++
			continue
		}
		break
	}
	items = append(items, trimTrailingBlank(cur))

	for _, itemLines := range items {
		blocks, separated := p.parseBlocks(itemLines)
		if separated {
			l.tight = false
		}
		l.items = append(l.items, blocks)
	}
	// Trailing blank lines belong to the enclosing container, which decides
	// whether they separate blocks.
	return l, end
}

func trimTrailingBlank(lines []string) []string {
	for len(lines) > 0 && isBlank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return lines
}
