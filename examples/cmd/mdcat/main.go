// Command mdcat renders Markdown files (or standard input) to HTML on
// standard output, like cat for Markdown:
//
//	mdcat README.md > readme.html
//	mdcat -page -toc docs/*.md > handbook.html
//
// Several files are rendered as one document, in order. With -page the
// output is a standalone HTML page with an embedded stylesheet.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"os"

	"example.com/examples/lib/markdown"
	"example.com/examples/lib/page"
)

func main() {
	asPage := flag.Bool("page", false, "wrap the HTML in a standalone page with a stylesheet")
	toc := flag.Bool("toc", false, "with -page, add a table of contents")
	title := flag.String("title", "", "page title (default: the first level-1 heading)")
	out := flag.String("o", "-", "output file (- for stdout)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mdcat [flags] [file.md ...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if err := run(flag.Args(), *out, *asPage, *toc, *title); err != nil {
		fmt.Fprintln(os.Stderr, "mdcat:", err)
		os.Exit(1)
	}
}

func run(files []string, out string, asPage, toc bool, title string) (err error) {
	src, err := readAll(files)
	if err != nil {
		return err
	}
	var w io.Writer = os.Stdout
	if out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, f.Close()) }()
		w = f
	}
	bw := bufio.NewWriter(w)
	defer func() { err = errors.Join(err, bw.Flush()) }()

	doc := markdown.Parse(src)
	html := markdown.NewRenderer(markdown.Options{HeadingIDs: asPage}).RenderDocument(doc)
	if !asPage {
		_, err = bw.Write(html)
		return err
	}
	p := page.Page{Title: title, Body: template.HTML(html)}
	if p.Title == "" {
		p.Title = doc.Title()
	}
	if toc {
		for _, h := range doc.Headings() {
			p.TOC = append(p.TOC, page.TOCEntry{Level: h.Level, Text: h.Text, ID: h.ID})
		}
	}
	return page.Render(bw, p)
}

// readAll concatenates the files, or reads stdin when there are none. A
// blank line between files keeps one file's last paragraph from running
// into the next file's first.
func readAll(files []string) ([]byte, error) {
	if len(files) == 0 {
		return io.ReadAll(os.Stdin)
	}
	var src []byte
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			src = append(src, "\n\n"...)
		}
		src = append(src, b...)
	}
	return src, nil
}
