package web

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/natowatch/natowatch/release"
)

const (
	pageRecent  = 20  // releases on the page
	searchLimit = 20  // hits shown
	maxQuery    = 200 // bytes of a search query
)

// view is a release as the page and the feeds' HTML show it.
type view struct {
	Title, Link, Kind, Date, Reference, Changed string
	What                                        string // what the last correction changed, in short
	Corrected                                   bool
	Version                                     int
	Summary                                     []string
	Quotes                                      []release.Quote
	Matches                                     []matchView
	Snippet                                     []snip
}

type matchView struct{ Watch, Before, Term, After string }

// snip is a piece of a search snippet, bold where a term matched.
type snip struct {
	Text string
	Bold bool
}

func newView(c cachedEntry) view {
	e := c.entry
	v := view{Title: e.Release.Title, Link: safeURL(e.Release.URL), Kind: e.Release.Type.Label(), Reference: e.Release.Reference,
		Date: day(e.Published), Corrected: e.Version > 1, Version: e.Version, Changed: minute(e.Changed),
		Summary: c.digest.Summary, Quotes: c.digest.Quotes}
	if v.Corrected {
		v.What = whatChanged(e.Release.Changes)
	}
	if v.Title == "" {
		v.Title = e.Release.URL
	}
	for _, m := range c.digest.Matches {
		mv := matchView{Watch: m.Watch, Before: m.Sentence, Term: m.Term}
		s := m.Sentence
		if 0 <= m.Start && m.Start <= m.End && m.End <= len(s) && validCut(s, m.Start) && validCut(s, m.End) {
			mv = matchView{Watch: m.Watch, Before: s[:m.Start], Term: s[m.Start:m.End], After: s[m.End:]}
		}
		v.Matches = append(v.Matches, mv)
	}
	return v
}

// validCut reports whether i is a byte offset between runes of s.
func validCut(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
}

func minute(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

// snippet splits a search passage at its ** marks.
func snippet(s string) []snip {
	var out []snip
	for i, part := range strings.Split(s, "**") {
		if part != "" {
			out = append(out, snip{Text: part, Bold: i%2 == 1})
		}
	}
	return out
}

//go:embed page.html
var pageSource string

var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(template.FuncMap{"when": minute}).Parse(pageSource))
})

type feedLink struct{ Name, Title, Href, Type string }

type pageData struct {
	Version  string
	Feeds    []feedLink
	Recent   []view
	Status   Status
	Query    string
	Searched bool
	Hits     []view
	Error    string
}

// page serves the status page: read-only, no script, everything escaped by
// html/template, and a policy that would not run a script anyway.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := pageData{Version: s.opt.Version}
	base := s.base(r)
	for _, f := range []struct{ ext, typ, name string }{
		{"atom", "application/atom+xml", "Atom"}, {"rss", "application/rss+xml", "RSS"}, {"json", "application/feed+json", "JSON Feed"}} {
		d.Feeds = append(d.Feeds, feedLink{Name: f.name, Title: "natowatch: all releases (" + f.name + ")", Href: base + "/feeds/all." + f.ext, Type: f.typ})
	}
	st, err := s.opt.Backend.Status(ctx)
	if err != nil {
		s.opt.Log.Error("status page", "err", err)
		d.Error = "The state store does not answer."
	}
	d.Status = st
	if heads, err := s.opt.Backend.Heads(ctx, s.opt.Sources, pageRecent); err == nil {
		entries, err := s.entries(ctx, selection{}, heads, pageRecent)
		if err != nil {
			d.Error = "Releases could not be read."
		}
		for _, c := range entries {
			d.Recent = append(d.Recent, newView(c))
		}
	} else {
		d.Error = "Releases could not be read."
	}
	if q := strings.TrimSpace(r.URL.Query().Get("q")); q != "" {
		if len(q) > maxQuery {
			q = strings.ToValidUTF8(q[:maxQuery], "")
		}
		d.Query, d.Searched = q, true
		hits, err := s.opt.Backend.Search(ctx, q, searchLimit)
		if err != nil {
			d.Error = "Search failed."
		}
		for _, h := range hits {
			v := newView(cachedEntry{entry: &h.Entry})
			v.Snippet = snippet(h.Snippet)
			d.Hits = append(d.Hits, v)
		}
	}
	var b bytes.Buffer
	if err := pageTemplate().Execute(&b, d); err != nil {
		s.opt.Log.Error("status page", "err", err)
		http.Error(w, "page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	w.Write(b.Bytes())
}

// whatChanged says in a line what a correction changed: the old title, the
// first sentence added and the first removed, each cut short.
func whatChanged(c *release.Changes) string {
	if c == nil {
		return ""
	}
	const most = 160
	cut := func(s string) string {
		if r := []rune(s); len(r) > most {
			return strings.TrimSpace(string(r[:most])) + "…"
		}
		return s
	}
	more := func(n int) string {
		if n > 1 {
			return fmt.Sprintf(" (and %d more)", n-1)
		}
		return ""
	}
	var parts []string
	if c.TitleChanged != "" {
		parts = append(parts, "the title was “"+cut(c.TitleChanged)+"”")
	}
	if len(c.Added) > 0 {
		parts = append(parts, "added “"+cut(c.Added[0])+"”"+more(len(c.Added)))
	}
	if len(c.Removed) > 0 {
		parts = append(parts, "removed “"+cut(c.Removed[0])+"”"+more(len(c.Removed)))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}
