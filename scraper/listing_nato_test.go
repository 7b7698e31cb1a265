package scraper

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/fakenato"
	"github.com/natowatch/natowatch/release"
)

// memValidators is a store of validators, as the app keeps them.
type memValidators struct {
	mu sync.Mutex
	m  map[string]release.Validators
}

func (v *memValidators) get(_ context.Context, u string) (release.Validators, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.m[u], nil
}

func (v *memValidators) save(l *Listing) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]release.Validators{}
	}
	for u, x := range l.Fetched {
		v.m[u] = x
	}
}

func natoSource(site *fakenato.Site) *Source {
	return NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: site.URL()}, NewFetcher(FetcherOptions{PerHostRate: 1000}))
}

func hasURL(cs []Candidate, suffix string) *Candidate {
	for i := range cs {
		if strings.HasSuffix(cs[i].URL, suffix) {
			return &cs[i]
		}
	}
	return nil
}

// The JSON listings give every kind with its by-line; the first check also
// sweeps the sitemap; a warm idle check is four 304s (three JSON
// listings and the hub) and no sitemap.
func TestNATOListingByJSON(t *testing.T) {
	site := fakenato.New(t)
	now := time.Now().UTC()
	site.Publish(fakenato.Item{Title: "Allies agree on air defence", Date: now, Paragraphs: []string{"Body."}})
	site.Publish(fakenato.Item{Kind: "press-release", Title: "Statement on the launch", Date: now, Paragraphs: []string{"Body."}})
	site.Publish(fakenato.Item{Kind: "transcript", Slug: "press-conference", Title: "Press conference", Date: now, Paragraphs: []string{"Body."},
		Byline: "by NATO Secretary General Mark Rutte at the meeting of Foreign Ministers | Brussels, Belgium"})
	site.Publish(fakenato.Item{Kind: "transcript", Slug: "press-conference", Title: "Press conference", Date: now.AddDate(0, 0, -1), Paragraphs: []string{"Body."}})
	site.Publish(fakenato.Item{Kind: "official-text", Title: "Summit Declaration", Date: now, Paragraphs: []string{"Body."}})
	site.Archive(2000)
	src := natoSource(site)
	var vs memValidators
	l, err := src.List(context.Background(), vs.get)
	if err != nil {
		t.Fatal(err)
	}
	if l.Route != "json+sitemap" || l.Refused || len(l.Warnings) > 0 {
		t.Fatalf("route %q refused %v warnings %v", l.Route, l.Refused, l.Warnings)
	}
	if len(l.Candidates) != 5 {
		t.Fatalf("%d candidates, want 5: %+v", len(l.Candidates), l.Candidates)
	}
	tr := hasURL(l.Candidates, now.Format("2006/01/02")+"/press-conference")
	if tr == nil || tr.Byline == "" || tr.Title != "Press conference" || tr.Kind != "Transcript" || tr.Published.IsZero() {
		t.Fatalf("transcript candidate %+v", tr)
	}
	for _, c := range l.Candidates {
		if strings.Contains(c.URL, "selectedLocale") || strings.Contains(c.URL, "/events/20") {
			t.Errorf("candidate %s", c.URL)
		}
	}
	vs.save(l)

	before, bytesBefore := site.Requests(), site.Bytes()
	l, err = src.List(context.Background(), vs.get)
	if err != nil || !l.NotModified || l.Route != "json" {
		t.Fatalf("idle check: err %v, not modified %v, route %q", err, l.NotModified, l.Route)
	}
	if n, b := site.Requests()-before, site.Bytes()-bytesBefore; n != 4 || b > 0 {
		t.Errorf("idle check: %d requests, %d bytes; want 4 and 0; reads %+v", n, b, l.Reads)
	}
	// A new process (natowatch once) knows the sweep from the validators.
	l, err = natoSource(site).List(context.Background(), vs.get)
	if err != nil || l.Route != "json" {
		t.Fatalf("new process: err %v, route %q", err, l.Route)
	}
}

// A JSON listing that answers 400, or HTML, falls back on the sitemap
// without failing the source; new items are still found.
func TestNATOJSONRefusedFallsBackOnSitemap(t *testing.T) {
	for _, how := range []string{"400", "403", "html"} {
		t.Run(how, func(t *testing.T) {
			site := fakenato.New(t)
			site.Publish(fakenato.Item{Title: "Older item", Date: time.Now().Add(-time.Hour), Paragraphs: []string{"Body."}})
			var vs memValidators
			l, err := natoSource(site).List(context.Background(), vs.get)
			if err != nil {
				t.Fatal(err)
			}
			vs.save(l)
			switch how {
			case "html":
				site.Set(fakenato.Options{JSONAnswersHTML: true})
			case "400":
				site.Fail(fakenato.SearchPath("news"), 400)
			default:
				for _, k := range []string{"news", "transcript", "official-text"} {
					site.Fail(fakenato.SearchPath(k), 403)
				}
			}
			p := site.Publish(fakenato.Item{Title: "Brand new item", Paragraphs: []string{"Body."}})
			// A new process, as natowatch once is; the sweep was just done,
			// and while the JSON listing refuses it is due again after
			// min(SitemapEvery, 15 minutes): here at once.
			src := NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: site.URL(), SitemapEvery: time.Nanosecond}, NewFetcher(FetcherOptions{PerHostRate: 1000}))
			l, err = src.List(context.Background(), vs.get)
			if err != nil {
				t.Fatalf("the source failed: %v", err)
			}
			if !l.Refused || !strings.Contains(l.Route, "sitemap") || hasURL(l.Candidates, p) == nil {
				t.Fatalf("refused %v, route %q, candidates %+v, warnings %v", l.Refused, l.Route, l.Candidates, l.Warnings)
			}
			if !strings.Contains(strings.Join(l.Warnings, "\n"), "JSON listing refused") {
				t.Errorf("warnings %v", l.Warnings)
			}
		})
	}
}

// Paging stops at items listed last time, and never goes past maxJSONPages.
func TestNATOJSONPagingIsBounded(t *testing.T) {
	site := fakenato.New(t)
	now := time.Now().UTC()
	for i := range 100 {
		site.Publish(fakenato.Item{Title: fmt.Sprintf("Item %d", i), Date: now.Add(-time.Duration(i) * time.Minute), Paragraphs: []string{"Body."}})
	}
	src := natoSource(site)
	var vs memValidators
	l, err := src.List(context.Background(), vs.get)
	if err != nil {
		t.Fatal(err)
	}
	if total, _ := site.Hits(fakenato.SearchPath("news")); total != maxJSONPages {
		t.Errorf("news listing read %d pages, want %d", total, maxJSONPages)
	}
	vs.save(l)
	site.Publish(fakenato.Item{Title: "Newest", Paragraphs: []string{"Body."}})
	before, _ := site.Hits(fakenato.SearchPath("news"))
	if l, err = src.List(context.Background(), vs.get); err != nil || hasURL(l.Candidates, "/newest") == nil {
		t.Fatalf("err %v, candidates %d", err, len(l.Candidates))
	}
	if total, _ := site.Hits(fakenato.SearchPath("news")); total-before != 1 {
		t.Errorf("after one new item, read %d pages, want 1", total-before)
	}
}

// An app-shell hub is no error; a hub that lists items again is used.
func TestNATOHub(t *testing.T) {
	site := fakenato.New(t)
	p := site.Publish(fakenato.Item{Title: "Item on the hub", Paragraphs: []string{"Body."}})
	for _, k := range []string{"news", "transcript", "official-text"} {
		site.Fail(fakenato.SearchPath(k), 400)
	}
	site.Fail("/sitemap.xml", 404)
	site.Fail("/robots.txt", 404)
	var vs memValidators
	l, err := natoSource(site).List(context.Background(), vs.get)
	if err == nil {
		t.Fatalf("no route gave items, and the sitemap failed: want an error; listing %+v", l)
	}
	site.Set(fakenato.Options{HubListsItems: true})
	l, err = natoSource(site).List(context.Background(), vs.get)
	if l == nil || l.Route != "hub" || hasURL(l.Candidates, p) == nil {
		t.Fatalf("hub with items: %+v, %v", l, err)
	}
}

func serveSitemap(t *testing.T, body func(w http.ResponseWriter, r *http.Request)) *Source {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/sitemap.xml", body)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad request", 400) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: srv.URL, SitemapEvery: time.Nanosecond}, NewFetcher(FetcherOptions{PerHostRate: 1000}))
}

func urlEntry(i int, d time.Time) string {
	return fmt.Sprintf("<url><loc>https://www.nato.int/en/news-and-events/articles/news/%s/item-%d</loc></url>\n", d.Format("2006/01/02"), i)
}

// A truncated sitemap, or one over the cap, gives what was read and a
// warning; gzip is read; an index of 1,000 children reads a bounded few.
func TestSitemapBadInput(t *testing.T) {
	today := time.Now().UTC()
	t.Run("truncated", func(t *testing.T) {
		src := serveSitemap(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "<urlset>%s%s<url><loc>https://www.nato.int/en/news-and", urlEntry(1, today), urlEntry(2, today))
		})
		l, err := src.List(context.Background(), noValidators)
		if err != nil || len(l.Candidates) != 2 || !strings.Contains(strings.Join(l.Warnings, " "), "sitemap read in part") {
			t.Fatalf("err %v, %d candidates, warnings %v", err, len(l.Candidates), l.Warnings)
		}
		if _, ok := l.Fetched[src.sitemapURL()]; ok {
			t.Error("the validators of a sitemap read in part were kept")
		}
	})
	t.Run("gzip and over the cap", func(t *testing.T) {
		var plain bytes.Buffer
		plain.WriteString("<urlset>")
		for i := 0; plain.Len() < 2<<20; i++ {
			plain.WriteString(urlEntry(i, today.AddDate(-30, 0, 0)))
		}
		plain.WriteString(urlEntry(-1, today) + "</urlset>")
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(plain.Bytes())
		zw.Close()
		src := serveSitemap(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Accept-Encoding") != "gzip" {
				t.Errorf("Accept-Encoding %q", r.Header.Get("Accept-Encoding"))
			}
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gz.Bytes())
		})
		l, err := src.List(context.Background(), noValidators)
		if err != nil || len(l.Candidates) != 1 || l.Reads[len(l.Reads)-2].Bytes != int64(gz.Len()) {
			t.Fatalf("err %v, %d candidates, reads %+v", err, len(l.Candidates), l.Reads)
		}
		old := sitemapLimits
		sitemapLimits.MaxBytes = 1 << 20
		defer func() { sitemapLimits = old }()
		l, err = src.List(context.Background(), noValidators)
		if err != nil || !strings.Contains(strings.Join(l.Warnings, " "), ErrTooLarge.Error()) {
			t.Fatalf("over the cap: err %v, warnings %v", err, l.Warnings)
		}
	})
	t.Run("index of 1000", func(t *testing.T) {
		var children int
		var mu sync.Mutex
		var src *Source
		src = serveSitemap(t, func(w http.ResponseWriter, r *http.Request) {
			if c := r.URL.Query().Get("child"); c != "" {
				mu.Lock()
				children++
				mu.Unlock()
				fmt.Fprintf(w, "<urlset>%s</urlset>", urlEntry(len(c), today))
				return
			}
			var b strings.Builder
			b.WriteString("<sitemapindex>")
			for i := range 1000 {
				fmt.Fprintf(&b, "<sitemap><loc>http://%s/sitemap.xml?child=%d</loc></sitemap>", r.Host, i)
			}
			b.WriteString("</sitemapindex>")
			w.Write([]byte(b.String()))
		})
		l, err := src.List(context.Background(), noValidators)
		if err != nil || children != maxSitemapChildrenRead || len(l.Candidates) == 0 {
			t.Fatalf("err %v, read %d children, %d candidates", err, children, len(l.Candidates))
		}
	})
}

// An empty or malformed feed is an error, not a quiet check (issue 13).
func TestEmptyFeedIsAnError(t *testing.T) {
	for name, body := range map[string]string{
		"empty rss":     `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`,
		"empty json":    `{"version":"https://jsonfeed.org/version/1.1","title":"x","items":[]}`,
		"malformed xml": `<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</titl></channel>`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
		s := NewSource(SourceConfig{Name: "feed", Kind: release.SourceRSS, URL: srv.URL}, NewFetcher(FetcherOptions{}))
		l, err := s.List(context.Background(), noValidators)
		srv.Close()
		if err == nil {
			t.Errorf("%s: no error, listing %+v", name, l)
		}
		if name != "malformed xml" && !errors.Is(err, ErrEmptyListing) {
			t.Errorf("%s: err %v, want ErrEmptyListing", name, err)
		}
	}
}

// BenchmarkSitemapStream reads the fake's 10 MB, 60,000-URL sitemap as a
// sweep does, keeping two weeks.
func BenchmarkSitemapStream(b *testing.B) {
	site := fakenato.New(b)
	site.Archive(60000)
	resp, err := http.Get(site.URL() + "/sitemap.xml")
	if err != nil {
		b.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	since := time.Now().AddDate(0, 0, -14)
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, n, err := SitemapStream(bytes.NewReader(body.Bytes()), func(c Candidate) bool { return natoItem(&c, "en", since) }); err != nil || n < 60000 {
			b.Fatal(n, err)
		}
	}
}

func FuzzParseSearchJSON(f *testing.F) {
	f.Add(readFixture(f, "listing/transcripts-search.json"))
	f.Add(readFixture(f, "listing/news-search.json"))
	f.Add([]byte(`{"pages":null}`))
	base := mustURL(f, "https://www.nato.int/")
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, _, err := ParseSearchJSON(b, base, "en")
		if err != nil && len(cs) > 0 {
			t.Fatal("candidates with an error")
		}
	})
}

func FuzzSitemapStream(f *testing.F) {
	f.Add(readFixture(f, "new/sitemap.xml"))
	f.Add([]byte(`<sitemapindex><sitemap><loc>https://x/a.xml</loc></sitemap></sitemapindex>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, _, read, _ := SitemapStream(bytes.NewReader(b), nil)
		if len(items) > read {
			t.Fatalf("%d items of %d entries read", len(items), read)
		}
	})
}

// The JSON fixtures (written from the fake, which follows nato-sources.md)
// parse to dated items with their by-lines.
func TestParseSearchJSONFixtures(t *testing.T) {
	base := mustURL(t, "https://www.nato.int/")
	cs, pages, err := ParseSearchJSON(readFixture(t, "listing/transcripts-search.json"), base, "en")
	if err != nil || pages != 1 || len(cs) != 2 {
		t.Fatalf("%d candidates, %d pages, %v", len(cs), pages, err)
	}
	if cs[0].Title != "Speech" || !strings.HasSuffix(cs[0].Byline, "| Münster, Germany") || cs[0].Kind != "Transcript" ||
		cs[1].URL != "https://www.nato.int/en/news-and-events/events/transcripts/2026/11/23/press-conference" {
		t.Errorf("%+v", cs)
	}
	if _, _, err := ParseSearchJSON(readFixture(t, "listing/news-hub-shell.html"), base, "en"); !errors.Is(err, ErrRefused) {
		t.Errorf("an HTML answer: %v", err)
	}
	if cs, err := new(Source).hub(readFixture(t, "listing/news-hub-shell.html"), base, time.Time{}); err != nil || len(cs) != 0 {
		t.Errorf("app shell: %d items, %v", len(cs), err)
	}
}
