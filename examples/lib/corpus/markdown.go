package corpus

import (
	"fmt"
	"strings"
)

// Document is a generated Markdown document.
type Document struct {
	// ID is stable for a given seed and index, e.g. "doc-00042".
	ID string
	// Title is the text of the document's level-1 heading.
	Title string
	// Team is the owning team, usable as a tag.
	Team string
	// Markdown is the document source.
	Markdown string
}

// Documents returns n documents generated from seed.
func Documents(seed uint64, n int) []Document {
	g := NewGenerator(seed)
	docs := make([]Document, n)
	for i := range docs {
		docs[i] = g.Document(i)
	}
	return docs
}

// Document generates one document. Sizes vary from a short note to a long
// design document (about 0.5–25 KB), with the mix of constructs found in
// real engineering docs.
func (g *Generator) Document(index int) Document {
	title := g.Title()
	team := g.uniform(teams)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	fmt.Fprintf(&b, "_Owner: **%s** team._ %s\n\n", team, g.richSentence())

	sections := 1 + g.skewed(12)
	refs := map[string]string{}
	for s := 0; s < sections; s++ {
		fmt.Fprintf(&b, "## %s\n\n", g.Title())
		blocks := 1 + g.r.IntN(5)
		for k := 0; k < blocks; k++ {
			g.block(&b, refs)
		}
		if g.r.IntN(4) == 0 {
			fmt.Fprintf(&b, "### %s\n\n", g.Title())
			g.paragraph(&b, refs)
		}
	}
	if len(refs) > 0 {
		for label, url := range sortedMap(refs) {
			fmt.Fprintf(&b, "[%s]: %s\n", label, url)
		}
	}
	return Document{ID: fmt.Sprintf("doc-%05d", index), Title: title, Team: team, Markdown: b.String()}
}

func (g *Generator) block(b *strings.Builder, refs map[string]string) {
	switch n := g.r.IntN(20); {
	case n < 9:
		g.paragraph(b, refs)
	case n < 12:
		g.list(b, 0)
		b.WriteString("\n")
	case n < 15:
		g.codeBlock(b)
	case n < 17:
		fmt.Fprintf(b, "> **Note:** %s\n> %s\n\n", g.richSentence(), g.Sentence())
	case n < 18:
		fmt.Fprintf(b, "![%s](https://%s/img/%s.png \"%s\")\n\n", g.Title(), g.uniform(hosts), g.pick(nouns), g.pick(adjectives))
	case n < 19:
		b.WriteString("---\n\n")
	default:
		// An ordered runbook-style procedure.
		for i := 1; i <= 2+g.r.IntN(5); i++ {
			fmt.Fprintf(b, "%d. %s\n", i, g.richSentence())
		}
		b.WriteString("\n")
	}
}

func (g *Generator) paragraph(b *strings.Builder, refs map[string]string) {
	lines := 1 + g.r.IntN(6)
	for i := 0; i < lines; i++ {
		s := g.richSentence()
		if g.r.IntN(6) == 0 {
			label := g.pick(nouns)
			refs[label] = fmt.Sprintf("https://%s/%s", g.uniform(hosts), strings.ReplaceAll(label, " ", "-"))
			s += fmt.Sprintf(" See [%s] for details.", label)
		}
		b.WriteString(s)
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// richSentence is a sentence with inline markup sprinkled in.
func (g *Generator) richSentence() string {
	words := strings.Fields(g.Sentence())
	for i := 1; i < len(words)-1; i++ {
		w := words[i]
		if strings.ContainsAny(w, ".%") {
			continue
		}
		switch g.r.IntN(30) {
		case 0:
			words[i] = "*" + w + "*"
		case 1:
			words[i] = "**" + w + "**"
		case 2:
			words[i] = "`" + w + "()`"
		case 3:
			words[i] = fmt.Sprintf("[%s](https://%s/%s)", w, g.uniform(hosts), w)
		case 4:
			if g.r.IntN(3) == 0 {
				words[i] = fmt.Sprintf("https://%s/%s/%d", g.uniform(hosts), w, g.r.IntN(1000))
			}
		case 5:
			words[i] = w + " & " + g.pick(nouns)
		case 6:
			words[i] = "`<" + w + ">`"
		}
	}
	return strings.Join(words, " ")
}

func (g *Generator) list(b *strings.Builder, depth int) {
	ordered := g.r.IntN(3) == 0
	items := 2 + g.r.IntN(5)
	indent := strings.Repeat("  ", depth)
	if ordered {
		indent = strings.Repeat("   ", depth)
	}
	for i := 1; i <= items; i++ {
		marker := "-"
		if ordered {
			marker = fmt.Sprintf("%d.", i)
		}
		fmt.Fprintf(b, "%s%s %s\n", indent, marker, g.richSentence())
		if depth < 2 && g.r.IntN(5) == 0 {
			var nested strings.Builder
			g.list(&nested, 0)
			pad := indent + strings.Repeat(" ", len(marker)+1)
			for _, line := range strings.Split(strings.TrimSuffix(nested.String(), "\n"), "\n") {
				b.WriteString(pad + line + "\n")
			}
		}
	}
}

func (g *Generator) codeBlock(b *strings.Builder) {
	lang := g.uniform(languages)
	fmt.Fprintf(b, "```%s\n", lang)
	switch lang {
	case "go":
		name := strings.ReplaceAll(g.pick(verbs), " ", "")
		noun := strings.ReplaceAll(g.pick(nouns), " ", "")
		fmt.Fprintf(b, "// %s %ss the %s.\nfunc %s(ctx context.Context, %s *%s) error {\n", capitalize(name), name, noun, name, noun[:1], capitalize(noun))
		for k := 1 + g.r.IntN(6); k > 0; k-- {
			fmt.Fprintf(b, "\tif err := %s.%s(ctx); err != nil {\n\t\treturn fmt.Errorf(\"%s: %%w\", err)\n\t}\n", noun[:1], capitalize(g.pick(verbs)), g.pick(verbs))
		}
		b.WriteString("\treturn nil\n}\n")
	case "bash":
		for k := 1 + g.r.IntN(5); k > 0; k-- {
			fmt.Fprintf(b, "$ kubectl -n %s rollout %s deploy/%s-%s --timeout=%ds\n", g.uniform(teams), g.uniform([]string{"status", "restart", "undo"}), g.uniform(teams), strings.ReplaceAll(g.pick(nouns), " ", "-"), 30*(1+g.r.IntN(10)))
		}
	case "json":
		fmt.Fprintf(b, "{\n  \"service\": \"%s\",\n  \"replicas\": %d,\n  \"timeout_ms\": %d,\n  \"tags\": [\"%s\", \"%s\"]\n}\n", g.pick(nouns), 1+g.r.IntN(12), 50*(1+g.r.IntN(40)), g.pick(adjectives), g.uniform(teams))
	case "yaml":
		fmt.Fprintf(b, "%s:\n  enabled: %v\n  max_%s: %d\n  region: eu-west-%d\n", strings.ReplaceAll(g.pick(nouns), " ", "_"), g.r.IntN(2) == 0, strings.ReplaceAll(g.pick(nouns), " ", "_"), g.r.IntN(5000), 1+g.r.IntN(3))
	default:
		fmt.Fprintf(b, "SELECT %s, count(*) FROM %s\nWHERE created_at > now() - interval '%d hours'\nGROUP BY 1 ORDER BY 2 DESC LIMIT %d;\n", strings.ReplaceAll(g.pick(nouns), " ", "_"), strings.ReplaceAll(g.pick(nouns), " ", "_")+"s", 1+g.r.IntN(72), 10*(1+g.r.IntN(10)))
	}
	b.WriteString("```\n\n")
}
