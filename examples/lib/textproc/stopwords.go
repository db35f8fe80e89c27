package textproc

// stopwords are frequent English words that carry no meaning for search.
// They are dropped at index and query time alike.
var stopwords = func() map[string]struct{} {
	words := []string{
		"a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at",
		"be", "because", "been", "but", "by", "can", "could", "do", "does", "for",
		"from", "had", "has", "have", "he", "her", "his", "how", "i", "if", "in",
		"into", "is", "it", "its", "just", "more", "most", "no", "not", "of", "on",
		"or", "other", "our", "out", "over", "she", "so", "some", "such", "than",
		"that", "the", "their", "them", "then", "there", "these", "they", "this",
		"to", "up", "us", "was", "we", "were", "what", "when", "which", "while",
		"who", "will", "with", "would", "you", "your",
	}
	m := make(map[string]struct{}, len(words))
	for _, w := range words {
		m[w] = struct{}{}
	}
	return m
}()

// IsStopword reports whether the normalized term is an English stop word.
func IsStopword(term string) bool {
	_, ok := stopwords[term]
	return ok
}
