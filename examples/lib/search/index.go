package search

import (
	"sync"

	"example.com/examples/lib/textproc"
)

// Document is what callers index and get back.
type Document struct {
	// ID is the caller's unique identifier; adding an existing ID replaces
	// the document.
	ID string `json:"id"`
	// Title is indexed with a boost and returned in hits.
	Title string `json:"title"`
	// Body is the plain text to index (strip markup before indexing).
	Body string `json:"body"`
}

// posting records where a term occurs in one document.
type posting struct {
	doc       uint32
	titleFreq uint16
	// positions are term positions; title terms come first, body terms are
	// offset by bodyOffset so phrases never span title and body.
	positions []uint32
}

const bodyOffset = 1 << 16

// docEntry is the stored state of one indexed document.
type docEntry struct {
	Document
	length  int // number of indexed terms
	deleted bool
}

// Index is a concurrent in-memory inverted index. Searches run in parallel;
// writes take an exclusive lock.
type Index struct {
	analyzer *textproc.Analyzer

	mu       sync.RWMutex
	docs     []docEntry // by internal id; deleted entries stay as tombstones
	byID     map[string]uint32
	postings map[string][]posting // sorted by doc, since ids only grow
	totalLen int64                // sum of lengths of live documents
	live     int
}

// NewIndex returns an empty index that analyzes text with a (nil means
// textproc.DefaultAnalyzer).
func NewIndex(a *textproc.Analyzer) *Index {
	if a == nil {
		a = textproc.DefaultAnalyzer
	}
	return &Index{analyzer: a, byID: map[string]uint32{}, postings: map[string][]posting{}}
}

// Add indexes doc, replacing any document with the same ID.
func (ix *Index) Add(doc Document) {
	// Analyze outside the lock: it is the expensive part.
	terms := map[string]*posting{}
	length := 0
	add := func(t textproc.Term, offset uint32, title bool) {
		p, ok := terms[t.Text]
		if !ok {
			p = &posting{}
			terms[t.Text] = p
		}
		if title {
			p.titleFreq++
		}
		p.positions = append(p.positions, offset+uint32(t.Pos))
		length++
	}
	ix.analyzer.Analyze(doc.Title, func(t textproc.Term) { add(t, 0, true) })
	ix.analyzer.Analyze(doc.Body, func(t textproc.Term) { add(t, bodyOffset, false) })

	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.deleteLocked(doc.ID)
	id := uint32(len(ix.docs))
	ix.docs = append(ix.docs, docEntry{Document: doc, length: length})
	ix.byID[doc.ID] = id
	ix.totalLen += int64(length)
	ix.live++
	for term, p := range terms {
		p.doc = id
		ix.postings[term] = append(ix.postings[term], *p)
	}
}

// Delete removes the document with the given ID and reports whether it
// existed. Its postings are skipped at query time.
func (ix *Index) Delete(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.deleteLocked(id)
}

func (ix *Index) deleteLocked(id string) bool {
	old, ok := ix.byID[id]
	if !ok {
		return false
	}
	e := &ix.docs[old]
	e.deleted = true
	ix.totalLen -= int64(e.length)
	ix.live--
	delete(ix.byID, id)
	return true
}

// Get returns the document with the given ID.
func (ix *Index) Get(id string) (Document, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	i, ok := ix.byID[id]
	if !ok {
		return Document{}, false
	}
	return ix.docs[i].Document, true
}

// Stats summarizes the index size.
type Stats struct {
	Documents int `json:"documents"`
	Terms     int `json:"terms"`
	Postings  int `json:"postings"`
	// Tombstones counts deleted or replaced documents still in posting lists.
	Tombstones int `json:"tombstones"`
}

// Stats returns the current index size.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := Stats{Documents: ix.live, Terms: len(ix.postings), Tombstones: len(ix.docs) - ix.live}
	for _, pl := range ix.postings {
		s.Postings += len(pl)
	}
	return s
}

// Len returns the number of live documents.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}
