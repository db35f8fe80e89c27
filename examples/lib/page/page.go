// Package page wraps rendered HTML fragments in complete documents. Its
// templates and stylesheet are compiled into the binary with go:embed (a
// glob pattern and a single file), which makes it the example monorepo's
// test of embedsrcs handling.
package page

import (
	"embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed assets/style.css
var styleCSS []byte

//go:embed assets/templates/*.tmpl
var templateFS embed.FS

// templates are parsed once; a parse failure is a bug in the embedded
// files, caught by the package's tests.
var templates = template.Must(template.ParseFS(templateFS, "assets/templates/*.tmpl"))

// TOCEntry is one line of a table of contents.
type TOCEntry struct {
	// Level is the heading level, 1–6.
	Level int
	// Text is the heading text.
	Text string
	// ID is the anchor the entry links to.
	ID string
}

// Page is a rendered document to wrap.
type Page struct {
	// Title goes in <title>.
	Title string
	// Body is trusted HTML, such as the Markdown renderer's output.
	Body template.HTML
	// TOC, when non-empty, is rendered as a navigation box.
	TOC []TOCEntry
	// Footer is optional plain text.
	Footer string
}

// pageData adds the inlined stylesheet to a Page for the template.
type pageData struct {
	Page
	CSS template.CSS
}

// Render writes p as a standalone HTML document with the stylesheet
// inlined, so the output can be saved and opened without a server.
func Render(w io.Writer, p Page) error {
	if p.Title == "" {
		p.Title = "Untitled"
	}
	if err := templates.ExecuteTemplate(w, "page.html.tmpl", pageData{Page: p, CSS: template.CSS(styleCSS)}); err != nil {
		return fmt.Errorf("render page: %w", err)
	}
	return nil
}

// Index is the data of a service's landing page with a Markdown form.
type Index struct {
	// Service is the name shown as the heading.
	Service string
	// Endpoint is where the form posts.
	Endpoint string
	// Sample pre-fills the text area.
	Sample string
}

// RenderIndex writes the landing page.
func RenderIndex(w io.Writer, idx Index) error {
	if err := templates.ExecuteTemplate(w, "index.html.tmpl", idx); err != nil {
		return fmt.Errorf("render index: %w", err)
	}
	return nil
}

// Stylesheet returns the embedded stylesheet, for serving at
// /static/style.css. The caller must not modify it.
func Stylesheet() []byte {
	return styleCSS
}
