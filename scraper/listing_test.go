package scraper

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseListingsGolden(t *testing.T) {
	since := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		parse func() ([]Candidate, error)
		min   int
	}{
		{"new_sitemap", func() ([]Candidate, error) {
			items, _, err := ParseSitemap(readFixture(t, "new/sitemap.xml"))
			return natoItems(items, "en", since), err
		}, 5},
		{"new_hub", func() ([]Candidate, error) {
			return ParseLinks(readFixture(t, "new/news-hub.html"), mustURL(t, "https://www.nato.int/en/news-and-events/articles/news"),
				func(u *url.URL) bool { return datedItem().MatchString(u.Path) })
		}, 8},
		{"legacy_listing", func() ([]Candidate, error) {
			return ParseLegacyListing(readFixture(t, "legacy/news-listing.html"), mustURL(t, "https://www.nato.int/cps/en/natohq/news.htm"))
		}, 10},
		{"legacy_rss", func() ([]Candidate, error) {
			return ParseFeed(readFixture(t, "legacy/rss.xml"), mustURL(t, "https://www.nato.int/cps/rss/en/natohq/rssFeed.xsl/rssFeed.xml"))
		}, 8},
		{"publicnow_listing", func() ([]Candidate, error) {
			s := &Source{cfg: SourceConfig{Kind: release.SourcePublicNow}}
			return s.parseListing(nil, "https://www.publicnow.com/issuer/nato", &Page{URL: "https://www.publicnow.com/issuer/nato", Body: readFixture(t, "publicnow/listing.html")})
		}, 8},
		{"html_newsroom", func() ([]Candidate, error) {
			return ParseHTMLListing(readFixture(t, "html/newsroom.html"), mustURL(t, "https://shape.example/news"),
				HTMLSelectors{Item: "article.teaser", Link: "h2 a", Date: "time"})
		}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.parse()
			if err != nil {
				t.Fatal(err)
			}
			if len(got) < c.min {
				t.Fatalf("%d candidates, want at least %d", len(got), c.min)
			}
			for _, cand := range got {
				if cand.URL == "" || strings.Contains(cand.URL, "SID-") || strings.Contains(cand.URL, "selectedLocale") {
					t.Errorf("URL not canonical: %q", cand.URL)
				}
			}
			golden(t, "listing_"+c.name, got)
		})
	}
}

func TestLegacyRSSOddDates(t *testing.T) {
	got, err := ParseFeed(readFixture(t, "legacy/rss.xml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c.Published.IsZero() || c.Published.Year() < 2000 {
			t.Errorf("%s: pubDate not read: %v", c.URL, c.Published)
		}
		if c.Summary == "" || strings.Contains(c.Summary, "<") {
			t.Errorf("%s: summary %q", c.URL, c.Summary)
		}
	}
}

func TestListingErrorsAreSpecific(t *testing.T) {
	if _, err := ParseFeed(readFixture(t, "broken/not-xml.rss"), nil); err == nil || !strings.Contains(err.Error(), "feed") {
		t.Errorf("HTML served as a feed: err = %v", err)
	}
	if _, _, err := ParseSitemap([]byte("<html><body>nope</body></html>")); err == nil {
		t.Error("HTML served as a sitemap parsed")
	}
	_, err := ParseHTMLListing(readFixture(t, "html/newsroom.html"), mustURL(t, "https://x"), HTMLSelectors{Item: "div.nothing-here"})
	if err == nil || !strings.Contains(err.Error(), "div.nothing-here") {
		t.Errorf("a selector that matches nothing: err = %v", err)
	}
}

func TestCanonical(t *testing.T) {
	cases := map[string]string{
		"https://www.nato.int/cps/en/SID-85AA360E-7DC3EE4E/natolive/news_123.htm?selectedLocale=en": "https://www.nato.int/cps/en/natohq/news_123.htm",
		"https://nato.int/cps/en/natohq/news_123.htm#top":                                           "https://www.nato.int/cps/en/natohq/news_123.htm",
		"https://WWW.NATO.INT/en/news-and-events/articles/news/2026/11/26/x/?utm_source=tw":         "https://www.nato.int/en/news-and-events/articles/news/2026/11/26/x",
		"https://ebs.publicnow.com/view/c8b05951bc5e76cd4b90a4eeb5c14c0a6e89332f?1698765432":        "https://www.publicnow.com/view/C8B05951BC5E76CD4B90A4EEB5C14C0A6E89332F",
		"http://127.0.0.1:8080/a/b": "http://127.0.0.1:8080/a/b",
		"http://127.0.0.1:8080/view/A1B2C3D4E5F60718293A4B5C6D7E8F9012345678?1764300000": "http://127.0.0.1:8080/view/A1B2C3D4E5F60718293A4B5C6D7E8F9012345678",
		"https://example.org/news?id=5&1764300000":                                       "https://example.org/news?id=5",
	}
	for in, want := range cases {
		if got := Canonical(in, nil); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Canonical("news_9.htm", mustURL(t, "https://www.nato.int/cps/en/natohq/news.htm")); got != "https://www.nato.int/cps/en/natohq/news_9.htm" {
		t.Errorf("relative: %q", got)
	}
}
