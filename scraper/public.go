package scraper

import (
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
)

// publicLine is Public's header line:
// "11/02/2017 | Press release | Distributed by Public on 11/02/2017 03:34".
var publicLine = lazyRegexp(`(?m)^\s*(\d{1,2}/\d{1,2}/\d{4})\s*\|\s*([^|\n]{2,60}?)\s*\|\s*Distributed by Public on[^\n]*$`)

type publicMeta struct {
	date  time.Time
	typ   release.Type
	title string
}

// publicHeader reads Public's header line, and the title that follows it,
// from a page's text.
func publicHeader(text string) *publicMeta {
	if !strings.Contains(text, "Distributed by Public") {
		return nil
	}
	loc := publicLine().FindStringSubmatchIndex(text)
	if loc == nil {
		return nil
	}
	m := &publicMeta{typ: typeOfLabel(text[loc[4]:loc[5]])}
	if m.typ == "" {
		m.typ = release.TypeOther
	}
	if t, err := ParseDate(text[loc[2]:loc[3]]); err == nil {
		m.date = t
	}
	for _, line := range strings.Split(text[loc[1]:], "\n") {
		if l := clean(line); l != "" {
			m.title = l
			break
		}
	}
	return m
}

// extractPublicText reads a release in Public's plain-text form: issuer,
// header line, title, then paragraphs separated by blank lines.
func extractPublicText(text string) *Article {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	a := &Article{}
	rest := text
	if m := publicHeader(text); m != nil {
		a.Published, a.Type, a.Title = m.date, m.typ, m.title
		loc := publicLine().FindStringIndex(text)
		rest = text[loc[1]:]
		if i := strings.Index(rest, m.title); i >= 0 {
			rest = rest[i+len(m.title):]
		}
	}
	for _, p := range strings.Split(rest, "\n\n") {
		if p = clean(p); p != "" {
			a.Body = append(a.Body, p)
		}
	}
	if a.Title == "" && len(a.Body) > 0 {
		a.Title, a.Body = a.Body[0], a.Body[1:]
	}
	return a
}
