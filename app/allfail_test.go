package app

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
)

// TestEveryNewPageFailingFailsTheSource: a layout change that breaks every
// new page marks the source failing, with one ops notice, for as long as
// no new page is read (the checks where its items wait for a retry too),
// and the first check that reads one recovers it.
func TestEveryNewPageFailingFailsTheSource(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Discord.OpsChannel = "100000000000000009" })
	src := &failingSource{fakeSource: h.src, errs: map[string]error{}}
	var logs bytes.Buffer
	h.withLog(src, &logs)
	h.mustOnce()
	for i := range 3 {
		u := fmt.Sprintf("https://example.org/x%d", i)
		h.src.publish(u, fmt.Sprintf("Allies agree on plan number %d", i), h.now, release.TypeNews, body[0])
		src.errs[u] = fmt.Errorf("%s: %w", u, scraper.ErrNoContent)
	}
	fetches := func() int {
		h.src.mu.Lock()
		defer h.src.mu.Unlock()
		n := 0
		for _, c := range h.src.fetched {
			n += c
		}
		return n
	}
	for check, fetchedNow := range []bool{true, true, false} { // the 3rd check waits for the retries
		before := fetches()
		err := h.once()
		if err == nil || !strings.Contains(err.Error(), "every new item failed (3 of 3): https://example.org/x") {
			t.Fatalf("check %d: %v, want every new item failed", check+1, err)
		}
		if got := fetches() != before; got != fetchedNow {
			t.Fatalf("check %d: pages fetched: %v, want %v", check+1, got, fetchedNow)
		}
		if n := len(h.rec.notices); n != 1 || !strings.Contains(h.rec.notices[0], "is failing") || !strings.Contains(h.rec.notices[0], "every new item failed (3 of 3): https://example.org/x") {
			t.Fatalf("check %d: notices %q, want one 'failing'", check+1, h.rec.notices)
		}
	}
	clear(src.errs) // the layout is mended
	h.mustOnce()    // the 4th check tries them again
	if h.rec.count() == 0 || len(h.rec.notices) != 2 || !strings.Contains(h.rec.notices[1], "recovered") {
		t.Fatalf("after the pages were mended: %d sent, notices %q", h.rec.count(), h.rec.notices)
	}
	if n := strings.Count(logs.String(), "source is failing"); n != 1 {
		t.Errorf("'source is failing' logged %d times, want 1", n)
	}
}

// TestSomeNewPagesFailingIsNoSourceFailure: one broken page alone, 404s
// (listings run ahead of pages), or a broken page beside one that was read
// are the items' problems: warnings, the source healthy.
func TestSomeNewPagesFailingIsNoSourceFailure(t *testing.T) {
	noText := scraper.ErrNoContent
	notFound := &scraper.StatusError{Status: 404}
	for name, errs := range map[string][]error{
		"one alone":           {noText},
		"404s":                {notFound, notFound, notFound},
		"one broken, one 404": {noText, notFound},
		"one of two read":     {noText, nil},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(c *config.Config) { c.Discord.OpsChannel = "100000000000000009" })
			src := &failingSource{fakeSource: h.src, errs: map[string]error{}}
			h.withLog(src, &bytes.Buffer{})
			h.mustOnce()
			for i, err := range errs {
				u := fmt.Sprintf("https://example.org/x%d", i)
				h.src.publish(u, fmt.Sprintf("Allies agree on plan number %d", i), h.now, release.TypeNews, body[0])
				src.errs[u] = err
			}
			for range 3 {
				if err := h.once(); err != nil {
					t.Fatalf("the source failed: %v", err)
				}
			}
			if hl, _ := h.store.Health(context.Background(), "fake"); hl.LastError != "" || len(h.rec.notices) != 0 {
				t.Fatalf("source marked failing: %+v, notices %q", hl, h.rec.notices)
			}
		})
	}
}
