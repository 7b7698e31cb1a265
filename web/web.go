// Package web serves natowatch's releases as feeds (Atom, RSS 2.0 and JSON
// Feed 1.1) and a read-only status page. It reads through Backend, which
// the app implements over the store, and knows only the release types.
package web

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/release"
)

// Head is a release as a feed's version sees it: no text.
type Head struct {
	ID        int64
	Version   int
	Published time.Time // zero when unknown
	Changed   time.Time // when its current version was stored
}

// Entry is a stored release with its text.
type Entry struct {
	Head
	Release   release.Release
	FirstSeen time.Time
}

// Digest is what the summariser makes of a release: the summary, the key
// quotes and the configured watches it matches.
type Digest struct {
	Summary []string
	Quotes  []release.Quote
	Matches []release.Match
}

// Hit is a release found by full-text search.
type Hit struct {
	Entry
	Snippet string // the best matching passage, terms in **bold**
}

// SourceStatus is what the page shows of a source.
type SourceStatus struct {
	Name, Type   string
	LastCheck    time.Time
	LastSuccess  time.Time
	LastError    string
	FailingSince time.Time
	Route        string // which listing route answered, when known
	Week         int    // releases published in the last 7 days
}

// Queue is the delivery queue.
type Queue struct {
	Pending, Failed, Sent, Paused int
}

// Status is the health the page shows.
type Status struct {
	Sources []SourceStatus
	Queue   Queue
}

// Backend is what the web side reads.
type Backend interface {
	// Version is a token that changes whenever the newest n fetched
	// releases of the sources change, and when the latest was stored: a
	// cheap query, all a 304 costs.
	Version(ctx context.Context, sources []string, n int) (string, time.Time, error)
	// Heads returns the newest n fetched releases of the sources.
	Heads(ctx context.Context, sources []string, n int) ([]Head, error)
	// Entry returns a release with its text, nil when there is none.
	Entry(ctx context.Context, id int64) (*Entry, error)
	Search(ctx context.Context, query string, limit int) ([]Hit, error)
	Status(ctx context.Context) (Status, error)
}

// Options configure a Server.
type Options struct {
	Backend Backend
	Digest  func(*release.Release) Digest
	// Key names what Digest depends on (the watches' definitions): it is
	// part of every ETag, so that a change of watches changes the feeds.
	Key     string
	Sources []string // the configured sources, in order
	Watches []string // the configured watches' names
	// Token, when set, is needed for the page, and for the feeds unless
	// PublicFeeds: as a bearer token, ?token= or basic auth's password.
	Token       string
	PublicFeeds bool
	// PublicURL is where readers reach this server (behind a proxy,
	// e.g. https://example.org/natowatch); empty: taken from each request.
	PublicURL string
	Version   string
	Log       *slog.Logger
}

// Server serves the feeds and the page.
type Server struct {
	opt Options

	mu       sync.Mutex
	rendered map[string]rendered // by feed, base URL and limit: the last body served
	digests  map[entryKey]cachedEntry
}

// New returns a Server.
func New(opt Options) *Server {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	opt.PublicURL = strings.TrimRight(opt.PublicURL, "/")
	return &Server{opt: opt, rendered: map[string]rendered{}, digests: map[entryKey]cachedEntry{}}
}

// Handler serves / and /feeds/….
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.guard(false, s.page))
	mux.HandleFunc("GET /feeds/{file}", s.guard(true, s.feed))
	mux.HandleFunc("GET /feeds/{by}/{file}", s.guard(true, s.feed))
	return mux
}

// guard asks for the token unless it is not set, or the feeds are public.
func (s *Server) guard(isFeed bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.opt.Token == "" || (isFeed && s.opt.PublicFeeds) || s.authorized(r) {
			if q := r.URL.Query().Get("token"); q != "" && s.opt.Token != "" {
				// The page's own links and search form carry no token (it
				// is never written into a page): a cookie keeps it.
				http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: q, Path: "/", HttpOnly: true,
					SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
			}
			h(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="natowatch"`)
		http.Error(w, "token needed", http.StatusUnauthorized)
	}
}

func (s *Server) authorized(r *http.Request) bool {
	var got string
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		got = strings.TrimPrefix(h, "Bearer ")
	} else if _, pass, ok := r.BasicAuth(); ok {
		got = pass
	} else if q := r.URL.Query().Get("token"); q != "" {
		got = q
	} else if c, err := r.Cookie(tokenCookie); err == nil {
		got = c.Value
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.opt.Token)) == 1
}

// tokenCookie keeps a ?token= for the page's own links.
const tokenCookie = "natowatch_token"

// base is the URL the feeds' and the page's links start with.
func (s *Server) base(r *http.Request) string {
	if s.opt.PublicURL != "" {
		return s.opt.PublicURL
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// safeURL returns u if it is an http(s) URL, else "": a release's link
// is never javascript: or anything else that runs.
func safeURL(u string) string {
	l := strings.ToLower(u)
	if strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return u
	}
	return ""
}
