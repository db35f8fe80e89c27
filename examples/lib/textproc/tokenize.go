package textproc

import (
	"unicode"
	"unicode/utf8"
)

// Token is one word of the input with its byte offsets, so callers can map a
// term back to the original text (search snippets highlight by offset).
type Token struct {
	// Text is the token as it appears in the input (not normalized).
	Text string
	// Start and End are byte offsets into the input, End exclusive.
	Start, End int
}

// isWordByte classifies ASCII bytes; a table is cheaper than unicode calls on
// the common ASCII path.
var isWordByte = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	t['_'] = true
	return t
}()

// isWordRune reports whether r belongs inside a token.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isWordByte[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// innerJoiner reports whether c joins two word characters into one token:
// "don't", "v1.2", "e-mail" stay single tokens.
func innerJoiner(c byte) bool { return c == '\'' || c == '.' || c == '-' }

// Tokenize calls emit for every token of s, in order. A token is a maximal
// run of letters, digits and underscores, where an apostrophe, dot or hyphen
// between two word characters does not split it.
func Tokenize(s string, emit func(Token)) {
	i := 0
	for i < len(s) {
		// Skip separators.
		for i < len(s) {
			r, size := rune(s[i]), 1
			if r >= utf8.RuneSelf {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if isWordRune(r) {
				break
			}
			i += size
		}
		if i >= len(s) {
			return
		}
		start := i
		for i < len(s) {
			c := s[i]
			if c < utf8.RuneSelf {
				if isWordByte[c] {
					i++
					continue
				}
				if innerJoiner(c) && i+1 < len(s) && s[i+1] < utf8.RuneSelf && isWordByte[s[i+1]] {
					i++
					continue
				}
				break
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isWordRune(r) {
				break
			}
			i += size
		}
		emit(Token{Text: s[start:i], Start: start, End: i})
	}
}

// AppendTokens appends the tokens of s to dst and returns the extended slice.
func AppendTokens(dst []Token, s string) []Token {
	Tokenize(s, func(t Token) { dst = append(dst, t) })
	return dst
}
