package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
)

const (
	defaultLimit = 50
	maxLimit     = 200
	// maxRendered and maxEntries bound the bodies and digests kept in
	// memory (a digest is a few KB); past them a cache starts again empty.
	maxRendered = 64
	maxEntries  = 4000
)

// formats are the feeds' file extensions and content types.
var formats = map[string]string{
	"atom": "application/atom+xml; charset=utf-8",
	"rss":  "application/rss+xml; charset=utf-8",
	"json": "application/feed+json; charset=utf-8",
}

// selection is what one feed shows.
type selection struct {
	title   string
	sources []string
	keep    func(e *Entry, d *Digest) bool // nil: every release
}

type rendered struct {
	etag string
	body []byte
}

type entryKey struct {
	id      int64
	version int
}

type cachedEntry struct {
	entry  *Entry
	digest Digest
}

// feed serves /feeds/all.atom, /feeds/type/speech.rss, /feeds/watch/korea.json,
// /feeds/source/nato.atom. A request whose validators match costs one
// cheap query (the heads) and no rendering.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	ctype, ok := formats[ext]
	sel, found := s.selection(r.PathValue("by"), name)
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	limit := defaultLimit
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			http.Error(w, "limit: a number from 1 to 200", http.StatusBadRequest)
			return
		}
		limit = min(n, maxLimit)
	}
	window := limit
	if sel.keep != nil {
		// A filtered feed picks from the newest releases of every source.
		window = maxLimit
	}
	token, modified, err := s.opt.Backend.Version(r.Context(), sel.sources, window)
	if err != nil {
		s.opt.Log.Error("feed", "path", r.URL.Path, "err", err)
		http.Error(w, "state unavailable", http.StatusServiceUnavailable)
		return
	}
	base := s.base(r)
	etag := s.etag(r.URL.Path, base, limit, token)
	if modified.IsZero() {
		modified = time.Unix(0, 0)
	}
	modified = modified.Truncate(time.Second)
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", s.cacheControl())
	h.Set("Vary", "Authorization")
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	key := r.URL.Path + " " + base + " " + strconv.Itoa(limit)
	s.mu.Lock()
	c, hit := s.rendered[key]
	s.mu.Unlock()
	if !hit || c.etag != etag {
		body, err := s.render(r.Context(), ext, sel, r.URL.Path, base, window, limit, modified)
		if err != nil {
			s.opt.Log.Error("feed", "path", r.URL.Path, "err", err)
			http.Error(w, "state unavailable", http.StatusServiceUnavailable)
			return
		}
		c = rendered{etag: etag, body: body}
		s.mu.Lock()
		if len(s.rendered) >= maxRendered {
			clear(s.rendered)
		}
		s.rendered[key] = c
		s.mu.Unlock()
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Length", strconv.Itoa(len(c.body)))
	w.Write(c.body)
}

func (s *Server) cacheControl() string {
	if s.opt.Token != "" && !s.opt.PublicFeeds {
		return "private, max-age=60"
	}
	return "public, max-age=60"
}

// selection maps a feed's path to what it shows; false for none.
func (s *Server) selection(by, name string) (selection, bool) {
	all := s.opt.Sources
	switch by {
	case "":
		return selection{title: "all releases", sources: all}, name == "all"
	case "source":
		return selection{title: "source " + name, sources: []string{name}}, slices.Contains(all, name)
	case "type":
		t, ok := release.ParseType(name)
		if !ok || string(t) != name {
			return selection{}, false
		}
		return selection{title: t.Label(), sources: all, keep: func(e *Entry, _ *Digest) bool { return e.Release.Type == t }}, true
	case "watch":
		keep := func(_ *Entry, d *Digest) bool {
			return slices.ContainsFunc(d.Matches, func(m release.Match) bool { return m.Watch == name })
		}
		return selection{title: "watch " + name, sources: all, keep: keep}, slices.Contains(s.opt.Watches, name)
	}
	return selection{}, false
}

// etag is a feed's ETag: it changes with the store's version token, the
// watches, natowatch's version (the rendering may change with it), the
// base URL and the limit.
func (s *Server) etag(path, base string, limit int, token string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%d\x00%s", s.opt.Key, s.opt.Version, path, base, limit, token)))
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// notModified reports whether the request's validators match: If-None-Match
// when it is sent (RFC 9110 13.1.2), else If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == etag || t == "*" {
				return true
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.After(ims)
}

// entries loads the feed's releases with their digests, newest first, at
// most limit of them, those the selection keeps.
func (s *Server) entries(ctx context.Context, sel selection, heads []Head, limit int) ([]cachedEntry, error) {
	var out []cachedEntry
	for _, h := range heads {
		if len(out) == limit {
			break
		}
		c, err := s.entry(ctx, h)
		if err != nil {
			return nil, err
		}
		if c.entry == nil || (sel.keep != nil && !sel.keep(c.entry, &c.digest)) {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// entry loads a release and digests it, once per version and process.
func (s *Server) entry(ctx context.Context, h Head) (cachedEntry, error) {
	k := entryKey{h.ID, h.Version}
	s.mu.Lock()
	c, ok := s.digests[k]
	s.mu.Unlock()
	if !ok {
		e, err := s.opt.Backend.Entry(ctx, h.ID)
		if err != nil {
			return c, err
		}
		if e == nil {
			return c, nil
		}
		c = cachedEntry{entry: e}
		if s.opt.Digest != nil {
			c.digest = s.opt.Digest(&e.Release)
		}
		// What is shown is the digest: the text need not stay in memory.
		e.Release.Body = nil
		if e.Version == h.Version {
			s.mu.Lock()
			if len(s.digests) >= maxEntries {
				clear(s.digests)
			}
			s.digests[k] = c
			s.mu.Unlock()
		}
	}
	// The head is newer than (or as new as) what was cached with the text.
	e := *c.entry
	e.Head = h
	c.entry = &e
	return c, nil
}
