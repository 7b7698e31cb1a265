package app

import (
	"context"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

func TestRecheckEvery(t *testing.T) {
	for _, c := range []struct{ age, want time.Duration }{
		{0, 0}, {11 * time.Minute, 0}, {time.Hour, 5 * time.Minute}, {12 * time.Hour, time.Hour},
		{24 * time.Hour, 2 * time.Hour}, {6 * 24 * time.Hour, 2 * time.Hour},
	} {
		if got := recheckEvery(c.age); got != c.want {
			t.Errorf("recheckEvery(%v) = %v, want %v", c.age, got, c.want)
		}
	}
}

func TestSlotBetweenHitsEachIntervalOnce(t *testing.T) {
	// Checks every 7 minutes over a day: a page re-read every 2 hours is
	// due in exactly one check of each 2-hour slot.
	t0 := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for id := int64(1); id < 50; id++ {
		n := 0
		for prev, now := t0, t0.Add(7*time.Minute); now.Before(t0.Add(24 * time.Hour)); prev, now = now, now.Add(7*time.Minute) {
			if slotBetween(id, 2*time.Hour, prev, now) {
				n++
			}
		}
		if n < 11 || n > 12 {
			t.Errorf("page %d: due %d times in a day, want 12 (11 at the edges)", id, n)
		}
	}
}

// fetchesOf counts the checks' reads of one page.
func (h *harness) fetchesOf(url string) int {
	h.src.mu.Lock()
	defer h.src.mu.Unlock()
	return h.src.fetched[url]
}

func TestRecheckScheduleByAge(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	const u = "https://example.org/r"
	h.src.publish(u, "Allies agree on new air defence plans", h.now, release.TypeNews, body...)
	h.mustOnce()
	read := h.fetchesOf(u)
	if read != 1 {
		t.Fatalf("the new release was read %d times by the check that found it, want 1", read)
	}
	// Young: read on every check.
	for range 3 {
		h.now = h.now.Add(time.Minute)
		h.mustOnce()
	}
	if got := h.fetchesOf(u) - read; got != 3 {
		t.Fatalf("a release minutes old was read %d times in 3 checks, want 3", got)
	}
	// A day old: once every 2 hours, however often the source is checked.
	h.now = h.now.Add(24 * time.Hour)
	read = h.fetchesOf(u)
	for range 24 { // 4 hours of checks every 10 minutes
		h.mustOnce()
		h.now = h.now.Add(10 * time.Minute)
	}
	if got := h.fetchesOf(u) - read; got != 2 {
		t.Fatalf("a day-old release was read %d times in 4 hours, want 2", got)
	}
	// An edit of a day-old release is still found, within 2 hours.
	h.src.mu.Lock()
	h.src.pages[u].Body = append(h.src.pages[u].Body, "Allies also agreed to meet again in February.")
	h.src.mu.Unlock()
	edited, posted := h.now, h.rec.count()
	for h.rec.count() == posted {
		if h.now.Sub(edited) > recheckMax {
			t.Fatalf("an edit went unnoticed for %v", h.now.Sub(edited))
		}
		h.mustOnce()
		h.now = h.now.Add(10 * time.Minute)
	}
	if a := h.rec.sent[len(h.rec.sent)-1].alert; a.Kind != release.KindUpdate {
		t.Fatalf("the edit was posted as %s", a.Kind)
	}
}

func TestRecheckAfterRestartUsesLastSuccess(t *testing.T) {
	// `natowatch once` from cron every 10 minutes: a new process each time,
	// nothing in memory; the source's last recorded success bounds what is
	// due, so a day-old release is read a few times in 4 hours, not 24.
	h := newHarness(t, nil)
	h.mustOnce()
	const u = "https://example.org/r"
	h.src.publish(u, "Allies agree on new air defence plans", h.now, release.TypeNews, body...)
	h.mustOnce()
	h.now = h.now.Add(24 * time.Hour)
	read := h.fetchesOf(u)
	for range 24 {
		h.reopen(h.store) // a new process
		h.mustOnce()
		h.now = h.now.Add(10 * time.Minute)
	}
	if got := h.fetchesOf(u) - read; got < 2 || got > 5 {
		t.Fatalf("a day-old release was read %d times by 24 fresh processes in 4 hours, want 2 to 5", got)
	}
}

func TestRecheckBudgetDefersTheRest(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	for i := range 5 {
		h.src.publish("https://example.org/b"+string(rune('a'+i)), "Release about NATO number "+string(rune('A'+i)), h.now, release.TypeNews, body...)
	}
	h.mustOnce()
	// Each read takes a minute of the fake clock; the budget is 2 minutes.
	h.src.onFetch = func() { h.now = h.now.Add(time.Minute) }
	h.app.check.setRecheckBudget("fake", 2*time.Minute)
	h.now = h.now.Add(time.Minute)
	res, err := h.app.Check(t.Context(), h.src)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified != 3 || res.Deferred != 2 {
		t.Fatalf("with a budget: %d read, %d deferred; want 3 and 2", res.NotModified, res.Deferred)
	}
	// The next check reads the two left over first.
	res, err = h.app.Check(t.Context(), h.src)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotModified < 2 {
		t.Fatalf("the deferred pages were not read next: %+v", res)
	}
}

// recentCounter counts the store's Recent calls.
type recentCounter struct {
	state.Store
	calls int
}

func (r *recentCounter) Recent(ctx context.Context, source string, since time.Time) ([]state.Page, error) {
	r.calls++
	return r.Store.Recent(ctx, source, since)
}

func TestIdleChecksKeepRecentPagesInMemory(t *testing.T) {
	h := newHarness(t, nil)
	rc := &recentCounter{Store: h.store}
	h.reopen(rc)
	h.mustOnce()
	const u = "https://example.org/r"
	h.src.publish(u, "Allies agree on new air defence plans", h.now, release.TypeNews, body...)
	h.mustOnce() // stores it: what was in memory is dropped
	before := rc.calls
	for range 3 {
		h.now = h.now.Add(time.Minute)
		h.mustOnce() // each re-reads the young page: 304, nothing written
	}
	if got := rc.calls - before; got != 1 {
		t.Fatalf("3 idle checks asked the store for the recent pages %d times, want 1", got)
	}
	if got := h.fetchesOf(u); got != 4 {
		t.Fatalf("the page was read %d times, want 4", got)
	}
	// An edit is stored: the next check reads the pages from the store.
	h.src.mu.Lock()
	h.src.pages[u].Body = append(h.src.pages[u].Body, "Allies also agreed to meet again in February.")
	h.src.mu.Unlock()
	h.now = h.now.Add(time.Minute)
	h.mustOnce()
	before = rc.calls
	h.now = h.now.Add(time.Minute)
	h.mustOnce()
	if rc.calls != before+1 {
		t.Fatalf("after an update the store was asked %d times, want once", rc.calls-before)
	}
	// After an hour they are read again whatever happened.
	before = rc.calls
	h.now = h.now.Add(recentTTL)
	h.mustOnce()
	if rc.calls != before+1 {
		t.Fatal("recent pages kept in memory past recentTTL")
	}
}
