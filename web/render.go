package web

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/release"
)

// item is one entry as every format shows it.
type item struct {
	ID        string // urn:uuid, from the release's canonical URL
	Link      string // "" unless http(s)
	Title     string
	Kind      string // the type's label
	Type      release.Type
	Reference string
	Published time.Time
	Updated   time.Time
	Text      string // the plain-text summary
	HTML      string // the escaped HTML content
}

// entryID is an entry's id: a name-based UUID (version 5, RFC 9562) of
// the release's canonical URL, the same in every process, replica and
// backend that holds the release.
func entryID(url string) string {
	return "urn:uuid:" + uuid5(url)
}

// uuid5 is a version 5 UUID of name in the URL namespace.
func uuid5(name string) string {
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(name))
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func newItem(c cachedEntry) (item, error) {
	e, d := c.entry, &c.digest
	r := &e.Release
	it := item{ID: entryID(r.URL), Link: safeURL(r.URL), Title: r.Title, Kind: r.Type.Label(), Type: r.Type,
		Reference: r.Reference, Published: e.Published, Updated: e.Published, Text: strings.Join(d.Summary, " ")}
	if it.Published.IsZero() {
		it.Published = e.FirstSeen
		it.Updated = e.FirstSeen
	}
	if e.Version > 1 && e.Changed.After(it.Updated) {
		it.Updated = e.Changed
	}
	if it.Title == "" {
		it.Title = r.URL
	}
	var b bytes.Buffer
	if err := contentHTML().Execute(&b, newView(c)); err != nil {
		return it, fmt.Errorf("web: content of %s: %w", r.URL, err)
	}
	it.HTML = b.String()
	return it, nil
}

// contentHTML is an entry's content: html/template escapes every piece
// of release text, and drops links that are not http(s).
var contentHTML = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("content").Parse(
		`{{if .Corrected}}<p><em>Corrected {{.Changed}} (version {{.Version}}): {{if .What}}{{.What}}{{else}}the text changed since it was first published.{{end}}</em></p>{{end}}` +
			`<p>{{.Kind}}{{if .Date}} · {{.Date}}{{end}}{{if .Reference}} · {{.Reference}}{{end}}</p>` +
			`{{range .Summary}}<p>{{.}}</p>{{end}}` +
			`{{range .Quotes}}<blockquote><p>“{{.Text}}”</p>{{if .Speaker}}<p>— {{.Speaker}}</p>{{end}}</blockquote>{{end}}` +
			`{{range .Matches}}<p>Watch <strong>{{.Watch}}</strong>: {{.Before}}<mark>{{.Term}}</mark>{{.After}}</p>{{end}}` +
			`{{if .Link}}<p><a href="{{.Link}}">Read the release</a></p>{{end}}`))
})

// render builds a feed's body in the format ext.
func (s *Server) render(ctx context.Context, ext string, sel selection, path, base string, window, limit int, modified time.Time) ([]byte, error) {
	heads, err := s.opt.Backend.Heads(ctx, sel.sources, window)
	if err != nil {
		return nil, err
	}
	entries, err := s.entries(ctx, sel, heads, limit)
	if err != nil {
		return nil, err
	}
	items := make([]item, 0, len(entries))
	for _, c := range entries {
		it, err := newItem(c)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	f := feedMeta{ID: "urn:uuid:" + uuid5("natowatch"+path), Title: "natowatch: " + sel.title, Self: base + path,
		Home: base + "/", Updated: modified, Version: s.opt.Version}
	switch ext {
	case "atom":
		return atom(f, items)
	case "rss":
		return rss(f, items)
	}
	return jsonFeed(f, items)
}

type feedMeta struct {
	ID, Title, Self, Home, Version string
	Updated                        time.Time
}

const (
	generator   = "natowatch"
	description = "NATO's releases as natowatch stored them: summary and key quotes" // RSS's and JSON Feed's
)

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    atomText       `xml:"content"`
}

type atomFeed struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string     `xml:"id"`
	Title   atomText   `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

func categories(it item) []atomCategory {
	cs := []atomCategory{{Term: string(it.Type), Label: it.Kind}}
	if it.Reference != "" {
		cs = append(cs, atomCategory{Term: it.Reference, Scheme: "urn:natowatch:reference"})
	}
	return cs
}

// atom writes an Atom feed (RFC 4287).
func atom(f feedMeta, items []item) ([]byte, error) {
	a := atomFeed{ID: f.ID, Title: atomText{"text", f.Title}, Updated: f.Updated.UTC().Format(time.RFC3339),
		Links:     []atomLink{{Href: f.Self, Rel: "self", Type: "application/atom+xml"}, {Href: f.Home, Rel: "alternate", Type: "text/html"}},
		Generator: generator}
	a.Author.Name = "natowatch"
	for _, it := range items {
		e := atomEntry{ID: it.ID, Title: atomText{"text", it.Title}, Published: it.Published.UTC().Format(time.RFC3339),
			Updated: it.Updated.UTC().Format(time.RFC3339), Categories: categories(it), Content: atomText{"html", it.HTML}}
		if it.Link != "" {
			e.Links = []atomLink{{Href: it.Link, Rel: "alternate", Type: "text/html"}}
		}
		if it.Text != "" {
			e.Summary = &atomText{"text", it.Text}
		}
		a.Entries = append(a.Entries, e)
	}
	return marshalXML(a)
}

type rssGUID struct {
	PermaLink string `xml:"isPermaLink,attr"`
	ID        string `xml:",chardata"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Name   string `xml:",chardata"`
}

type rssItem struct {
	Title       string        `xml:"title"`
	Link        string        `xml:"link,omitempty"`
	GUID        rssGUID       `xml:"guid"`
	PubDate     string        `xml:"pubDate"`
	Updated     string        `xml:"atom:updated"`
	Categories  []rssCategory `xml:"category"`
	Description string        `xml:"description"`
}

type rssFeed struct {
	XMLName   xml.Name  `xml:"rss"`
	Version   string    `xml:"version,attr"`
	AtomNS    string    `xml:"xmlns:atom,attr"`
	Title     string    `xml:"channel>title"`
	Link      string    `xml:"channel>link"`
	Desc      string    `xml:"channel>description"`
	Self      atomLink  `xml:"channel>atom:link"`
	BuildDate string    `xml:"channel>lastBuildDate"`
	Generator string    `xml:"channel>generator"`
	Items     []rssItem `xml:"channel>item"`
}

// rss writes an RSS 2.0 feed, with atom:link rel=self and each item's
// atom:updated (RSS has no element for a correction's time).
func rss(f feedMeta, items []item) ([]byte, error) {
	x := rssFeed{Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", Title: f.Title, Link: f.Home,
		Desc: description, BuildDate: f.Updated.UTC().Format(time.RFC1123Z),
		Self: atomLink{Href: f.Self, Rel: "self", Type: "application/rss+xml"}, Generator: generator}
	for _, it := range items {
		ri := rssItem{Title: it.Title, Link: it.Link, GUID: rssGUID{"false", it.ID}, PubDate: it.Published.UTC().Format(time.RFC1123Z),
			Updated: it.Updated.UTC().Format(time.RFC3339), Description: it.HTML,
			Categories: []rssCategory{{Domain: "urn:natowatch:type", Name: string(it.Type)}}}
		if it.Reference != "" {
			ri.Categories = append(ri.Categories, rssCategory{Domain: "urn:natowatch:reference", Name: it.Reference})
		}
		x.Items = append(x.Items, ri)
	}
	return marshalXML(x)
}

func marshalXML(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", " ")
	if err != nil {
		return nil, fmt.Errorf("web: feed: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

type jsonItem struct {
	ID            string   `json:"id"`
	URL           string   `json:"url,omitempty"`
	Title         string   `json:"title"`
	ContentHTML   string   `json:"content_html"`
	ContentText   string   `json:"content_text,omitempty"`
	Summary       string   `json:"summary,omitempty"`
	DatePublished string   `json:"date_published"`
	DateModified  string   `json:"date_modified"`
	Tags          []string `json:"tags"`
}

type jsonFeedDoc struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url"`
	FeedURL     string     `json:"feed_url"`
	Description string     `json:"description"`
	Items       []jsonItem `json:"items"`
}

// jsonFeed writes a JSON Feed 1.1.
func jsonFeed(f feedMeta, items []item) ([]byte, error) {
	j := jsonFeedDoc{Version: "https://jsonfeed.org/version/1.1", Title: f.Title, HomePageURL: f.Home, FeedURL: f.Self,
		Description: description, Items: []jsonItem{}}
	for _, it := range items {
		ji := jsonItem{ID: it.ID, URL: it.Link, Title: it.Title, ContentHTML: it.HTML, ContentText: it.Text, Summary: it.Text,
			DatePublished: it.Published.UTC().Format(time.RFC3339), DateModified: it.Updated.UTC().Format(time.RFC3339),
			Tags: []string{string(it.Type)}}
		if it.Reference != "" {
			ji.Tags = append(ji.Tags, it.Reference)
		}
		j.Items = append(j.Items, ji)
	}
	b, err := json.MarshalIndent(j, "", " ")
	if err != nil {
		return nil, fmt.Errorf("web: feed: %w", err)
	}
	return append(b, '\n'), nil
}
