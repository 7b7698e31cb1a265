package scraper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/release"
)

func noValidators(context.Context, string) (release.Validators, error) {
	return release.Validators{}, nil
}

// A site whose sitemap lives where robots.txt says and that has no news
// hub is still read, without an error.
func TestNATOSitemapFromRobotsAndNoHub(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nSitemap: https://www.nato.int/content/sitemap-en.xml\n"))
	})
	mux.HandleFunc("/content/sitemap-en.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<urlset><url><loc>https://www.nato.int/en/news-and-events/articles/news/2099/01/02/future</loc><lastmod>2099-01-02</lastmod></url></urlset>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: srv.URL}, NewFetcher(FetcherOptions{}))
	l, err := s.List(context.Background(), noValidators)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Candidates) != 1 || !strings.HasSuffix(l.Candidates[0].URL, "/future") {
		t.Fatalf("candidates = %+v", l.Candidates)
	}
	if _, ok := l.Fetched[srv.URL+"/content/sitemap-en.xml"]; !ok {
		t.Fatalf("fetched = %v", l.Fetched)
	}
}

// One listing URL failing while another answers gives the partial listing
// and an error naming the failure.
func TestPartialListing(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) })
	mux.HandleFunc("/en/news-and-events/articles/news", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<a href="/en/news-and-events/articles/news/2099/01/02/x">X</a>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: srv.URL}, NewFetcher(FetcherOptions{}))
	l, err := s.List(context.Background(), noValidators)
	if l == nil || len(l.Candidates) != 1 || err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("listing %+v, err %v", l, err)
	}
}

// A feed item whose page has no text falls back to the feed's description.
func TestFetchFallsBackToFeedSummary(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(readFixture(t, "broken/no-body.html"))
	}))
	defer srv.Close()
	s := NewSource(SourceConfig{Name: "feed", Kind: release.SourceRSS, URL: srv.URL}, NewFetcher(FetcherOptions{}))
	summary := strings.Repeat("Allies agreed on a new plan for the defence of the eastern flank. ", 3)
	it, err := s.Fetch(context.Background(), Candidate{URL: srv.URL + "/item", Title: "A plan", Summary: summary}, release.Validators{})
	if err != nil || it.Release.Title == "" || len(it.Release.Body) != 1 {
		t.Fatalf("item %+v, err %v", it, err)
	}
	if _, err := s.Fetch(context.Background(), Candidate{URL: srv.URL + "/item", Title: "A plan"}, release.Validators{}); err == nil {
		t.Fatal("a page without text and no feed summary must be an error")
	}
}

// The JSON listing's pageType types a page that states no kind of its own
// (over its URL's section), and never overrules the page's own kind line.
func TestFetchTypeFromPageType(t *testing.T) {
	page := func(kindLine string) string {
		return `<html><head><title>Remarks</title></head><body><main><h1>Remarks at the conference</h1>` + kindLine +
			`<p>NATO Allies met in Brussels on Thursday to discuss support for partners and agreed on new steps to strengthen deterrence.</p>` +
			`<p>They condemned the launch by North Korea of a ballistic missile over Japan, and called on Pyongyang to stop.</p></main></body></html>`
	}
	for _, tc := range []struct {
		name, kindLine, pageType string
		want                     release.Type
	}{
		{"pageType alone", "", "Transcript", release.TypeSpeech},
		{"the page's kind line wins", "<p>Press Release</p>", "Transcript", release.TypePressRelease},
		{"unknown pageType", "", "gallery", release.TypeNews},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page(tc.kindLine)))
		}))
		u := srv.URL + "/en/news-and-events/articles/news/2026/11/26/remarks"
		src := NewSource(SourceConfig{Name: "nato", Kind: release.SourceNATO, URL: srv.URL}, NewFetcher(FetcherOptions{PerHostRate: 1000}))
		it, err := src.Fetch(context.Background(), Candidate{URL: u, Kind: tc.pageType}, release.Validators{})
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if it.Release.Type != tc.want {
			t.Errorf("%s: type %q, want %q", tc.name, it.Release.Type, tc.want)
		}
	}
}
