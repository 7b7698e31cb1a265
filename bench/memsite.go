package bench

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/natowatch/natowatch/scraper"
)

// MemSite serves pages from memory as an http.RoundTripper: the pipeline
// benchmark fetches through natowatch's real Fetcher and Source without a
// socket or a server spending CPU in the same process. It answers
// If-None-Match with 304, as nato.int does.
type MemSite struct {
	mu    sync.RWMutex
	pages map[string]memPage

	Requests, NotModified atomic.Int64
}

type memPage struct {
	body  []byte
	ctype string
	etag  string
}

// NewMemSite serves the corpus's pages and its feed at FeedURL.
func NewMemSite(c *Corpus) *MemSite {
	m := &MemSite{pages: map[string]memPage{}}
	for _, p := range c.Pages {
		m.Put(p.URL, p.Body, p.ContentType)
	}
	m.Put(FeedURL, c.Feed, "application/rss+xml; charset=utf-8")
	return m
}

// Put serves body at url.
func (m *MemSite) Put(url string, body []byte, ctype string) {
	sum := sha256.Sum256(body)
	m.mu.Lock()
	m.pages[url] = memPage{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	m.mu.Unlock()
}

// RoundTrip answers a GET from memory.
func (m *MemSite) RoundTrip(req *http.Request) (*http.Response, error) {
	m.Requests.Add(1)
	m.mu.RLock()
	p, ok := m.pages[req.URL.String()]
	m.mu.RUnlock()
	resp := &http.Response{Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, Request: req}
	switch {
	case !ok:
		resp.StatusCode = http.StatusNotFound
		resp.Body = io.NopCloser(bytes.NewReader(nil))
	case req.Header.Get("If-None-Match") == p.etag:
		m.NotModified.Add(1)
		resp.StatusCode = http.StatusNotModified
		resp.Header.Set("ETag", p.etag)
		resp.Body = io.NopCloser(bytes.NewReader(nil))
	default:
		resp.StatusCode = http.StatusOK
		resp.Header.Set("ETag", p.etag)
		resp.Header.Set("Content-Type", p.ctype)
		resp.Header.Set("Content-Length", strconv.Itoa(len(p.body)))
		resp.ContentLength = int64(len(p.body))
		resp.Body = io.NopCloser(bytes.NewReader(p.body))
	}
	resp.Status = strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	return resp, nil
}

// newMemFetcher is natowatch's fetcher over the in-memory site, without a
// per-host rate limit to wait for.
func newMemFetcher(site *MemSite) *scraper.Fetcher {
	return scraper.NewFetcher(scraper.FetcherOptions{Transport: site, PerHostRate: 1e6, PerHostBurst: 1e6})
}
