// Package fakenato is a fake, mutable NATO website for tests: an httptest
// server on 127.0.0.1 serving the new nato.int as ../shared/nato-sources.md
// describes it (app-shell hubs, their JSON search endpoints, a sitemap of
// the whole site served with gzip, robots.txt, dated item pages with dialog
// text before the article), the legacy /cps/ listing, item pages and RSS
// feed, and a Public-like issuer listing with /view/<HEX> pages. Tests
// publish and silently edit items, make paths fail or the JSON listing
// answer HTML, and count requests, bytes and 304 answers.
package fakenato

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Item is one publication on the fake site.
type Item struct {
	Kind       string    // "news" (default) | "press-release" | "transcript" | "official-text"
	Slug       string    // last path segment; derived from Title when empty; may recur on other dates
	Title      string    // a transcript's page and JSON title show only its kind ("Press conference")
	Date       time.Time // publication date; today when zero
	Paragraphs []string  // body, rendered verbatim, one <p> each
	Speaker    string    // transcripts: e.g. "NATO Secretary General Mark Rutte"
	// Byline is a transcript's by-line, in h3.h3-style and the JSON
	// description; default "by <Speaker> at NATO Headquarters | Brussels, Belgium".
	Byline string
	// Charset "windows-1252" encodes the page so, declared in the
	// Content-Type header, or only in <meta charset> with MetaCharset.
	Charset     string
	MetaCharset bool
}

// entry is an Item as published, with everything that must not change when
// the body is edited.
type entry struct {
	Item
	seq      int       // publish order
	path     string    // new-site path
	legacyN  int       // legacy id: news_<N>.htm, opinions_<N>.htm, official_texts_<N>.htm
	hex      string    // Public id
	summary  string    // listing summary, fixed at publication
	modified time.Time // body's Last-Modified
}

type counts struct{ total, notModified int }

// Options are the site's switches for what the real site may do.
type Options struct {
	HubListsItems   bool // the news hub lists item cards again (normally an app shell)
	JSONAnswersHTML bool // the JSON endpoints answer 200 with an HTML page (a gate)
	DialogInBody    bool // the dialog text lands inside the article body
}

// Site is the fake NATO website. All methods are safe for concurrent use.
type Site struct {
	srv *httptest.Server
	tpl *templates

	mu        sync.Mutex
	started   time.Time
	last      time.Time // last tick of the clock
	listMod   time.Time // when a listing last changed (Publish)
	siteMod   time.Time // when the sitemap last changed (Publish, Edit)
	entries   []*entry
	bySlug    map[string]*entry // the latest published with the slug
	fails     map[string]int
	hits      map[string]*counts
	requests  int
	bytes     int64
	nextN     int
	published int
	opt       Options
	sm        sitemapCache
}

// New starts a Site and closes it when the test ends.
func New(t testing.TB) *Site {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatalf("fakenato: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// Start starts a Site listening on 127.0.0.1. Close it when done.
func Start() (*Site, error) {
	tpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakenato: listen: %w", err)
	}
	s := &Site{
		tpl:    tpl,
		bySlug: map[string]*entry{},
		fails:  map[string]int{},
		hits:   map[string]*counts{},
		nextN:  238001,
	}
	s.started = s.tick()
	s.listMod, s.siteMod = s.started, s.started
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	return s, nil
}

// Close stops the server.
func (s *Site) Close() { s.srv.Close() }

// URL is the site's base URL, like "http://127.0.0.1:41234", without a slash.
func (s *Site) URL() string { return s.srv.URL }

// tick returns the current time to the second, strictly later than the one
// it returned before, so that every change gets a distinct Last-Modified.
// The caller holds s.mu (or is Start).
func (s *Site) tick() time.Time {
	now := time.Now().UTC().Truncate(time.Second)
	if !now.After(s.last) {
		now = s.last.Add(time.Second)
	}
	s.last = now
	return now
}

var kindPaths = map[string]string{
	"news":          "/en/news-and-events/articles/news/",
	"press-release": "/en/news-and-events/articles/news/", // the URL says news; the page says press release
	"transcript":    "/en/news-and-events/events/transcripts/",
	"official-text": "/en/about-us/official-texts-and-resources/official-texts/",
}

// Publish puts an item on the site and returns its new-site path
// (/en/news-and-events/articles/news/YYYY/MM/DD/<slug> and the like). It
// appears in the sitemap (with lastmod), its hub's JSON listing, the legacy
// listing, the RSS feed and the Public listing. Publishing a path again
// replaces the item; a slug on another date is another item. Publish panics on an unknown Kind or an empty Title and Slug.
func (s *Site) Publish(it Item) (path string) {
	if it.Kind == "" {
		it.Kind = "news"
	}
	prefix, ok := kindPaths[it.Kind]
	if !ok {
		panic(fmt.Sprintf("fakenato: Publish: unknown Kind %q", it.Kind))
	}
	if it.Slug == "" {
		it.Slug = slugify(it.Title)
	}
	if it.Slug == "" {
		panic("fakenato: Publish: an item needs a Title or a Slug")
	}
	if it.Kind == "transcript" && it.Speaker == "" {
		it.Speaker = "NATO Secretary General Mark Rutte"
	}
	if it.Kind == "transcript" && it.Byline == "" {
		it.Byline = "by " + it.Speaker + " at NATO Headquarters | Brussels, Belgium"
	}
	it.Paragraphs = append([]string(nil), it.Paragraphs...)

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.tick()
	if it.Date.IsZero() {
		it.Date = now
	}
	it.Date = it.Date.UTC()
	e := &entry{
		Item:     it,
		seq:      s.published,
		path:     prefix + it.Date.Format("2006/01/02") + "/" + it.Slug,
		summary:  summarize(it.Paragraphs),
		modified: now,
	}
	s.published++
	sum := sha1.Sum([]byte(e.path))
	e.hex = strings.ToUpper(hex.EncodeToString(sum[:]))
	e.legacyN = s.nextN
	s.nextN++
	for i, x := range s.entries {
		if x.path == e.path { // the same slug on another date is another item
			e.legacyN = x.legacyN
			s.entries = append(s.entries[:i], s.entries[i+1:]...)
			break
		}
	}
	s.bySlug[it.Slug] = e
	s.entries = append(s.entries, e)
	sort.SliceStable(s.entries, func(i, j int) bool {
		a, b := s.entries[i], s.entries[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.After(b.Date)
		}
		return a.seq > b.seq
	})
	s.listMod, s.siteMod = now, now
	return e.path
}

// Edit replaces the body of the item last published with slug, as NATO
// corrects pages silently: the page's ETag, Last-Modified and sitemap
// lastmod change; the listings do not. Edit panics on an unknown slug.
func (s *Site) Edit(slug string, paragraphs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.bySlug[slug]
	if !ok {
		panic(fmt.Sprintf("fakenato: Edit: no item with slug %q", slug))
	}
	e.Paragraphs = append([]string(nil), paragraphs...)
	e.modified = s.tick()
	s.siteMod = e.modified
}

// Fail makes path answer status (with a short HTML body) until cleared with
// Fail(path, 0). Path "*" means every path; a path's own setting wins over "*".
func (s *Site) Fail(path string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.fails, path)
		return
	}
	s.fails[path] = status
}

// Set changes the site's switches.
func (s *Site) Set(o Options) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opt = o
	s.listMod = s.tick() // what the hubs and endpoints answer changed
}

// Bytes is the number of body bytes the site sent, all paths together.
func (s *Site) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Hits reports how many requests path (without query) received, and how many
// of them were answered 304 Not Modified.
func (s *Site) Hits(path string) (total, notModified int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.hits[path]; ok {
		return c.total, c.notModified
	}
	return 0, 0
}

// Requests is the number of requests the site received, all paths together.
func (s *Site) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// LegacyPath is the /cps/ path of a published item (news_<N>.htm,
// opinions_<N>.htm or official_texts_<N>.htm), "" if there is none.
func (s *Site) LegacyPath(slug string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.bySlug[slug]; ok {
		return legacyPath(e)
	}
	return ""
}

// PublicPath is the Public-like /view/<HEX> path of a published item, "" if
// there is none.
func (s *Site) PublicPath(slug string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.bySlug[slug]; ok {
		return "/view/" + e.hex
	}
	return ""
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	site   *Site
	hits   *counts
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		if code == http.StatusNotModified && r.hits != nil {
			r.site.mu.Lock()
			r.hits.notModified++ // before the client can see the answer
			r.site.mu.Unlock()
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	// Counted before they are sent: the client may have the whole answer,
	// and the test read the count, before Write returns.
	r.site.mu.Lock()
	r.site.bytes += int64(len(b))
	r.site.mu.Unlock()
	return r.ResponseWriter.Write(b)
}

func (s *Site) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	rec := &statusRecorder{ResponseWriter: w, site: s}
	s.mu.Lock()
	s.requests++
	c := s.hits[path]
	if c == nil {
		c = &counts{}
		s.hits[path] = c
	}
	c.total++
	status, failing := s.fails[path]
	if !failing {
		status, failing = s.fails["*"]
	}
	var res resource
	var found bool
	if !failing {
		res, found = s.route(r)
	}
	s.mu.Unlock()
	rec.hits = c
	switch {
	case failing:
		rec.Header().Set("Content-Type", "text/html; charset=utf-8")
		rec.WriteHeader(status)
		fmt.Fprintf(rec, "<!DOCTYPE html><html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status, http.StatusText(status), http.StatusText(status))
		return
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		rec.Header().Set("Allow", "GET, HEAD")
		http.Error(rec, "method not allowed", http.StatusMethodNotAllowed)
		return
	case !found:
		rec.Header().Set("Content-Type", "text/html; charset=utf-8")
		rec.WriteHeader(http.StatusNotFound)
		rec.Write(res.body)
		return
	}
	etag := res.etag
	if etag == "" {
		sum := sha256.Sum256(res.body)
		etag = `"` + hex.EncodeToString(sum[:12]) + `"`
	}
	rec.Header().Set("Content-Type", res.ctype)
	rec.Header().Set("ETag", etag)
	rec.Header().Set("Cache-Control", "max-age=0, must-revalidate")
	if res.encoding != "" {
		rec.Header().Set("Content-Encoding", res.encoding)
		rec.Header().Set("Vary", "Accept-Encoding")
	}
	// ServeContent answers If-None-Match (first) and If-Modified-Since with 304.
	http.ServeContent(rec, r, "", res.modified, bytes.NewReader(res.body))
}
