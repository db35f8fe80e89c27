package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// inlineKind tags the nodes of the inline tree.
type inlineKind uint8

const (
	inText      inlineKind = iota // literal text, escaped on output
	inCode                        // code span
	inDelim                       // run of * or _ not (yet) matched
	inBracket                     // "[" or "![" not (yet) matched
	inEmph                        // <em>
	inStrong                      // <strong>
	inLink                        // <a>
	inImage                       // <img>
	inHardBreak                   // <br />
	inSoftBreak                   // line break inside a paragraph
)

// inode is one node of a paragraph's inline tree.
type inode struct {
	kind     inlineKind
	text     string // text, code, bracket or delimiter characters
	dest     string // link or image destination
	title    string
	children []*inode

	// Delimiter and bracket state, used while parsing only.
	delim    byte
	count    int
	canOpen  bool
	canClose bool
	srcPos   int // byte offset just after "[" in the source
}

// specialBytes marks bytes where the inline scanner must stop; everything
// else is copied as text in bulk.
var specialBytes = func() (t [256]bool) {
	for _, c := range []byte("\\`*_[]!<\nh") {
		t[c] = true
	}
	return t
}()

// inlineParser turns a paragraph's text into an inline tree.
type inlineParser struct {
	src      string
	refs     map[string]linkRef
	nodes    []*inode
	brackets []int // indexes in nodes of unmatched "[" and "![", innermost last
	// linkFloor: "[" brackets at stack positions below it may no longer
	// form links, because a link was formed after them (links do not nest).
	// A floor instead of a flag per bracket keeps "[[a](b) [[a](b) …" linear.
	linkFloor int
	lastClose int // index of the last ')' in src, or -2 before first use
}

// lastParen returns the index of the last ')' in the source. An inline link
// needs one after its "(", and checking that first keeps "[a]([a]([a](…"
// from rescanning to the end of the input at every bracket.
func (p *inlineParser) lastParen() int {
	if p.lastClose == -2 {
		p.lastClose = strings.LastIndexByte(p.src, ')')
	}
	return p.lastClose
}

// parseInline parses s into a tree of inline nodes.
func parseInline(s string, refs map[string]linkRef) []*inode {
	p := inlineParser{src: s, refs: refs, lastClose: -2}
	p.parse()
	return processEmphasis(p.nodes)
}

func (p *inlineParser) text(s string) {
	if s == "" {
		return
	}
	p.nodes = append(p.nodes, &inode{kind: inText, text: s})
}

func (p *inlineParser) parse() {
	s := p.src
	textStart := 0
	i := 0
	for i < len(s) {
		if !specialBytes[s[i]] {
			i++
			continue
		}
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && isASCIIPunct(s[i+1]) {
				p.text(s[textStart:i])
				p.text(s[i+1 : i+2])
				i += 2
				textStart = i
				continue
			}
			if i+1 < len(s) && s[i+1] == '\n' {
				p.text(s[textStart:i])
				p.nodes = append(p.nodes, &inode{kind: inHardBreak})
				i = skipSpaces(s, i+2)
				textStart = i
				continue
			}
			i++
		case '`':
			n := runLength(s, i, '`')
			if end := findBacktickRun(s, i+n, n); end >= 0 {
				p.text(s[textStart:i])
				p.nodes = append(p.nodes, &inode{kind: inCode, text: codeSpanText(s[i+n : end])})
				i = end + n
			} else {
				i += n // an unmatched run is literal text
				continue
			}
			textStart = i
		case '*', '_':
			p.text(s[textStart:i])
			n := runLength(s, i, c)
			open, closing := flanking(s, i, i+n, c)
			p.nodes = append(p.nodes, &inode{kind: inDelim, text: s[i : i+n], delim: c, count: n, canOpen: open, canClose: closing})
			i += n
			textStart = i
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				p.text(s[textStart:i])
				p.brackets = append(p.brackets, len(p.nodes))
				p.nodes = append(p.nodes, &inode{kind: inBracket, text: "![", delim: '!', srcPos: i + 2})
				i += 2
				textStart = i
				continue
			}
			i++
		case '[':
			p.text(s[textStart:i])
			p.brackets = append(p.brackets, len(p.nodes))
			p.nodes = append(p.nodes, &inode{kind: inBracket, text: "[", delim: '[', srcPos: i + 1})
			i++
			textStart = i
		case ']':
			p.text(s[textStart:i])
			i = p.closeBracket(i)
			textStart = i
		case '<':
			if n, node := autolink(s[i:]); n > 0 {
				p.text(s[textStart:i])
				p.nodes = append(p.nodes, node)
				i += n
				textStart = i
				continue
			}
			i++
		case 'h':
			if i == 0 || !isAlnum(s[i-1]) {
				if n := bareURL(s[i:]); n > 0 {
					p.text(s[textStart:i])
					url := s[i : i+n]
					p.nodes = append(p.nodes, &inode{kind: inLink, dest: url, children: []*inode{{kind: inText, text: url}}})
					i += n
					textStart = i
					continue
				}
			}
			i++
		case '\n':
			before := s[textStart:i]
			trimmed := strings.TrimRight(before, " ")
			p.text(trimmed)
			if len(before)-len(trimmed) >= 2 {
				p.nodes = append(p.nodes, &inode{kind: inHardBreak})
			} else {
				p.nodes = append(p.nodes, &inode{kind: inSoftBreak})
			}
			i = skipSpaces(s, i+1)
			textStart = i
		default:
			i++
		}
	}
	p.text(strings.TrimRight(s[textStart:], " "))
}

// closeBracket handles "]" at s[i]: it turns the nearest open bracket into a
// link or image when a destination follows, and returns where to resume.
func (p *inlineParser) closeBracket(i int) int {
	if len(p.brackets) == 0 {
		p.text("]")
		return i + 1
	}
	// The innermost bracket is consumed whatever happens: it becomes a
	// link, or literal text.
	b := p.brackets[len(p.brackets)-1]
	p.brackets = p.brackets[:len(p.brackets)-1]
	inactive := len(p.brackets) < p.linkFloor
	p.linkFloor = min(p.linkFloor, len(p.brackets))
	opener := p.nodes[b]
	if inactive && opener.delim == '[' {
		opener.kind = inText
		p.text("]")
		return i + 1
	}
	dest, title, next, ok := p.linkTail(opener.srcPos, i)
	if !ok {
		opener.kind = inText
		p.text("]")
		return i + 1
	}
	kind := inLink
	if opener.delim == '!' {
		kind = inImage
	}
	children := processEmphasis(append([]*inode(nil), p.nodes[b+1:]...))
	p.nodes = append(p.nodes[:b], &inode{kind: kind, dest: dest, title: title, children: children})
	if kind == inLink {
		// Links may not contain links: earlier brackets can no longer match.
		p.linkFloor = len(p.brackets)
	}
	return next
}

// linkTail parses what follows "]" at s[close]: an inline destination
// "(dest "title")", a full "[label]" or collapsed "[]" reference, or else a
// shortcut reference to the bracket text itself.
func (p *inlineParser) linkTail(textStart, close int) (dest, title string, next int, ok bool) {
	s := p.src
	after := close + 1
	if after < len(s) && s[after] == '(' && after < p.lastParen() {
		if dest, title, n, ok := parseInlineDest(s[after:]); ok {
			return dest, title, after + n, true
		}
	}
	label := s[textStart:close]
	next = after
	if after < len(s) && s[after] == '[' {
		if end := strings.IndexByte(s[after+1:], ']'); end >= 0 {
			if inner := s[after+1 : after+1+end]; inner != "" {
				label = inner
			}
			next = after + 1 + end + 1
		}
	}
	ref, found := p.refs[normalizeLabel(label)]
	if !found {
		return "", "", 0, false
	}
	return ref.dest, ref.title, next, true
}

// parseInlineDest parses `(dest "title")` at the start of s and returns the
// number of bytes consumed.
func parseInlineDest(s string) (dest, title string, n int, ok bool) {
	i := skipWhitespace(s, 1)
	if i < len(s) && s[i] == ')' {
		return "", "", i + 1, true
	}
	d, m, ok := parseDestination(s[i:])
	if !ok {
		return "", "", 0, false
	}
	i = skipWhitespace(s, i+m)
	if i < len(s) && (s[i] == '"' || s[i] == '\'' || s[i] == '(') && m > 0 {
		t, m, ok := parseTitle(s[i:])
		if !ok {
			return "", "", 0, false
		}
		title = t
		i = skipWhitespace(s, i+m)
	}
	if i >= len(s) || s[i] != ')' {
		return "", "", 0, false
	}
	return d, title, i + 1, true
}

// maxDestLen bounds the scan for a link destination so that input made of
// many unclosed "[x](" cannot make rendering quadratic in practice. 32 KiB
// still allows inline data: images of a realistic size.
const maxDestLen = 32 << 10

// parseDestination parses a link destination: "<...>" or a run without
// spaces whose parentheses balance.
func parseDestination(s string) (string, int, bool) {
	if strings.HasPrefix(s, "<") {
		end := strings.IndexAny(s[1:], ">\n")
		if end < 0 || s[1+end] != '>' {
			return "", 0, false
		}
		return unescapeBackslashes(s[1 : 1+end]), end + 2, true
	}
	depth := 0
	i := 0
	for ; i < len(s); i++ {
		if i > maxDestLen {
			return "", 0, false
		}
		c := s[i]
		if c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
			continue
		}
		if c == '(' {
			// Like cmark, limit nesting: deeper parentheses end the scan.
			if depth++; depth > 32 {
				return "", 0, false
			}
		} else if c == ')' {
			if depth == 0 {
				break
			}
			depth--
		} else if c <= ' ' {
			break
		}
	}
	if depth != 0 {
		return "", 0, false
	}
	return unescapeBackslashes(s[:i]), i, true
}

// parseTitle parses a link title in double quotes, single quotes or
// parentheses.
func parseTitle(s string) (string, int, bool) {
	if s == "" {
		return "", 0, false
	}
	closer := s[0]
	switch closer {
	case '"', '\'':
	case '(':
		closer = ')'
	default:
		return "", 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			continue
		}
		if s[i] == closer {
			return unescapeBackslashes(s[1:i]), i + 1, true
		}
	}
	return "", 0, false
}

// autolink parses "<https://…>" or "<user@host>" at the start of s.
func autolink(s string) (int, *inode) {
	end := strings.IndexAny(s[1:], "> \n<")
	if end < 2 || s[1+end] != '>' {
		return 0, nil
	}
	end++ // index of '>' in s
	inner := s[1:end]
	if colon := strings.IndexByte(inner, ':'); colon >= 2 && colon <= 32 && isScheme(inner[:colon]) {
		return end + 1, &inode{kind: inLink, dest: inner, children: []*inode{{kind: inText, text: inner}}}
	}
	if at := strings.IndexByte(inner, '@'); at > 0 && at < len(inner)-1 && strings.IndexByte(inner[at:], '.') > 0 {
		return end + 1, &inode{kind: inLink, dest: "mailto:" + inner, children: []*inode{{kind: inText, text: inner}}}
	}
	return 0, nil
}

// bareURL returns the length of an "http://" or "https://" URL at the start
// of s (the GitHub "autolink literal" extension), without trailing
// punctuation that most likely ends the sentence.
func bareURL(s string) int {
	var n int
	switch {
	case strings.HasPrefix(s, "https://"):
		n = len("https://")
	case strings.HasPrefix(s, "http://"):
		n = len("http://")
	default:
		return 0
	}
	start := n
	for n < len(s) && s[n] > ' ' && s[n] != '<' && s[n] != '>' && s[n] != '"' {
		n++
	}
	for n > start {
		c := s[n-1]
		if c == '.' || c == ',' || c == ':' || c == ';' || c == '!' || c == '?' || c == '*' || c == '_' || c == '\'' {
			n--
			continue
		}
		if c == ')' && strings.Count(s[:n], "(") < strings.Count(s[:n], ")") {
			n--
			continue
		}
		break
	}
	if n == start {
		return 0
	}
	return n
}

func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || (i > 0 && (c == '+' || c == '.' || c == '-'))) {
			return false
		}
	}
	return true
}

// flanking applies CommonMark's left/right-flanking rules to the delimiter
// run s[start:end] and reports whether it can open and close emphasis.
func flanking(s string, start, end int, c byte) (canOpen, canClose bool) {
	prev, next := ' ', ' '
	if start > 0 {
		prev, _ = utf8.DecodeLastRuneInString(s[:start])
	}
	if end < len(s) {
		next, _ = utf8.DecodeRuneInString(s[end:])
	}
	prevSpace, nextSpace := unicode.IsSpace(prev), unicode.IsSpace(next)
	prevPunct, nextPunct := isPunctRune(prev), isPunctRune(next)
	left := !nextSpace && (!nextPunct || prevSpace || prevPunct)
	right := !prevSpace && (!prevPunct || nextSpace || nextPunct)
	if c == '_' {
		// Intraword underscores (snake_case) never emphasize.
		return left && (!right || prevPunct), right && (!left || nextPunct)
	}
	return left, right
}

// processEmphasis matches delimiter runs in nodes into <em>/<strong> nodes,
// following CommonMark's "process emphasis" procedure. Nodes are threaded
// on an index-linked list so wrapping a range is O(1), and the openers-bottom
// table keeps unmatched closers from rescanning the same openers, which
// keeps adversarial input ("a* a* a* …") linear instead of quadratic.
func processEmphasis(nodes []*inode) []*inode {
	hasDelim := false
	for _, n := range nodes {
		if n.kind == inDelim {
			hasDelim = true
			break
		}
	}
	if !hasDelim {
		return nodes
	}
	end := len(nodes)
	prev := make([]int, end)
	next := make([]int, end)
	for i := range nodes {
		prev[i], next[i] = i-1, i+1
	}
	// bottom[char][count%3][canOpen] is the index at or below which no
	// opener can match a closer of that class.
	var bottom [2][3][2]int
	for a := range bottom {
		for b := range bottom[a] {
			bottom[a][b] = [2]int{-1, -1}
		}
	}
	classOf := func(n *inode) (int, int, int) {
		c, o := 0, 0
		if n.delim == '_' {
			c = 1
		}
		if n.canOpen {
			o = 1
		}
		return c, n.count % 3, o
	}

	for c := 0; c < end; {
		closer := nodes[c]
		if closer.kind != inDelim || !closer.canClose || closer.count == 0 {
			c = next[c]
			continue
		}
		ca, cb, cc := classOf(closer)
		floor := bottom[ca][cb][cc]
		o := -1
		for j := prev[c]; j > floor; j = prev[j] {
			op := nodes[j]
			if op.kind != inDelim || op.delim != closer.delim || !op.canOpen || op.count == 0 {
				continue
			}
			// The "rule of 3": a run that can both open and close only
			// matches when the lengths do not sum to a multiple of 3.
			if (op.canClose || closer.canOpen) && (op.count+closer.count)%3 == 0 && (op.count%3 != 0 || closer.count%3 != 0) {
				continue
			}
			o = j
			break
		}
		first := -1
		if o >= 0 {
			first = next[o]
		}
		if o < 0 || first == c {
			bottom[ca][cb][cc] = prev[c]
			c = next[c]
			continue
		}
		opener := nodes[o]
		use, kind := 1, inEmph
		if opener.count >= 2 && closer.count >= 2 {
			use, kind = 2, inStrong
		}
		opener.count -= use
		closer.count -= use
		wrapped := &inode{kind: kind}
		for j := first; j != c; j = next[j] {
			wrapped.children = append(wrapped.children, nodes[j])
		}
		// The wrapper takes the slot of the first wrapped node, which keeps
		// slot indices in document order.
		nodes[first] = wrapped
		next[first], prev[c] = c, first
		// The opener's count changed, so it may now match classes it
		// failed before: make it searchable again.
		for a := range bottom {
			for b := range bottom[a] {
				for d := range bottom[a][b] {
					if bottom[a][b][d] >= o {
						bottom[a][b][d] = prev[o]
					}
				}
			}
		}
		// Stay on the closer: it may have characters left to match.
	}
	out := nodes[:0:0]
	for i := 0; i < end; i = next[i] {
		out = append(out, nodes[i])
	}
	return out
}

// codeSpanText normalizes code span content: line endings become spaces and
// one space is stripped from each side when both sides have one.
func codeSpanText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) >= 2 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
		s = s[1 : len(s)-1]
	}
	return s
}

// findBacktickRun returns the index of the next run of exactly n backticks
// at or after from, or -1.
func findBacktickRun(s string, from, n int) int {
	for i := from; i < len(s); {
		j := strings.IndexByte(s[i:], '`')
		if j < 0 {
			return -1
		}
		i += j
		m := runLength(s, i, '`')
		if m == n {
			return i
		}
		i += m
	}
	return -1
}

func runLength(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

func skipWhitespace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t') {
		i++
	}
	return i
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isASCIIPunct(c byte) bool {
	return '!' <= c && c <= '/' || ':' <= c && c <= '@' || '[' <= c && c <= '`' || '{' <= c && c <= '~'
}

func isPunctRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIPunct(byte(r))
	}
	return unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// unescapeBackslashes removes the backslash from "\" + ASCII punctuation.
func unescapeBackslashes(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
