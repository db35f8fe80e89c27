package search

import (
	"strings"

	"example.com/examples/lib/textproc"
)

// Occur says how a clause constrains matching documents.
type Occur string

const (
	// Should clauses add to the score; a document must match at least one
	// Should clause when the query has no Must clause.
	Should Occur = "should"
	// Must clauses (+term, "phrases") are required.
	Must Occur = "must"
	// MustNot clauses (-term) exclude documents.
	MustNot Occur = "must_not"
)

// Clause is one analyzed part of a query: a single term or a phrase.
type Clause struct {
	Occur Occur
	// Terms holds one term, or the consecutive terms of a phrase.
	Terms []string
}

// Query is a parsed query.
type Query struct {
	Clauses []Clause
}

// ParseQuery parses the query syntax: words are optional terms, +word is
// required, -word is excluded, "several words" is a required phrase. Words
// are analyzed like documents, so stop words vanish and stemming applies.
func ParseQuery(q string, a *textproc.Analyzer) Query {
	if a == nil {
		a = textproc.DefaultAnalyzer
	}
	var out Query
	for q != "" {
		q = strings.TrimLeft(q, " \t\n")
		if q == "" {
			break
		}
		occur := Should
		switch q[0] {
		case '+':
			occur, q = Must, q[1:]
		case '-':
			occur, q = MustNot, q[1:]
		}
		var text string
		if strings.HasPrefix(q, `"`) {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				text, q = q[1:], ""
			} else {
				text, q = q[1:1+end], q[2+end:]
			}
			if occur == Should {
				occur = Must
			}
			if terms := a.Terms(text); len(terms) > 0 {
				out.Clauses = append(out.Clauses, Clause{Occur: occur, Terms: terms})
			}
			continue
		}
		end := strings.IndexAny(q, " \t\n")
		if end < 0 {
			end = len(q)
		}
		text, q = q[:end], q[end:]
		// A word like "e-mail" may analyze into one term; "foo/bar" into
		// two, which then act as separate clauses of the same kind.
		for _, t := range a.Terms(text) {
			out.Clauses = append(out.Clauses, Clause{Occur: occur, Terms: []string{t}})
		}
	}
	return out
}

// String renders the analyzed query, for logs and debugging.
func (q Query) String() string {
	var b strings.Builder
	for i, c := range q.Clauses {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch c.Occur {
		case Must:
			b.WriteByte('+')
		case MustNot:
			b.WriteByte('-')
		case Should:
		}
		if len(c.Terms) > 1 {
			b.WriteString(`"` + strings.Join(c.Terms, " ") + `"`)
		} else if len(c.Terms) == 1 {
			b.WriteString(c.Terms[0])
		}
	}
	return b.String()
}
