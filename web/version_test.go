package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

// counting is a store that counts what the feeds read.
type counting struct {
	state.Store
	heads, versions, counts, gets atomic.Int64
}

type feedStore interface {
	FeedHeads(ctx context.Context, sources []string, n int) ([]state.FeedHead, error)
	CountSince(ctx context.Context, source string, t time.Time) (int, error)
	FeedVersion(ctx context.Context, sources []string, n int) (string, time.Time, error)
}

func (c *counting) FeedVersion(ctx context.Context, sources []string, n int) (string, time.Time, error) {
	c.versions.Add(1)
	return c.Store.(feedStore).FeedVersion(ctx, sources, n)
}

func (c *counting) FeedHeads(ctx context.Context, sources []string, n int) ([]state.FeedHead, error) {
	c.heads.Add(1)
	return c.Store.(feedStore).FeedHeads(ctx, sources, n)
}

func (c *counting) CountSince(ctx context.Context, source string, t time.Time) (int, error) {
	c.counts.Add(1)
	return c.Store.(feedStore).CountSince(ctx, source, t)
}

func (c *counting) Get(ctx context.Context, id int64) (*state.Stored, error) {
	c.gets.Add(1)
	return c.Store.Get(ctx, id)
}

// A conditional GET of an unchanged feed answers 304 after reading the
// version alone; an unconditional one serves the body rendered before.
func TestNotModifiedReadsOnlyTheHeads(t *testing.T) {
	w := newWorld(t, ":memory:", nil)
	w.seed()
	c := &counting{Store: w.store}
	w.app = w.newApp(c)
	srv := w.serve()
	resp, _ := get(t, srv.URL+"/feeds/all.atom")
	if c.gets.Load() != 3 || c.heads.Load() != 1 {
		t.Fatalf("first render: %d gets, %d heads", c.gets.Load(), c.heads.Load())
	}
	etag := resp.Header.Get("ETag")
	c.gets.Store(0)
	c.heads.Store(0)
	c.versions.Store(0)
	if r, _ := get(t, srv.URL+"/feeds/all.atom", "If-None-Match", etag); r.StatusCode != 304 {
		t.Fatalf("conditional GET: %s", r.Status)
	}
	if r, _ := get(t, srv.URL+"/feeds/all.atom"); r.StatusCode != 200 || r.Header.Get("ETag") != etag {
		t.Fatalf("GET: %s", r.Status)
	}
	if c.gets.Load() != 0 || c.heads.Load() != 0 || c.versions.Load() != 2 {
		t.Errorf("a 304 and a cached 200 read %d releases, %d head lists, %d versions; want 0, 0 and 2", c.gets.Load(), c.heads.Load(), c.versions.Load())
	}
}

// Entry ids, times and whole feeds are the same after a restart, after a
// migrate to PostgreSQL, and from two replicas on one database.
func TestFeedsStableAcrossRestartMigrateAndReplicas(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	w := newWorld(t, path, nil)
	w.seed()
	w.now = w.now.Add(2 * time.Hour)
	w.nato.correct("https://www.nato.int/en/news/2026/11/26/speech-2",
		"Secretary General Mark Rutte spoke at the Riga Conference about deterrence, defence and Ukraine.",
		"\"We must invest more in air and missile defence, and we must do it now,\" said the Secretary General.")
	w.check()
	feeds := func(h *httptest.Server) string {
		var all string
		for _, p := range []string{"/feeds/all.atom", "/feeds/all.rss", "/feeds/all.json", "/feeds/watch/korea.atom"} {
			_, b := get(t, h.URL+p)
			all += b
		}
		return all
	}
	before := feeds(w.serve())
	w.open(path)
	if after := feeds(w.serve()); after != before {
		t.Errorf("feeds changed across a restart:\n%s\n---\n%s", before, after)
	}
	dsn := pgtest.DSN(t)
	w.store.Close() // migrate wants the state to itself (its lock), as with natowatch stopped
	if err := state.Migrate(context.Background(), path, dsn); err != nil {
		t.Fatal(err)
	}
	var replicas [2]string
	for i := range replicas {
		st, err := state.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		srv := httptest.NewServer(w.newApp(st).Handler())
		t.Cleanup(srv.Close)
		replicas[i] = feeds(srv)
	}
	if replicas[0] != before || replicas[1] != before {
		t.Errorf("PostgreSQL replicas serve other feeds than SQLite:\n%s\n---\n%s\n---\n%s", before, replicas[0], replicas[1])
	}
}

// benchWorld is a state of 120 releases in two sources, in a file, each
// about 6.5 KB as NATO's are (its text past the row's first page).
func benchWorld(b *testing.B) *world {
	w := newWorld(b, filepath.Join(b.TempDir(), "state.db"), nil)
	for i := range 120 {
		src := w.nato
		if i%3 == 0 {
			src = w.shape
		}
		src.publish(release.Release{URL: fmt.Sprintf("https://www.nato.int/en/news/2026/11/%02d/item-%d", 1+i%26, i),
			Title: fmt.Sprintf("Release %d on air and missile defence", i), Type: release.TypeNews, Published: t0.Add(-time.Duration(i) * time.Hour),
			Body: []string{"NATO Allies met in Brussels on Thursday to discuss support for partners and agreed on new steps.",
				"\"We must invest more in air and missile defence, and we must do it now,\" said the Secretary General.",
				"They condemned the launch by North Korea of a ballistic missile over Japan.",
				"Allies have agreed to spend more on defence every year since 2014, and they will do more.",
				strings.Repeat("The rest of the release goes on about partners, exercises and budgets in some detail. ", 70)}})
	}
	w.cfg.FirstRun.PostLatest = 200
	w.app = w.newApp(w.store)
	w.check()
	return w
}

// Feed: GET /feeds/all.atom (50 entries) on an unchanged state: "hit" is
// a 200 from the body rendered before, "304" a conditional GET, "render"
// a first GET in a new process (every release read, digested, rendered).
func BenchmarkFeed(b *testing.B) {
	w := benchWorld(b)
	h := w.app.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/feeds/all.atom", nil))
	if rec.Code != 200 || rec.Body.Len() < 50*500 {
		b.Fatalf("feed: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	etag := rec.Header().Get("ETag")
	b.Run("hit", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/feeds/all.atom", nil))
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
	b.Run("304", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "/feeds/all.atom", nil)
			req.Header.Set("If-None-Match", etag)
			h.ServeHTTP(rec, req)
			if rec.Code != 304 {
				b.Fatal(rec.Code)
			}
		}
	})
	b.Run("render", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			rec := httptest.NewRecorder()
			w.app.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/feeds/all.atom", nil))
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	})
}

// reportCPU reports the process's CPU time per operation (cpu-ns/op) when
// the function it returns is called.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
