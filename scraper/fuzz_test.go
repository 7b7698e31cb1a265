package scraper

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzExtract(f *testing.F) {
	for _, p := range append(pageFixtures, newSiteFixtures...) {
		f.Add(readFixture(f, p.file), p.url, p.contentType)
	}
	f.Add(readFixture(f, "broken/truncated.html"), "https://www.nato.int/en/x", "text/html")
	f.Add([]byte("<html><body><b>Q</b><br><br><p>\x00</p>"), "https://example.org/", "text/html")
	for _, d := range dialogVariants {
		f.Add([]byte("<body>"+d+"<h1>Speech</h1><h3 class=h3-style>by NATO Secretary General Mark Rutte | Riga</h3><div class=ca04-rich-text><p>(As delivered)</p><p>Mark Rutte, NATO Secretary General</p><p>2 MIN READ</p></div>"), "https://www.nato.int/en/news-and-events/events/2026/10/x", "text/html; charset=windows-1252")
	}
	f.Fuzz(func(t *testing.T, body []byte, pageURL, contentType string) {
		a, err := Extract(body, pageURL, contentType)
		if err != nil {
			return
		}
		if a.Title == "" || len(strings.Join(a.Body, " ")) < minBodyChars {
			t.Fatalf("accepted an article without title or body: %+v", a)
		}
		for _, p := range a.Body {
			if !utf8.ValidString(p) || strings.TrimSpace(p) != p || p == "" {
				t.Fatalf("bad paragraph %q", p)
			}
		}
		if utf8.RuneCountInString(a.Title) > maxTitle {
			t.Fatalf("title of %d characters", utf8.RuneCountInString(a.Title))
		}
	})
}

func FuzzParseFeed(f *testing.F) {
	f.Add(readFixture(f, "legacy/rss.xml"))
	f.Add(readFixture(f, "broken/not-xml.rss"))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>t</title><link href="x"/><updated>bad</updated></entry></feed>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		cands, err := ParseFeed(body, mustURL(t, "https://www.nato.int/feed"))
		if err != nil {
			return
		}
		for _, c := range cands {
			if c.URL == "" {
				t.Fatal("candidate without URL")
			}
		}
	})
}

func FuzzParseListings(f *testing.F) {
	f.Add(readFixture(f, "legacy/news-listing.html"))
	f.Add(readFixture(f, "new/news-hub.html"))
	f.Add(readFixture(f, "new/sitemap.xml"))
	f.Fuzz(func(t *testing.T, body []byte) {
		base := mustURL(t, "https://www.nato.int/cps/en/natohq/news.htm")
		_, _ = ParseLegacyListing(body, base)
		_, _, _ = ParseSitemap(body)
		_, _ = ParseHTMLListing(body, base, HTMLSelectors{Item: "article", Date: "time"})
	})
}
