package textproc

// Term is a normalized, stemmed token with its position in the token stream
// (stop words count for positions, so phrase matching stays exact).
type Term struct {
	// Text is the analyzed term.
	Text string
	// Pos is the index of the token in the input, counting dropped tokens.
	Pos int
	// Start and End are byte offsets of the original token.
	Start, End int
}

// Analyzer configures the token → term pipeline.
type Analyzer struct {
	// KeepStopwords disables stop-word removal.
	KeepStopwords bool
	// NoStemming disables Stem.
	NoStemming bool
	// MaxTermLen drops longer terms (base64 blobs, hashes); 0 means 64.
	MaxTermLen int
}

// DefaultAnalyzer is the configuration the search index uses.
var DefaultAnalyzer = &Analyzer{}

// Analyze calls emit for each term of s.
func (a *Analyzer) Analyze(s string, emit func(Term)) {
	maxLen := a.MaxTermLen
	if maxLen == 0 {
		maxLen = 64
	}
	pos := 0
	Tokenize(s, func(t Token) {
		p := pos
		pos++
		if len(t.Text) > maxLen {
			return
		}
		term := Normalize(t.Text)
		if !a.KeepStopwords && IsStopword(term) {
			return
		}
		if !a.NoStemming {
			term = Stem(term)
		}
		emit(Term{Text: term, Pos: p, Start: t.Start, End: t.End})
	})
}

// Terms returns the analyzed term texts of s, in order.
func (a *Analyzer) Terms(s string) []string {
	var out []string
	a.Analyze(s, func(t Term) { out = append(out, t.Text) })
	return out
}
