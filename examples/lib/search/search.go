package search

import (
	"container/heap"
	"math"
)

// BM25 parameters, the usual defaults.
const (
	k1 = 1.2
	b  = 0.75
	// titleBoost counts a title occurrence as this many body occurrences.
	titleBoost = 3
)

// Hit is one ranked result.
type Hit struct {
	ID    string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
	// Snippet is an HTML excerpt of the body with matched terms in <mark>.
	Snippet string `json:"snippet"`
}

// Results is the answer to a search.
type Results struct {
	// Query is the analyzed query, as the index understood it.
	Query string `json:"query"`
	// Total counts all matching documents, not just the returned hits.
	Total int   `json:"total"`
	Hits  []Hit `json:"hits"`
}

// candidate accumulates a document's score while clauses are evaluated.
type candidate struct {
	score    float64
	required int
}

// Search runs q and returns the best limit hits, best first.
func (ix *Index) Search(q string, limit int) Results {
	return ix.SearchQuery(ParseQuery(q, ix.analyzer), limit)
}

// SearchQuery runs an already parsed query.
func (ix *Index) SearchQuery(q Query, limit int) Results {
	res := Results{Query: q.String()}
	if limit <= 0 {
		limit = 10
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == 0 {
		return res
	}
	avgLen := float64(ix.totalLen) / float64(ix.live)

	cands := map[uint32]*candidate{}
	excluded := map[uint32]bool{}
	required := 0
	hasShould := false
	var highlight []string

	for _, c := range q.Clauses {
		switch c.Occur {
		case MustNot:
			for _, term := range c.Terms {
				for _, p := range ix.postings[term] {
					excluded[p.doc] = true
				}
			}
			continue
		case Must:
			required++
		case Should:
			hasShould = true
		}
		highlight = append(highlight, c.Terms...)
		var scores map[uint32]float64
		if len(c.Terms) == 1 {
			scores = ix.termScores(c.Terms[0], avgLen)
		} else {
			scores = ix.phraseScores(c.Terms, avgLen)
		}
		for doc, s := range scores {
			cand := cands[doc]
			if cand == nil {
				cand = &candidate{}
				cands[doc] = cand
			}
			cand.score += s
			if c.Occur == Must {
				cand.required++
			}
		}
	}
	if required == 0 && !hasShould {
		return res
	}

	top := &hitHeap{}
	for doc, cand := range cands {
		if cand.required < required || excluded[doc] {
			continue
		}
		res.Total++
		if top.Len() < limit {
			heap.Push(top, scored{doc: doc, score: cand.score})
		} else if better(scored{doc: doc, score: cand.score}, (*top)[0]) {
			(*top)[0] = scored{doc: doc, score: cand.score}
			heap.Fix(top, 0)
		}
	}
	res.Hits = make([]Hit, top.Len())
	for i := len(res.Hits) - 1; i >= 0; i-- {
		s := heap.Pop(top).(scored)
		d := &ix.docs[s.doc]
		res.Hits[i] = Hit{
			ID:      d.ID,
			Title:   d.Title,
			Score:   math.Round(s.score*1000) / 1000,
			Snippet: Snippet(ix.analyzer, d.Body, highlight, 30),
		}
	}
	return res
}

// idf is BM25's inverse document frequency, always positive.
func (ix *Index) idf(df int) float64 {
	n := float64(ix.live)
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

// bm25 scores one term occurrence count in a document.
func bm25(idf, tf float64, docLen int, avgLen float64) float64 {
	return idf * tf * (k1 + 1) / (tf + k1*(1-b+b*float64(docLen)/avgLen))
}

// termScores scores every live document containing term.
func (ix *Index) termScores(term string, avgLen float64) map[uint32]float64 {
	pl := ix.postings[term]
	out := make(map[uint32]float64, len(pl))
	idf := ix.idf(len(pl))
	for i := range pl {
		p := &pl[i]
		d := &ix.docs[p.doc]
		if d.deleted {
			continue
		}
		tf := float64(len(p.positions)) + float64(p.titleFreq)*(titleBoost-1)
		out[p.doc] = bm25(idf, tf, d.length, avgLen)
	}
	return out
}

// phraseScores scores live documents containing terms at consecutive
// positions, summing the BM25 of each term with the phrase frequency as tf.
func (ix *Index) phraseScores(terms []string, avgLen float64) map[uint32]float64 {
	lists := make([][]posting, len(terms))
	for i, t := range terms {
		lists[i] = ix.postings[t]
		if len(lists[i]) == 0 {
			return nil
		}
	}
	var idf float64
	for _, l := range lists {
		idf += ix.idf(len(l))
	}
	out := map[uint32]float64{}
	// Walk the first list and advance cursors in the others (all are sorted
	// by doc id): a merge join.
	cursors := make([]int, len(terms))
	for _, first := range lists[0] {
		if ix.docs[first.doc].deleted {
			continue
		}
		same := []*posting{&first}
		for i := 1; i < len(lists); i++ {
			l := lists[i]
			for cursors[i] < len(l) && l[cursors[i]].doc < first.doc {
				cursors[i]++
			}
			if cursors[i] == len(l) {
				return out
			}
			if l[cursors[i]].doc != first.doc {
				same = nil
				break
			}
			same = append(same, &l[cursors[i]])
		}
		if same == nil {
			continue
		}
		if freq := phraseFreq(same); freq > 0 {
			out[first.doc] = bm25(idf, float64(freq), ix.docs[first.doc].length, avgLen)
		}
	}
	return out
}

// phraseFreq counts positions where the postings' terms occur in sequence.
func phraseFreq(ps []*posting) int {
	n := 0
	for _, start := range ps[0].positions {
		ok := true
		for i := 1; i < len(ps); i++ {
			if !containsPos(ps[i].positions, start+uint32(i)) {
				ok = false
				break
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// containsPos binary-searches a sorted position list.
func containsPos(ps []uint32, want uint32) bool {
	lo, hi := 0, len(ps)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ps[mid] < want {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(ps) && ps[lo] == want
}

// scored is a (doc, score) pair ranked by the heap.
type scored struct {
	doc   uint32
	score float64
}

// better orders hits: higher score first, then lower doc id (older first)
// so equal scores rank deterministically.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// hitHeap is a min-heap on "better": the root is the worst kept hit.
type hitHeap []scored

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
