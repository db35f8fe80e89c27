package textproc

import "strings"

// Stem strips common English inflections from a normalized term: plurals,
// "-ing", "-ed", "-ly", "-ment", "-ness". It is deliberately light (about
// Porter's step 1 plus a few suffixes): it must be fast and predictable,
// since the same function runs on documents and on queries.
func Stem(term string) string {
	if len(term) <= 3 || !isASCIILower(term) {
		return term
	}
	switch {
	case strings.HasSuffix(term, "sses"):
		term = term[:len(term)-2]
	case strings.HasSuffix(term, "ies") && len(term) > 4:
		term = term[:len(term)-3] + "y"
	case strings.HasSuffix(term, "ss"), strings.HasSuffix(term, "us"), strings.HasSuffix(term, "is"):
		// "class", "status", "analysis" are not plurals.
	case strings.HasSuffix(term, "s"):
		term = term[:len(term)-1]
	}
	for _, suf := range [...]string{"ingly", "edly", "ing", "ed"} {
		if strings.HasSuffix(term, suf) {
			base := term[:len(term)-len(suf)]
			if len(base) >= 3 && hasVowel(base) {
				term = undouble(base)
			}
			break
		}
	}
	for _, suf := range [...]string{"ment", "ness", "ly"} {
		if strings.HasSuffix(term, suf) && len(term)-len(suf) >= 4 {
			term = term[:len(term)-len(suf)]
			break
		}
	}
	return term
}

// undouble turns "runn" (from "running") into "run", except for the letters
// English doubles at the end of words ("fall", "pass", "buzz").
func undouble(s string) string {
	n := len(s)
	if n >= 2 && s[n-1] == s[n-2] {
		switch s[n-1] {
		case 'l', 's', 'z':
			return s
		}
		return s[:n-1]
	}
	return s
}

func hasVowel(s string) bool {
	return strings.ContainsAny(s, "aeiouy")
}

func isASCIILower(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
