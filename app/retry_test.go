package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
)

// failingSource is a fakeSource whose listing has validators, can answer
// 304, and whose chosen pages fail with chosen errors.
type failingSource struct {
	*fakeSource
	mu   sync.Mutex
	errs map[string]error
	etag string // the listing's
}

func (f *failingSource) List(ctx context.Context, v scraper.ValidatorsFunc) (*scraper.Listing, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, err := f.fakeSource.List(ctx, v)
	if err != nil {
		return l, err
	}
	l.Fetched[feedURL] = release.Validators{ETag: f.etag}
	return l, nil
}

func (f *failingSource) Fetch(ctx context.Context, c scraper.Candidate, v release.Validators) (*scraper.Item, error) {
	f.mu.Lock()
	err := f.errs[c.URL]
	f.mu.Unlock()
	if err != nil {
		f.fakeSource.mu.Lock()
		if f.fetched == nil {
			f.fetched = map[string]int{}
		}
		f.fetched[c.URL]++
		f.fakeSource.mu.Unlock()
		return nil, err
	}
	return f.fakeSource.Fetch(ctx, c, v)
}

const feedURL = "https://example.org/feed"

// withLog rebuilds the harness's app on src, logging into the buffer.
func (h *harness) withLog(src Source, logs *bytes.Buffer) {
	h.t.Helper()
	a, err := New(h.app.cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Options{Store: h.store, Notifier: h.rec, Sources: []Source{src}, Now: func() time.Time { return h.now }})
	if err != nil {
		h.t.Fatal(err)
	}
	h.app = a
}

// TestFailingItemIsRetriedWithBackoffThenGivenUp: a listed item whose page
// keeps failing, whatever the reason, does not fail its source, lets the
// listing be read whole until it is settled (a listing answered 304 names
// nothing, and would hide it), is tried again with backoff and given up
// after a day with one log line (issue 13, defect 3).
func TestFailingItemIsRetriedWithBackoffThenGivenUp(t *testing.T) {
	for name, cause := range map[string]error{
		"no text":       fmt.Errorf("https://example.org/x: %w", scraper.ErrNoContent),
		"over the cap":  fmt.Errorf("GET https://example.org/x: %w (over 8388608 bytes)", scraper.ErrTooLarge),
		"redirect loop": errors.New(`GET https://example.org/x: stopped after 10 redirects`),
		"5xx":           &scraper.StatusError{URL: "https://example.org/x", Status: 502},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			var logs bytes.Buffer
			src := &failingSource{fakeSource: h.src, errs: map[string]error{}, etag: `"1"`}
			h.withLog(src, &logs)
			ctx := context.Background()
			h.mustOnce()
			const x = "https://example.org/x"
			h.src.publish(x, "Allies agree on new air defence plans", h.now, release.TypeNews, body[0])
			src.errs[x] = cause
			src.etag = `"2"`
			fetched := func() int {
				h.src.mu.Lock()
				defer h.src.mu.Unlock()
				return h.src.fetched[x]
			}
			step := func(advance time.Duration, wantFetched int) {
				t.Helper()
				h.now = h.now.Add(advance)
				if err := h.once(); err != nil {
					t.Fatalf("a failing item failed its source: %v", err)
				}
				if got := fetched(); got != wantFetched {
					t.Fatalf("after %s: page fetched %d times, want %d", advance, got, wantFetched)
				}
			}
			step(0, 1)
			if v, _ := h.store.Validators(ctx, feedURL); v.ETag != `"1"` {
				t.Fatalf("listing validators saved while an item waits for a retry: the next check would not see it")
			}
			step(0, 2) // the next check tries again
			step(time.Minute, 2)
			h.withLog(src, &logs) // a new process (once) goes on where the last left
			step(time.Minute, 3)  // the 4th check
			for range 3 {
				step(time.Minute, 3)
			}
			step(time.Minute, 4)  // the 8th
			step(25*time.Hour, 5) // given up
			step(time.Hour, 5)
			if v, _ := h.store.Validators(ctx, feedURL); v.ETag != `"2"` {
				t.Fatalf("listing validators not saved once the item was given up: %+v", v)
			}
			if h.rec.count() != 0 {
				t.Fatalf("a given-up item was posted")
			}
			if hl, _ := h.store.Health(ctx, "fake"); hl.LastError != "" || !hl.FailingSince.IsZero() {
				t.Fatalf("source marked failing: %+v", hl)
			}
			out := logs.String()
			if n := strings.Count(out, "giving it up"); n != 1 {
				t.Errorf("%d give-up lines, want 1:\n%s", n, out)
			}
			if n := strings.Count(out, "level=WARN") + strings.Count(out, "level=ERROR"); n != 2 {
				t.Errorf("%d warnings and errors, want 2 (first failure, give-up):\n%s", n, out)
			}
		})
	}
}

// TestFailingRecheckIsNotASourceFailure: a stored release whose page now
// fails (deleted, broken) is the page's problem: the source stays healthy,
// and the page is tried at its usual turns, not on every check.
func TestFailingRecheckIsNotASourceFailure(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Discord.OpsChannel = "100000000000000009" })
	src := &failingSource{fakeSource: h.src, errs: map[string]error{}}
	var logs bytes.Buffer
	h.withLog(src, &logs)
	h.mustOnce()
	const x = "https://example.org/x"
	h.src.publish(x, "Allies agree on new air defence plans", h.now, release.TypeNews, body[0])
	h.mustOnce()
	src.errs[x] = &scraper.StatusError{URL: x, Status: 404}
	fetched := func() int {
		h.src.mu.Lock()
		defer h.src.mu.Unlock()
		return h.src.fetched[x]
	}
	base := fetched()
	for _, s := range []struct {
		advance time.Duration
		more    int // fetches since base
	}{
		{time.Hour, 1},        // an hour old: due
		{time.Minute, 1},      // read a minute ago: not due (every 5 minutes at this age)
		{5 * time.Minute, 2},  // due again
		{24 * time.Hour, 3},   // a day old: due
		{30 * time.Minute, 3}, // not due (every 2 hours)
		{2 * time.Hour, 4},    // due
	} {
		h.now = h.now.Add(s.advance)
		if err := h.once(); err != nil {
			t.Fatalf("a failing re-check failed its source: %v", err)
		}
		if got := fetched() - base; got != s.more {
			t.Fatalf("after %s: %d re-checks, want %d", s.advance, got, s.more)
		}
	}
	if len(h.rec.notices) != 0 {
		t.Fatalf("ops told %q", h.rec.notices)
	}
}
