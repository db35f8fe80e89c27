package htmlutil

import "strings"

// unsafeSchemes lists URL schemes that can run script when placed in an href
// or src attribute. Links written by users must never carry them.
var unsafeSchemes = []string{"javascript:", "vbscript:", "data:", "file:"}

// SafeURL returns u unchanged when it is safe to put in an href or src
// attribute, and "#" otherwise. Relative URLs, fragments and the usual
// network schemes are safe; data:image/ URLs are allowed for inline images.
func SafeURL(u string) string {
	trimmed := strings.TrimLeft(u, " \t\r\n")
	lower := strings.ToLower(trimmed)
	// Browsers ignore tabs and newlines inside the scheme, so "java\tscript:"
	// is still javascript; strip them before comparing.
	if strings.ContainsAny(lower, "\t\r\n") {
		lower = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, lower)
	}
	for _, scheme := range unsafeSchemes {
		if strings.HasPrefix(lower, scheme) {
			if scheme == "data:" && strings.HasPrefix(lower, "data:image/") && !strings.HasPrefix(lower, "data:image/svg") {
				return trimmed
			}
			return "#"
		}
	}
	return trimmed
}

// AppendURL appends u to dst percent-encoding the bytes that are not allowed
// unencoded in a URL (spaces, controls, non-ASCII) and HTML-escaping the rest,
// so the result can go straight into a double-quoted attribute.
func AppendURL(dst []byte, u string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`':
			dst = append(dst, '%', hex[c>>4], hex[c&0xf])
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '\'':
			dst = append(dst, "&#39;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
