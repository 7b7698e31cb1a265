package scraper

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
)

// Candidate is one item a listing, feed or sitemap names.
type Candidate struct {
	URL       string    // canonical
	GUID      string    // feed guid, if any
	Title     string    // as listed, if any
	Published time.Time // as listed, if any
	LastMod   time.Time // sitemap lastmod, if any
	Summary   string    // feed description, plain text: a fallback body
	Byline    string    `json:",omitempty"` // nato JSON listing: who spoke and where ("by NATO Secretary General …")
	Kind      string    `json:",omitempty"` // nato JSON listing: the pageType ("Transcript", "news", …)
}

// datedItem matches the new site's item URLs: a language, a section, a
// date and a slug (/en/news-and-events/articles/news/2026/11/26/slug, the
// transcripts and official texts likewise, and sections yet to come).
var datedItem = lazyRegexp(`^/([a-z]{2})/(?:[a-z0-9-]+/)+\d{4}/\d{2}/\d{2}/[^/]+/?$`)

// legacyItemLink matches the /cps/ site's item pages.
var legacyItemLink = lazyRegexp(`/cps/[a-z]{2}/.*(news|opinions|official_texts)_\d+\.htm`)

// natoItem reports whether a sitemap entry is a dated item in lang, and
// recent: dated in the lookback, or modified in it. It sets Published from
// the URL.
func natoItem(c *Candidate, lang string, since time.Time) bool {
	u, err := url.Parse(c.URL)
	if err != nil {
		return false
	}
	m := datedItem().FindStringSubmatch(u.Path)
	if m == nil || (lang != "" && m[1] != lang) {
		return false
	}
	if d, ok := DateFromURL(c.URL); ok {
		c.Published = d
		if d.Before(since) && (c.LastMod.IsZero() || c.LastMod.Before(since)) {
			return false
		}
	}
	return true
}

// natoItems keeps the sitemap entries that are dated items in lang.
func natoItems(in []Candidate, lang string, since time.Time) []Candidate {
	var out []Candidate
	for _, c := range in {
		if natoItem(&c, lang, since) {
			out = append(out, c)
		}
	}
	return out
}

// ParseLinks returns the links of an HTML listing whose resolved path
// matches keep, with their text as title, in page order, once each.
func ParseLinks(body []byte, base *url.URL, keep func(*url.URL) bool) ([]Candidate, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("listing: %w", err)
	}
	return links(doc, base, keep), nil
}

// links is ParseLinks on a parsed page.
func links(doc *goquery.Document, base *url.URL, keep func(*url.URL) bool) []Candidate {
	var out []Candidate
	doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		u, err := base.Parse(strings.TrimSpace(href))
		if err != nil || !keep(u) {
			return
		}
		c := Candidate{URL: Canonical(u.String(), nil), Title: clean(s.Text())}
		if d, ok := DateFromURL(c.URL); ok {
			c.Published = d
		}
		out = append(out, c)
	})
	return firstOfEach(out)
}

// firstOfEach keeps the first candidate of each URL, in order: a page
// links an item from its title, its picture and its "read more".
func firstOfEach(cs []Candidate) []Candidate {
	seen := make(map[string]bool, len(cs))
	out := cs[:0]
	for _, c := range cs {
		if !seen[c.URL] {
			seen[c.URL] = true
			out = append(out, c)
		}
	}
	return out
}

// ParseLegacyListing reads a /cps/ listing page: rows of date, link and
// summary inside div.searchresults; any other link to an item page counts
// too, undated.
func ParseLegacyListing(body []byte, base *url.URL) ([]Candidate, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("legacy listing: %w", err)
	}
	var out []Candidate
	doc.Find("tr").Each(func(_ int, row *goquery.Selection) {
		a := row.Find("a[href]").FilterFunction(func(_ int, s *goquery.Selection) bool {
			h, _ := s.Attr("href")
			return legacyItemLink().MatchString(resolve(base, h))
		}).First()
		if a.Length() == 0 {
			return
		}
		href, _ := a.Attr("href")
		c := Candidate{URL: Canonical(href, base), Title: clean(a.Text()), Summary: clean(row.Find("small").Text())}
		row.Find("td").EachWithBreak(func(_ int, td *goquery.Selection) bool {
			if t, err := ParseDate(clean(td.Text())); err == nil {
				c.Published = t
				return false
			}
			return true
		})
		out = append(out, c)
	})
	out = append(out, links(doc, base, func(u *url.URL) bool { return legacyItemLink().MatchString(u.Path) })...)
	return firstOfEach(out), nil
}

func resolve(base *url.URL, href string) string {
	u, err := base.Parse(strings.TrimSpace(href))
	if err != nil {
		return ""
	}
	return u.String()
}

// ParseFeed reads an RSS or Atom feed. Dates gofeed cannot read (NATO's
// "19 Sep. 2025 12:00:00 GMT") go through ParseDate.
func ParseFeed(body []byte, base *url.URL) ([]Candidate, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		if looksLikeHTML(body) {
			return nil, errors.New("feed: the URL served an HTML page, not RSS or Atom")
		}
		return nil, fmt.Errorf("feed: %w", err)
	}
	var out []Candidate
	for _, it := range feed.Items {
		link := strings.TrimSpace(it.Link)
		if link == "" && len(it.Links) > 0 {
			link = strings.TrimSpace(it.Links[0])
		}
		if link == "" {
			continue
		}
		c := Candidate{URL: Canonical(link, base), GUID: strings.TrimSpace(it.GUID), Title: clean(it.Title)}
		switch {
		case it.PublishedParsed != nil:
			c.Published = it.PublishedParsed.UTC()
		case it.Published != "":
			if t, err := ParseDate(it.Published); err == nil {
				c.Published = t
			}
		}
		if c.Published.IsZero() && it.UpdatedParsed != nil {
			c.Published = it.UpdatedParsed.UTC()
		}
		desc := it.Content
		if len(desc) < len(it.Description) {
			desc = it.Description
		}
		c.Summary = htmlText(desc)
		out = append(out, c)
	}
	return out, nil
}

func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	return strings.Contains(head, "<!doctype html") || strings.Contains(head, "<html")
}

// htmlText turns a fragment of HTML into plain text.
func htmlText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return clean(s)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		return clean(s)
	}
	return strings.Join(paragraphs(doc.Selection), "\n\n")
}

// HTMLSelectors tell how to read an operator's newsroom listing.
type HTMLSelectors struct {
	Item  string // each item (required)
	Link  string // the link inside an item (default "a[href]")
	Title string // the title inside an item (default: the link's text)
	Date  string // the date inside an item (optional; datetime attribute or text)
}

// ParseHTMLListing reads a listing with operator-given selectors.
func ParseHTMLListing(body []byte, base *url.URL, sel HTMLSelectors) ([]Candidate, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("listing: %w", err)
	}
	if sel.Link == "" {
		sel.Link = "a[href]"
	}
	var out []Candidate
	items := doc.Find(sel.Item)
	items.Each(func(_ int, it *goquery.Selection) {
		link := it.Find(sel.Link).First()
		if it.Is(sel.Link) {
			link = it
		}
		href, ok := link.Attr("href")
		if !ok {
			return
		}
		c := Candidate{URL: Canonical(href, base), Title: clean(link.Text())}
		if sel.Title != "" {
			if t := clean(it.Find(sel.Title).First().Text()); t != "" {
				c.Title = t
			}
		}
		if sel.Date != "" {
			d := it.Find(sel.Date).First()
			v, ok := d.Attr("datetime")
			if !ok {
				v = d.Text()
			}
			if t, err := ParseDate(clean(v)); err == nil {
				c.Published = t
			}
		}
		out = append(out, c)
	})
	if items.Length() == 0 {
		return nil, fmt.Errorf("listing: the item selector %q matches nothing on the page", sel.Item)
	}
	return out, nil
}
