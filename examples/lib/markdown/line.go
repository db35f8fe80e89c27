package markdown

import "strings"

// splitLines splits src into lines without terminators, normalizing CRLF and
// CR line endings. Tabs are kept: indentation is measured in columns with
// 4-column tab stops (see indentOf), and code keeps its tabs.
func splitLines(src string) []string {
	if strings.IndexByte(src, '\r') >= 0 {
		src = strings.ReplaceAll(src, "\r\n", "\n")
		src = strings.ReplaceAll(src, "\r", "\n")
	}
	src = strings.TrimSuffix(src, "\n")
	if src == "" {
		return nil
	}
	return strings.Split(src, "\n")
}

// leadingSpace measures the leading whitespace of l: its width in columns
// (tabs advance to the next multiple of 4) and its length in bytes.
func leadingSpace(l string) (cols, n int) {
	for n < len(l) {
		switch l[n] {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return cols, n
		}
		n++
	}
	return cols, n
}

// indentOf returns the indentation of l in columns.
func indentOf(l string) int {
	cols, _ := leadingSpace(l)
	return cols
}

// trimIndent returns l without its leading whitespace.
func trimIndent(l string) string {
	_, n := leadingSpace(l)
	return l[n:]
}

// isBlank reports whether l contains only spaces and tabs.
func isBlank(l string) bool {
	_, n := leadingSpace(l)
	return n == len(l)
}

// stripColumns removes up to n columns of leading whitespace. A tab that
// straddles column n is replaced by the spaces that remain of it, so the
// content keeps its alignment.
func stripColumns(l string, n int) string {
	col := 0
	for i := 0; i < len(l); i++ {
		if col >= n {
			return l[i:]
		}
		switch l[i] {
		case ' ':
			col++
		case '\t':
			w := 4 - col%4
			if col+w > n {
				return strings.Repeat(" ", col+w-n) + l[i+1:]
			}
			col += w
		default:
			return l[i:]
		}
	}
	return ""
}

// isThematicBreak reports whether l is "---", "* * *", "___" and the like.
func isThematicBreak(l string) bool {
	if indentOf(l) > 3 {
		return false
	}
	var ch byte
	count := 0
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case ch == 0 && (c == '-' || c == '*' || c == '_'):
			ch = c
			count++
		case c == ch:
			count++
		default:
			return false
		}
	}
	return count >= 3
}

// atxHeading parses "## Title ##"; ok is false when l is not a heading.
func atxHeading(l string) (level int, text string, ok bool) {
	if indentOf(l) > 3 {
		return 0, "", false
	}
	s := trimIndent(l)
	for level < len(s) && s[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(s) && s[level] != ' ') {
		return 0, "", false
	}
	text = strings.Trim(s[level:], " ")
	// Drop an optional closing sequence of #s, which must follow a space.
	if end := strings.TrimRight(text, "#"); end != text {
		if end == "" {
			text = ""
		} else if end[len(end)-1] == ' ' {
			text = strings.TrimRight(end, " ")
		}
	}
	return level, text, true
}

// setextLevel returns 1 for a "===" underline, 2 for "---", 0 otherwise.
func setextLevel(l string) int {
	if indentOf(l) > 3 {
		return 0
	}
	s := strings.TrimRight(trimIndent(l), " ")
	if s == "" {
		return 0
	}
	c := s[0]
	if c != '=' && c != '-' {
		return 0
	}
	for i := 1; i < len(s); i++ {
		if s[i] != c {
			return 0
		}
	}
	if c == '=' {
		return 1
	}
	return 2
}

// fenceOpen parses an opening code fence; n is the fence length, indent the
// fence's indentation (stripped from content lines).
func fenceOpen(l string) (ch byte, n, indent int, info string, ok bool) {
	indent = indentOf(l)
	if indent > 3 {
		return 0, 0, 0, "", false
	}
	s := trimIndent(l)
	if len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return 0, 0, 0, "", false
	}
	ch = s[0]
	for n < len(s) && s[n] == ch {
		n++
	}
	if n < 3 {
		return 0, 0, 0, "", false
	}
	info = strings.TrimSpace(s[n:])
	if ch == '`' && strings.IndexByte(info, '`') >= 0 {
		return 0, 0, 0, "", false
	}
	if sp := strings.IndexAny(info, " \t{"); sp >= 0 {
		info = info[:sp]
	}
	return ch, n, indent, unescapeBackslashes(info), true
}

// isFenceClose reports whether l closes a fence of n characters ch.
func isFenceClose(l string, ch byte, n int) bool {
	if indentOf(l) > 3 {
		return false
	}
	s := strings.TrimRight(trimIndent(l), " \t")
	if len(s) < n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != ch {
			return false
		}
	}
	return true
}

// startsBlock reports whether l would start a block other than a paragraph,
// which ends a lazy paragraph continuation.
func startsBlock(l string) bool {
	if isBlank(l) || isThematicBreak(l) {
		return true
	}
	if _, _, ok := atxHeading(l); ok {
		return true
	}
	if _, _, _, _, ok := fenceOpen(l); ok {
		return true
	}
	if isQuoteLine(l) {
		return true
	}
	if m, ok := parseListMarker(l); ok && m.content != "" && (!m.ordered || m.start == 1) {
		return true
	}
	return false
}

// isQuoteLine reports whether l starts with a block quote marker.
func isQuoteLine(l string) bool {
	t := trimIndent(l)
	return indentOf(l) <= 3 && t != "" && t[0] == '>'
}
