package app

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

const day = 24 * time.Hour

// setLastMod gives a listed item a sitemap lastmod.
func (f *fakeSource) setLastMod(url string, t time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.cands {
		if f.cands[i].URL == url {
			f.cands[i].LastMod = t
		}
	}
}

// edit adds a sentence to a served page.
func (f *fakeSource) edit(url, sentence string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages[url].Body = append(f.pages[url].Body, sentence)
}

// pruneCounter counts the store's Turn and Prune calls.
type pruneCounter struct {
	state.Store
	mu            sync.Mutex
	turns, prunes int
}

func (p *pruneCounter) Turn(ctx context.Context, name, holder string, now time.Time, every time.Duration) (bool, error) {
	p.mu.Lock()
	p.turns++
	p.mu.Unlock()
	return p.Store.Turn(ctx, name, holder, now, every)
}

func (p *pruneCounter) Prune(ctx context.Context, before time.Time) (state.Pruned, error) {
	p.mu.Lock()
	p.prunes++
	p.mu.Unlock()
	return p.Store.Prune(ctx, before)
}

func (p *pruneCounter) counts() (turns, prunes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.turns, p.prunes
}

// An old release whose page changes (its sitemap lastmod moved) after its
// alerts were pruned: the update goes out once, as a message of its own,
// to the targets that want the release now; there is nothing to edit, and
// nothing fails.
func TestUpdateAfterPruneIsANewMessage(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	const u = "https://example.org/speech"
	h.src.publish(u, "Speech by the Secretary General on partnerships", h.now, release.TypeSpeech, body...)
	h.src.setLastMod(u, h.now)
	h.mustOnce()
	if n := h.rec.count(); n != 3 { // every type, korea, speeches
		t.Fatalf("new release: %d alerts, want 3", n)
	}
	st, _ := h.store.Lookup(t.Context(), []string{urlKey(u)})
	if st == nil {
		t.Fatal("the release was not stored")
	}
	if m, _ := h.store.FirstMessage(t.Context(), st.ID, release.Target{Kind: release.TargetChannel, ID: "100000000000000001"}); m == "" {
		t.Fatal("no original message recorded")
	}

	// Past delivery.keep (30 days by default): the next once prunes the alerts.
	h.now = h.now.Add(100 * day)
	h.mustOnce()
	if c, err := h.store.Outbox(t.Context()); err != nil || c != (state.Counts{}) {
		t.Fatalf("outbox 100 days later: %+v %v", c, err)
	}
	if m, _ := h.store.FirstMessage(t.Context(), st.ID, release.Target{Kind: release.TargetChannel, ID: "100000000000000001"}); m != "" {
		t.Fatalf("the original message is still known after pruning: %q", m)
	}

	// The sitemap says the old page changed, and it did.
	h.src.edit(u, "We also discussed the Black Sea.")
	h.now = h.now.Add(time.Hour)
	h.src.setLastMod(u, h.now)
	h.mustOnce()
	if n := h.rec.count(); n != 6 {
		t.Fatalf("after the edit: %d alerts, want 3 more", n)
	}
	targets := map[string]bool{}
	for _, s := range h.rec.sent[3:] {
		targets[s.target] = true
		if s.alert.Kind != release.KindUpdate || s.alert.Version != 2 || s.alert.Changes == nil || len(s.alert.Changes.Added) != 1 {
			t.Errorf("%s: not the update with the added sentence: %+v", s.target, s.alert)
		}
	}
	if len(targets) != 3 {
		t.Errorf("the update went to %v, want the three targets once each", targets)
	}
	if h.rec.edits != 0 {
		t.Errorf("%d edits with no original message to edit", h.rec.edits)
	}
	// Once, not again.
	h.now = h.now.Add(10 * time.Minute)
	h.mustOnce()
	h.now = h.now.Add(2 * day)
	h.mustOnce()
	if n := h.rec.count(); n != 6 {
		t.Fatalf("later checks: %d alerts, want still 6", n)
	}
	// A second edit edits nothing either: the update's message is not an
	// original.
	h.src.edit(u, "And the High North.")
	h.now = h.now.Add(time.Hour)
	h.src.setLastMod(u, h.now)
	h.mustOnce()
	if n := h.rec.count(); n != 9 || h.rec.edits != 0 {
		t.Fatalf("second edit: %d alerts (want 9), %d edits (want 0)", n, h.rec.edits)
	}
}

// While a release is re-checked its alerts are kept, whatever is pruned
// around it: an update edits the original.
func TestPruneKeepsRecheckedReleases(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Delivery.Keep = config.Duration(8 * day) })
	h.mustOnce()
	const old, recent = "https://example.org/old", "https://example.org/recent"
	h.src.publish(old, "Allies agree on new air defence plans", h.now, release.TypeNews, body[0])
	h.mustOnce()
	h.now = h.now.Add(3 * day)
	h.src.publish(recent, "Ministers meet on the High North", h.now, release.TypeNews, body[0])
	h.mustOnce()
	// Six days later the first is 9 days old (past keep), the second 6
	// (re-checked): only the first one's alert goes.
	h.now = h.now.Add(6 * day)
	h.mustOnce()
	if c, _ := h.store.Outbox(t.Context()); c.Sent != 1 {
		t.Fatalf("outbox after pruning: %+v, want the recent release's alert", c)
	}
	h.src.edit(recent, "They agreed to meet again in February.")
	h.now = h.now.Add(3 * time.Hour) // a 6-day-old page is read every 2 hours
	h.mustOnce()
	if h.rec.edits != 1 {
		t.Fatalf("an update of a re-checked release edited %d messages, want 1", h.rec.edits)
	}
}

// natowatch once prunes at most daily, whichever process runs it; a dry
// run never does.
func TestOncePrunesAtMostDaily(t *testing.T) {
	h := newHarness(t, nil)
	pc := &pruneCounter{Store: h.store}
	h.reopen(pc)
	h.mustOnce()
	if _, p := pc.counts(); p != 1 {
		t.Fatalf("the first once pruned %d times, want 1", p)
	}
	h.now = h.now.Add(time.Hour)
	h.mustOnce()
	// Another process, an hour later.
	other, err := New(h.app.cfg, nil, Options{Store: pc, Notifier: h.rec, Sources: []Source{h.src}, Now: func() time.Time { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(time.Hour)
	if err := other.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, p := pc.counts(); p != 1 {
		t.Fatalf("three onces in two hours pruned %d times, want 1", p)
	}
	h.now = h.now.Add(day)
	if err := other.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, p := pc.counts(); p != 2 {
		t.Fatalf("a once a day later: %d prunes in all, want 2", p)
	}
	dry, err := New(h.app.cfg, nil, Options{Store: pc, Notifier: h.rec, Sources: []Source{h.src}, Now: func() time.Time { return h.now }, NoPrune: true})
	if err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(2 * day)
	turns, _ := pc.counts()
	if err := dry.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	if t2, p := pc.counts(); t2 != turns || p != 2 {
		t.Fatalf("a dry run asked for the turn (%d) or pruned (%d prunes in all)", t2-turns, p)
	}
}

// The daemon prunes on the replica that schedules the checks, not on the
// others.
func TestDaemonPrunesOnTheLeaderOnly(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	h.src.publish("https://example.org/a", "Allies agree on new air defence plans", h.now, release.TypeNews, body[0])
	h.mustOnce()
	h.now = h.now.Add(100 * day)
	lead := &pruneCounter{Store: h.store}
	follow := &pruneCounter{Store: h.store}
	h.reopen(lead)
	h.app.pruneTick = 5 * time.Millisecond
	other, err := New(h.app.cfg, nil, Options{Store: follow, Notifier: h.rec, Sources: []Source{h.src}, Now: func() time.Time { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	other.pruneTick = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.app.Run(ctx)
	}()
	waitUntil(t, func() bool { return h.app.leader.Load() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		other.Run(ctx)
	}()
	waitUntil(t, func() bool {
		c, err := h.store.Outbox(ctx)
		return err == nil && c.Sent == 0
	})
	time.Sleep(50 * time.Millisecond) // ten ticks of the other replica
	if _, p := lead.counts(); p != 1 {
		t.Errorf("the leader pruned %d times, want once (the clock stands still)", p)
	}
	if turns, p := follow.counts(); turns+p != 0 || other.leader.Load() {
		t.Errorf("a replica that does not lead asked %d turns, pruned %d times", turns, p)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
