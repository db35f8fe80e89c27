package textproc

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldTable folds common accented Latin letters to ASCII so "café" and
// "cafe" index to the same term.
var foldTable = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y",
	'ß': "ss", 'æ': "ae", 'œ': "oe",
}

// Normalize lowercases a token, folds accented Latin letters and drops
// apostrophes ("Don't" → "dont"). Pure lowercase ASCII input is returned
// as is without allocating.
func Normalize(tok string) string {
	clean := true
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') || c == '\'' {
			clean = false
			break
		}
	}
	if clean {
		return tok
	}
	var b strings.Builder
	b.Grow(len(tok))
	for _, r := range tok {
		switch {
		case r == '\'' || r == '’':
			continue
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		default:
			r = unicode.ToLower(r)
			if f, ok := foldTable[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
