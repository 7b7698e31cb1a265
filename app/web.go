package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
	"github.com/natowatch/natowatch/summary"
	"github.com/natowatch/natowatch/web"
)

// feedStore is what the feeds read beyond Store: both backends have it.
type feedStore interface {
	FeedHeads(ctx context.Context, sources []string, n int) ([]state.FeedHead, error)
	CountSince(ctx context.Context, source string, t time.Time) (int, error)
	FeedVersion(ctx context.Context, sources []string, n int) (string, time.Time, error)
}

// Handler serves /metrics, /healthz, the feeds and the status page.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		a.metrics.write(w)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.stateFileOK(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if _, err := a.store.Outbox(r.Context()); err != nil {
			http.Error(w, "state: unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	})
	mux.Handle("/", a.webHandler()) // the feeds and the status page (web.go)
	return mux
}

// serveHTTP serves the operator endpoints on addr until ctx is done.
// An address without a host (":9750") binds to localhost only: exposing
// the endpoints is a choice to write out ("0.0.0.0:9750").
func (a *App) serveHTTP(ctx context.Context, addr string) error {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	a.log.Info("serving /metrics and /healthz", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// webHandler serves the feeds and the status page (package web), or
// nothing when the store cannot list feed heads.
func (a *App) webHandler() http.Handler {
	fs, ok := a.store.(feedStore)
	if !ok {
		return http.NotFoundHandler()
	}
	// Only the config file's watches: servers' watches and members'
	// follows are theirs, not the public's.
	ws := configWatches(a.cfg)
	m, err := summary.NewMatcher(ws) // checked in New
	if err != nil {
		return http.NotFoundHandler()
	}
	key, _ := json.Marshal(ws)
	sum := sha256.Sum256(key)
	var sources, watches []string
	for _, s := range a.cfg.Sources {
		sources = append(sources, s.Name)
	}
	for _, w := range a.cfg.Watches {
		watches = append(watches, w.Name)
	}
	digest := func(r *release.Release) web.Digest {
		s, q := summary.Digest(r)
		d := web.Digest{Summary: s, Quotes: q}
		for _, mt := range m.Match(r) {
			mt.Watch, mt.Role = strings.TrimPrefix(mt.Watch, nsConfig), ""
			d.Matches = append(d.Matches, mt)
		}
		return d
	}
	return web.New(web.Options{
		Backend: webBackend{a: a, feeds: fs}, Digest: digest, Key: hex.EncodeToString(sum[:]),
		Sources: sources, Watches: watches,
		Token: a.cfg.HTTP.Token, PublicFeeds: a.cfg.HTTP.PublicFeeds, PublicURL: a.cfg.HTTP.PublicURL,
		Version: a.version, Log: a.log,
	}).Handler()
}

// webBackend reads the store for package web.
type webBackend struct {
	a     *App
	feeds feedStore
}

func (b webBackend) Version(ctx context.Context, sources []string, n int) (string, time.Time, error) {
	return b.feeds.FeedVersion(ctx, sources, n)
}

func (b webBackend) Heads(ctx context.Context, sources []string, n int) ([]web.Head, error) {
	hs, err := b.feeds.FeedHeads(ctx, sources, n)
	if err != nil {
		return nil, err
	}
	out := make([]web.Head, len(hs))
	for i, h := range hs {
		out[i] = web.Head(h)
	}
	return out, nil
}

func (b webBackend) Entry(ctx context.Context, id int64) (*web.Entry, error) {
	st, err := b.a.store.Get(ctx, id)
	if err != nil || st == nil {
		return nil, err
	}
	e := toEntry(st)
	return &e, nil
}

func toEntry(st *state.Stored) web.Entry {
	changed := st.FirstSeen
	if st.Version > 1 {
		changed = st.CheckedAt
	}
	return web.Entry{Head: web.Head{ID: st.ID, Version: st.Version, Published: st.Release.Published, Changed: changed},
		Release: st.Release, FirstSeen: st.FirstSeen}
}

func (b webBackend) Search(ctx context.Context, q string, limit int) ([]web.Hit, error) {
	hits, err := b.a.store.Search(ctx, q, limit)
	if err != nil {
		return nil, err
	}
	out := make([]web.Hit, len(hits))
	for i := range hits {
		out[i] = web.Hit{Entry: toEntry(&hits[i].Stored), Snippet: hits[i].Snippet}
	}
	return out, nil
}

// Status is the health of the sources and the queue, as the status page
// and /status in Discord show it, without any target's address.
func (b webBackend) Status(ctx context.Context) (web.Status, error) { return b.a.status(ctx) }

func (a *App) status(ctx context.Context) (web.Status, error) {
	var st web.Status
	fs, _ := a.store.(feedStore)
	week := a.now().Add(-7 * 24 * time.Hour)
	for _, src := range a.cfg.Sources {
		h, err := a.store.Health(ctx, src.Name)
		if err != nil {
			return st, err
		}
		n := 0
		if fs != nil {
			if n, err = fs.CountSince(ctx, src.Name, week); err != nil {
				return st, err
			}
		}
		// The route is this process's last listing (kept in memory).
		st.Sources = append(st.Sources, web.SourceStatus{Name: src.Name, Type: src.Type, LastCheck: h.LastCheck,
			LastSuccess: a.check.lastSuccess(src.Name, h.LastSuccess), LastError: firstLine(h.LastError),
			FailingSince: h.FailingSince, Week: n, Route: a.metrics.route(src.Name)})
	}
	c, err := a.store.Outbox(ctx)
	if err != nil {
		return st, err
	}
	st.Queue = web.Queue{Pending: c.Pending, Failed: c.Failed, Sent: c.Sent, Paused: a.deliver.pausedCount()}
	return st, nil
}
