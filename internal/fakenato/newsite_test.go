package fakenato

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type searchAnswer struct {
	Pages         []searchPage `json:"pages"`
	NumberOfPages int          `json:"numberOfPages"`
}

func search(t *testing.T, s *Site, kind, query string) searchAnswer {
	t.Helper()
	a := get(t, s.URL()+SearchPath(kind)+"?"+query)
	var out searchAnswer
	if err := json.Unmarshal([]byte(a.body), &out); err != nil {
		t.Fatalf("%s: status %d, %v: %.200s", kind, a.status, err, a.body)
	}
	return out
}

// The JSON endpoints list their hub's items newest first, by 1-based page,
// with the fields and spellings nato-sources.md reports.
func TestSearchJSON(t *testing.T) {
	s := New(t)
	for i := range 20 {
		s.Publish(Item{Title: "News " + string(rune('a'+i)), Date: sample.Date.AddDate(0, 0, -i), Paragraphs: []string{"Body."}})
	}
	tp := s.Publish(Item{Kind: "transcript", Slug: "press-conference", Title: "Press conference", Date: sample.Date, Paragraphs: []string{"Good afternoon."},
		Byline: "by NATO Secretary General Mark Rutte at the 2026 International Award Ceremony of the Peace of Westphalia | Münster, Germany"})
	s.Publish(Item{Kind: "transcript", Slug: "press-conference", Title: "Press conference", Date: sample.Date.AddDate(0, 0, -7), Paragraphs: []string{"Good morning."}})

	p1 := search(t, s, "news", "searchType=wcm&sortBy=dateDesc&pageSize=15&page=1&languages=en")
	if len(p1.Pages) != 15 || p1.NumberOfPages != 2 || p1.Pages[0].Title != "News a" || p1.Pages[0].PageDate != "26 November 2026" {
		t.Fatalf("page 1: %d items, %d pages, first %+v", len(p1.Pages), p1.NumberOfPages, p1.Pages[0])
	}
	if !strings.HasSuffix(p1.Pages[1].Link, "?selectedLocale=null") || !strings.HasPrefix(p1.Pages[1].Link, "/en/news-and-events/articles/news/2026/11/25/") {
		t.Errorf("link = %q", p1.Pages[1].Link)
	}
	if p2 := search(t, s, "news", "pageSize=15&page=2"); len(p2.Pages) != 5 {
		t.Errorf("page 2: %d items, want 5", len(p2.Pages))
	}
	tr := search(t, s, "transcript", "page=1")
	if len(tr.Pages) != 2 || tr.Pages[0].Title != "Press conference " || tr.Pages[0].PageType != "Transcript" ||
		!strings.HasPrefix(tr.Pages[0].Description, "by NATO Secretary General Mark Rutte at") || tr.Pages[0].Link != tp {
		t.Fatalf("transcripts: %+v", tr.Pages)
	}
	if tr.Pages[1].Link == tr.Pages[0].Link || !strings.HasSuffix(strings.TrimSuffix(tr.Pages[1].Link, "?selectedLocale=null"), "/press-conference") {
		t.Errorf("the same slug on another date is another item: %+v", tr.Pages)
	}
	if !strings.Contains(get(t, s.URL()+tp).body, `<h3 class="h3-style">by NATO Secretary General Mark Rutte at the 2026`) {
		t.Error("transcript page lacks its by-line")
	}

	s.Fail(SearchPath("news"), http.StatusBadRequest)
	if a := get(t, s.URL()+SearchPath("news")+"?page=1"); a.status != 400 {
		t.Errorf("failing endpoint: %d", a.status)
	}
	s.Fail(SearchPath("news"), 0)
	s.Set(Options{JSONAnswersHTML: true})
	if a := get(t, s.URL()+SearchPath("transcript")+"?page=1"); a.status != 200 || !strings.HasPrefix(a.body, "<!DOCTYPE html>") {
		t.Errorf("HTML answer: %d %.40q", a.status, a.body)
	}
}

// The hubs are app shells: navigation, no item links; the page carries the
// dialog text before the article; the fixture in scraper/testdata/listing
// has the fake's shape.
func TestAppShellHubsAndDialogs(t *testing.T) {
	s := New(t)
	p := s.Publish(sample)
	for _, kind := range []string{"news", "transcript", "official-text"} {
		hub := get(t, s.URL()+HubPath(kind)).body
		if strings.Contains(hub, "/2026/11/26/") || !strings.Contains(hub, `class="cmp-navigation"`) || !strings.Contains(hub, SearchPath(kind)) {
			t.Errorf("%s hub is not an app shell", kind)
		}
	}
	fx, err := os.ReadFile(filepath.Join("..", "..", "scraper", "testdata", "listing", "news-hub-shell.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{`data-endpoint="/content/nato/en/news-and-events/articles/news/jcr:content/root/container/general_search.search.json"`, `class="cmp-navigation"`, "<noscript>"} {
		if !strings.Contains(string(fx), m) || !strings.Contains(get(t, s.URL()+hubPath).body, m) {
			t.Errorf("fixture or fake hub lacks %q", m)
		}
	}
	page := get(t, s.URL()+p).body
	d, a := strings.Index(page, "NATO MULTIMEDIA ACCOUNT"), strings.Index(page, "ca04-rich-text")
	if d < 0 || a < 0 || d > a {
		t.Errorf("dialog text at %d, article at %d: want the dialogs first", d, a)
	}
	s.Set(Options{DialogInBody: true, HubListsItems: true})
	page = get(t, s.URL()+p).body
	if d, a := strings.Index(page, "NATO MULTIMEDIA ACCOUNT"), strings.Index(page, "ca04-rich-text"); d < a {
		t.Error("DialogInBody: the dialogs are not inside the article")
	}
	if !strings.Contains(get(t, s.URL()+hubPath).body, p) {
		t.Error("HubListsItems: the hub lacks the item")
	}
}

// A windows-1252 page is encoded so and says it in the header or only in
// <meta charset>.
func TestWindows1252(t *testing.T) {
	s := New(t)
	hdr := s.Publish(Item{Slug: "declaration-du-conseil", Title: "Déclaration du Conseil", Date: sample.Date, Paragraphs: []string{"Les Alliés réaffirment leur engagement."}, Charset: "windows-1252"})
	meta := s.Publish(Item{Slug: "declaration-meta", Title: "Déclaration méta", Date: sample.Date, Paragraphs: []string{"Texte."}, Charset: "windows-1252", MetaCharset: true})
	resp, err := http.Get(s.URL() + hdr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=windows-1252" || !bytes.Contains(b, []byte("D\xe9claration du Conseil")) {
		t.Errorf("header page: %q, encoded: %v", ct, bytes.Contains(b, []byte("D\xe9claration")))
	}
	resp, err = http.Get(s.URL() + meta)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" || !bytes.Contains(b, []byte(`<meta charset="windows-1252">`)) {
		t.Errorf("meta page: %q", ct)
	}
}

// The sitemap with the archive is about 10 MB and 60,000 URLs, served
// gzipped to who asks, with an ETag and Last-Modified that answer 304.
func TestArchiveSitemap(t *testing.T) {
	if testing.Short() {
		t.Skip("10 MB")
	}
	s := New(t)
	p := s.Publish(sample)
	s.Archive(60000)
	req, _ := http.NewRequest(http.MethodGet, s.URL()+sitemapPath, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	wire, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.Header.Get("Content-Encoding") != "gzip" || etag == "" || lm == "" {
		t.Fatalf("headers: %v", resp.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(wire))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	n := bytes.Count(plain, []byte("<url>"))
	if n < 60000 || len(plain) < 9<<20 || len(plain) > 14<<20 || !bytes.Contains(plain, []byte(p)) {
		t.Errorf("sitemap: %d URLs, %d bytes (%d gzipped)", n, len(plain), len(wire))
	}
	if !bytes.Contains(plain, []byte("/en/news-and-events/events/"+time.Now().UTC().Format("2006/01")+"/nato-summit-0")) {
		t.Error("no event URL with only a month")
	}
	req.Header.Set("If-None-Match", etag)
	resp, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
}
