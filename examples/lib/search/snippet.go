package search

import (
	"example.com/examples/lib/htmlutil"
	"example.com/examples/lib/textproc"
)

// Snippet returns an HTML excerpt of text of about window tokens, chosen to
// contain the most occurrences of terms (analyzed terms), with each
// occurrence wrapped in <mark>. Text is escaped; ellipses mark cuts.
func Snippet(a *textproc.Analyzer, text string, terms []string, window int) string {
	want := make(map[string]bool, len(terms))
	for _, t := range terms {
		want[t] = true
	}
	var toks []textproc.Token
	var hit []bool
	a.Analyze(text, func(t textproc.Term) {
		toks = append(toks, textproc.Token{Text: t.Text, Start: t.Start, End: t.End})
		hit = append(hit, want[t.Text])
	})
	if len(toks) == 0 {
		return htmlutil.EscapeString(truncate(text, 200))
	}

	// Slide a window of analyzed tokens and keep the one with most hits.
	best, bestHits, cur := 0, -1, 0
	for i := range toks {
		if hit[i] {
			cur++
		}
		if i >= window && hit[i-window] {
			cur--
		}
		if start := max(i-window+1, 0); cur > bestHits {
			best, bestHits = start, cur
		}
	}
	end := min(best+window, len(toks))

	// Extend the cut to the start of the first and end of the last token.
	from, to := toks[best].Start, toks[end-1].End
	w := htmlutil.NewWriter(to - from + 64)
	if from > 0 {
		w.Raw("… ")
	}
	last := from
	for i := best; i < end; i++ {
		if !hit[i] {
			continue
		}
		w.Text(text[last:toks[i].Start])
		w.Raw("<mark>")
		w.Text(text[toks[i].Start:toks[i].End])
		w.Raw("</mark>")
		last = toks[i].End
	}
	w.Text(text[last:to])
	if to < len(text) {
		w.Raw(" …")
	}
	return w.String()
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
