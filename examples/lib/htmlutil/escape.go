package htmlutil

// escapeTable maps the bytes that must be escaped in HTML text and in
// double-quoted attribute values to their entity. Bytes with an empty entry
// are copied verbatim; a lookup table keeps the per-byte test to one load.
var escapeTable = [256]string{
	'&':  "&amp;",
	'<':  "&lt;",
	'>':  "&gt;",
	'"':  "&quot;",
	'\'': "&#39;",
	0:    "\uFFFD",
}

// NeedsEscape reports whether s contains a byte that AppendEscaped would
// rewrite.
func NeedsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if escapeTable[s[i]] != "" {
			return true
		}
	}
	return false
}

// AppendEscaped appends s to dst with HTML special characters replaced by
// entities. NUL bytes become U+FFFD, as HTML parsers would do anyway.
func AppendEscaped(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		rep := escapeTable[s[i]]
		if rep == "" {
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, rep...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// EscapeString returns s with HTML special characters replaced by entities.
// It returns s itself when nothing needs escaping.
func EscapeString(s string) string {
	if !NeedsEscape(s) {
		return s
	}
	return string(AppendEscaped(make([]byte, 0, len(s)+16), s))
}
