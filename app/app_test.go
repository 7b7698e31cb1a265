package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// fakeSource lists candidates and serves releases from memory.
type fakeSource struct {
	mu       sync.Mutex
	name     string
	cands    []scraper.Candidate
	pages    map[string]*release.Release
	fetches  int
	fetched  map[string]int
	failURLs map[string]bool
	listErr  error  // List fails with it when set
	onFetch  func() // called on each fetch, outside the lock
}

func newFakeSource() *fakeSource {
	return &fakeSource{name: "fake", pages: map[string]*release.Release{}, failURLs: map[string]bool{}}
}

func (f *fakeSource) Name() string { return f.name }

func (f *fakeSource) List(ctx context.Context, _ scraper.ValidatorsFunc) (*scraper.Listing, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &scraper.Listing{Candidates: append([]scraper.Candidate(nil), f.cands...), Fetched: map[string]release.Validators{}}, nil
}

func (f *fakeSource) Fetch(ctx context.Context, c scraper.Candidate, v release.Validators) (*scraper.Item, error) {
	if f.onFetch != nil {
		f.onFetch()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if f.fetched == nil {
		f.fetched = map[string]int{}
	}
	f.fetched[c.URL]++
	if f.failURLs[c.URL] {
		return nil, &scraper.StatusError{URL: c.URL, Status: 500}
	}
	r, ok := f.pages[c.URL]
	if !ok {
		return nil, &scraper.StatusError{URL: c.URL, Status: 404}
	}
	cp := *r
	cp.Body = append([]string(nil), r.Body...)
	etag := fingerprint(&cp)[:8]
	if v.ETag == etag {
		return &scraper.Item{Page: &scraper.Page{NotModified: true}}, nil
	}
	return &scraper.Item{Page: &scraper.Page{URL: c.URL, Validators: release.Validators{ETag: etag}}, Release: &cp}, nil
}

// publish lists a release (newest first, as sites do) and serves its page.
func (f *fakeSource) publish(url, title string, published time.Time, typ release.Type, body ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cands = append([]scraper.Candidate{{URL: url, Title: title, Published: published}}, f.cands...)
	f.pages[url] = &release.Release{Source: f.name, URL: url, Title: title, Published: published, Type: typ, Body: body}
}

// recorder is a notifier that remembers what it was asked to send.
type recorder struct {
	mu      sync.Mutex
	sent    []sentAlert
	edits   int
	fail    map[string]error // by target key prefix: "channel 1", "webhook …"
	tries   map[string]int
	notices []string
}

type sentAlert struct {
	target string
	alert  release.Alert
}

func (r *recorder) Send(_ context.Context, t notifier.Target, a release.Alert, _ string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tries == nil {
		r.tries = map[string]int{}
	}
	r.tries[t.String()]++
	if err := r.fail[t.String()]; err != nil {
		return "", err
	}
	r.sent = append(r.sent, sentAlert{t.String(), a})
	return fmt.Sprintf("m%d", len(r.sent)), nil
}

func (r *recorder) Edit(context.Context, notifier.Target, string, release.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edits++
	return nil
}

func (r *recorder) Notice(_ context.Context, t notifier.Target, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, text)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

type harness struct {
	t     *testing.T
	app   *App
	src   *fakeSource
	rec   *recorder
	store *state.SQLite
	now   time.Time
}

func newHarness(t *testing.T, mutate func(*config.Config)) *harness {
	t.Helper()
	cfg := &config.Config{
		Sources: []config.Source{{Name: "fake", Type: "rss", URL: "https://example.org/feed", Schedule: "@every 1m"}},
		Watches: []config.Watch{{Name: "korea", Terms: []string{"North Korea"}, MentionRole: "112233445566778899"}},
		Targets: []config.Target{
			{Channel: "100000000000000001"},
			{Channel: "100000000000000002", Watches: []string{"korea"}},
			{Channel: "100000000000000003", Types: []string{"speech"}},
		},
	}
	if mutate != nil {
		mutate(cfg)
	}
	c, err := config.Parse(mustYAML(t, cfg), func(string) string { return "token" })
	if err != nil {
		t.Fatal(err)
	}
	store, err := state.OpenSQLite(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := &harness{t: t, src: newFakeSource(), rec: &recorder{fail: map[string]error{}}, store: store,
		now: time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)}
	h.app, err = New(c, nil, Options{Store: store, Notifier: h.rec, Sources: []Source{h.src}, Now: func() time.Time { return h.now }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// reopen builds the harness's App anew over store: a new process, or the
// same state seen through a wrapper.
func (h *harness) reopen(store state.Store) {
	h.t.Helper()
	a, err := New(h.app.cfg, nil, Options{Store: store, Notifier: h.rec, Sources: []Source{h.src}, Now: func() time.Time { return h.now }})
	if err != nil {
		h.t.Fatal(err)
	}
	h.app = a
}

func mustYAML(t *testing.T, c *config.Config) []byte {
	t.Helper()
	c.Discord.Token = "${TOKEN}"
	b, err := config.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) once() error {
	h.t.Helper()
	return h.app.Once(context.Background())
}

func (h *harness) mustOnce() {
	h.t.Helper()
	if err := h.once(); err != nil {
		h.t.Fatal(err)
	}
}

var body = []string{"NATO Allies met in Brussels on Thursday to discuss support for partners and agreed on new steps.", "They condemned the launch by North Korea of a ballistic missile over Japan."}

func TestReIdentifiedReleaseIsNotPostedTwice(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	h.src.publish("https://example.org/a", "Allies condemn the missile launch by North Korea", h.now, release.TypeNews, body...)
	h.mustOnce()
	n := h.rec.count()
	if n != 2 { // all-types channel and the korea channel
		t.Fatalf("new release: %d alerts, want 2", n)
	}
	// The site moves the item to a new URL, same title and day.
	h.src.publish("https://example.org/a-moved", "Allies condemn the missile launch by North Korea", h.now, release.TypeNews, body...)
	h.mustOnce()
	if h.rec.count() != n {
		t.Fatalf("a re-identified item was posted again: %d alerts", h.rec.count())
	}
}

func TestCatchUpIsCappedAndInOrder(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.CatchUp = config.CatchUp{MaxCount: 3, MaxAge: config.Duration(48 * time.Hour)}
	})
	h.mustOnce()
	// natowatch was down for a while.
	h.now = h.now.Add(2 * time.Hour)
	for i := 0; i < 6; i++ {
		h.src.publish(fmt.Sprintf("https://example.org/r%d", i), fmt.Sprintf("Release number %d of the day", i), h.now.Add(time.Duration(i)*time.Minute), release.TypeNews, body[0])
	}
	h.src.publish("https://example.org/old", "A release from long ago that reappears", h.now.Add(-30*24*time.Hour), release.TypeNews, body[0])
	h.mustOnce()
	var got []string
	for _, s := range h.rec.sent {
		if s.target == "channel 100000000000000001" {
			got = append(got, s.alert.Title)
		}
	}
	want := []string{"Release number 3 of the day", "Release number 4 of the day", "Release number 5 of the day"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("posted %q, want the newest three oldest first %q", got, want)
	}
	// What was skipped is recorded: nothing more comes later.
	h.mustOnce()
	if len(h.rec.sent) != 3 {
		t.Fatalf("skipped items posted later: %d alerts", len(h.rec.sent))
	}
}

func TestFiltersAndUpdatesFollowTheOriginal(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	h.src.publish("https://example.org/s", "Speech by the Secretary General on partnerships", h.now, release.TypeSpeech, "Good morning. Partnerships matter to NATO and to all our Allies in every region of the world.")
	h.mustOnce()
	targets := map[string]bool{}
	for _, s := range h.rec.sent {
		targets[s.target] = true
	}
	if len(h.rec.sent) != 2 || !targets["channel 100000000000000001"] || !targets["channel 100000000000000003"] {
		t.Fatalf("a speech without korea went to %v", targets)
	}
	// An edit that now mentions North Korea: the update goes to those that
	// got the original and to the korea channel, which now matches.
	h.src.mu.Lock()
	h.src.pages["https://example.org/s"].Body = append(h.src.pages["https://example.org/s"].Body, "We discussed the threat posed by North Korea.")
	h.src.mu.Unlock()
	h.now = h.now.Add(time.Hour)
	h.mustOnce()
	if len(h.rec.sent) != 5 {
		t.Fatalf("after the edit: %d alerts, want 5", len(h.rec.sent))
	}
	for _, s := range h.rec.sent[2:] {
		if s.alert.Kind != release.KindUpdate || s.alert.Changes == nil || len(s.alert.Changes.Added) != 1 {
			t.Errorf("%s: not an update with the added sentence: %+v", s.target, s.alert)
		}
	}
	if h.rec.edits != 2 {
		t.Errorf("originals edited %d times, want 2", h.rec.edits)
	}
	// Unchanged afterwards: when its page is next due (an hour-old release
	// every 5 minutes or so), it answers 304, and nothing more happens.
	fetches := h.src.fetches
	h.now = h.now.Add(10 * time.Minute)
	h.mustOnce()
	if len(h.rec.sent) != 5 || h.src.fetches != fetches+1 {
		t.Errorf("unchanged check: %d alerts, %d fetches", len(h.rec.sent), h.src.fetches-fetches)
	}
}

func TestFailedItemIsRetriedNextCheck(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	h.src.publish("https://example.org/x", "Allies agree on new air defence plans", h.now, release.TypeNews, body[0])
	h.src.failURLs["https://example.org/x"] = true
	// A failing item is not a failure of its source (issue 13).
	if err := h.once(); err != nil {
		t.Fatalf("a failing item: err = %v", err)
	}
	delete(h.src.failURLs, "https://example.org/x")
	h.mustOnce()
	if h.rec.count() != 1 {
		t.Fatalf("after recovery: %d alerts, want 1", h.rec.count())
	}
}

func TestDeliveryRetriesInOrderAndGivesUp(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Targets = []config.Target{{Channel: "100000000000000001"}}
		c.Delivery.GiveUp = config.Duration(time.Hour)
	})
	h.mustOnce()
	h.src.publish("https://example.org/1", "First release of the day on NATO", h.now, release.TypeNews, body[0])
	h.src.publish("https://example.org/2", "Second release of the day on NATO", h.now.Add(time.Minute), release.TypeNews, body[0])
	h.rec.fail["channel 100000000000000001"] = &notifier.Error{Status: 500}
	if err := h.once(); err == nil {
		t.Fatal("undelivered alerts must make once fail")
	}
	delete(h.rec.fail, "channel 100000000000000001")
	// Not yet due: nothing is sent, and the second does not overtake.
	if _, err := h.app.Deliver(context.Background()); err != nil || h.rec.count() != 0 {
		t.Fatalf("before the retry time: %d sent, %v", h.rec.count(), err)
	}
	h.now = h.now.Add(15 * time.Second)
	if _, err := h.app.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h.rec.count() != 2 || h.rec.sent[0].alert.Title != "First release of the day on NATO" {
		t.Fatalf("after the retry: %+v", h.rec.sent)
	}
	// A bad request fails that alert at once.
	h.src.publish("https://example.org/3", "Third release of the day on NATO", h.now, release.TypeNews, body[0])
	h.rec.fail["channel 100000000000000001"] = &notifier.Error{Status: 400, Kind: notifier.Rejected}
	if err := h.once(); err == nil {
		t.Fatal("a failed delivery must make once fail")
	}
	c, _ := h.store.Outbox(context.Background())
	if c.Failed != 1 || c.Pending != 0 {
		t.Fatalf("outbox %+v", c)
	}
}

func TestDeadTargetIsPausedNotHammered(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Targets = []config.Target{{Channel: "100000000000000001"}, {Channel: "100000000000000002"}}
		c.Delivery.GiveUp = config.Duration(3 * time.Hour)
	})
	h.mustOnce()
	h.rec.fail["channel 100000000000000001"] = &notifier.Error{Status: 403, Kind: notifier.Gone}
	for i := 0; i < 5; i++ {
		h.src.publish(fmt.Sprintf("https://example.org/%d", i), fmt.Sprintf("Release number %d about NATO", i), h.now, release.TypeNews, body[0])
		h.once()
		h.now = h.now.Add(time.Minute)
	}
	// The live channel got all five; the dead one was asked once.
	live := 0
	for _, s := range h.rec.sent {
		if s.target == "channel 100000000000000002" {
			live++
		}
	}
	if live != 5 {
		t.Fatalf("live target got %d", live)
	}
	if n := h.rec.tries["channel 100000000000000001"]; n != 1 {
		t.Fatalf("the dead target was asked %d times, want 1", n)
	}
	c, _ := h.store.Outbox(context.Background())
	if c.Pending != 5 || c.Failed != 0 {
		t.Fatalf("dead target's alerts: %+v, want 5 pending", c)
	}
	// It comes back: after the pause, everything arrives in order.
	delete(h.rec.fail, "channel 100000000000000001")
	h.now = h.now.Add(61 * time.Minute)
	if _, err := h.app.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range h.rec.sent {
		if s.target == "channel 100000000000000001" {
			got = append(got, s.alert.Title)
		}
	}
	if len(got) != 5 || got[0] != "Release number 0 about NATO" {
		t.Fatalf("after the pause: %q", got)
	}
}

func TestShrunkPageNeedsASecondLook(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Targets = []config.Target{{Channel: "100000000000000001"}} })
	h.mustOnce()
	long := []string{body[0], body[1], "Allies also reviewed progress on the defence production action plan and on the integration of new members.", "The next meeting will take place in February in Brussels, where Ministers will take stock of the plans."}
	h.src.publish("https://example.org/p", "Allies agree on new air defence plans", h.now, release.TypeNews, long...)
	h.mustOnce()
	// The page now extracts to a stub (a broken deploy, a new layout).
	h.src.mu.Lock()
	h.src.pages["https://example.org/p"].Body = []string{"Loading…"}
	h.src.mu.Unlock()
	h.mustOnce()
	if h.rec.count() != 1 {
		t.Fatalf("a page that shrank to a stub was posted as an update at once: %d alerts", h.rec.count())
	}
	// Fixed again before the second look: no update at all.
	h.src.mu.Lock()
	h.src.pages["https://example.org/p"].Body = long
	h.src.mu.Unlock()
	h.mustOnce()
	if h.rec.count() != 1 {
		t.Fatalf("a transient stub produced %d alerts", h.rec.count())
	}
	// A real cut, seen twice, is an update.
	h.src.mu.Lock()
	h.src.pages["https://example.org/p"].Body = long[:1]
	h.src.mu.Unlock()
	h.mustOnce()
	h.mustOnce()
	if h.rec.count() != 2 || h.rec.sent[1].alert.Kind != release.KindUpdate {
		t.Fatalf("a confirmed cut: %d alerts", h.rec.count())
	}
}

func TestMetricsAndHealth(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	h.src.publish("https://example.org/m", "Allies condemn the missile launch by North Korea", h.now, release.TypeNews, body...)
	h.mustOnce()
	srv := httptest.NewServer(h.app.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`natowatch_checks_total{result="ok",source="fake"} 2`,
		`natowatch_listings_total{route="none",source="fake"} 2`, // the fake source names no route
		`natowatch_releases_total{event="new",source="fake"} 1`,
		`natowatch_deliveries_total{result="sent"} 2`,
		`natowatch_outbox_pending 0`,
		`natowatch_publish_to_post_seconds_count 2`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	resp, err = http.Get(srv.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz: %v %v", resp, err)
	}
}

func TestOpsToldOnceWhenFailingAndOnceWhenRecovered(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Discord.OpsChannel = "100000000000000009" })
	h.mustOnce()
	h.src.publish("https://example.org/f", "Allies agree on new air defence plans", h.now, release.TypeNews, body[0])
	h.src.listErr = &scraper.StatusError{URL: "https://example.org/feed", Status: 500}
	for i := 0; i < 4; i++ {
		h.once()
		h.now = h.now.Add(time.Minute)
	}
	h.src.listErr = nil
	h.mustOnce()
	h.mustOnce()
	if len(h.rec.notices) != 2 || !strings.Contains(h.rec.notices[0], "failing") || !strings.Contains(h.rec.notices[1], "recovered after 4") {
		t.Fatalf("notices %q", h.rec.notices)
	}
}

func TestMissingPageIsRetriedThenGivenUp(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Targets = []config.Target{{Channel: "100000000000000001"}} })
	h.mustOnce()
	h.src.mu.Lock()
	h.src.cands = append(h.src.cands, scraper.Candidate{URL: "https://example.org/soon", Title: "Published a little later", Published: h.now})
	h.src.mu.Unlock()
	// The page is not there yet: not a failure of the source.
	h.mustOnce()
	h.mustOnce()
	h.mustOnce() // the third check waits, the fourth tries again
	// It appears: posted.
	h.src.mu.Lock()
	h.src.pages["https://example.org/soon"] = &release.Release{Source: "fake", URL: "https://example.org/soon", Title: "Published a little later", Published: h.now, Type: release.TypeNews, Body: body}
	h.src.mu.Unlock()
	h.mustOnce()
	if h.rec.count() != 1 {
		t.Fatalf("a page that appeared late: %d alerts", h.rec.count())
	}
	// A dead link in the listing is given up after a day, quietly.
	h.src.mu.Lock()
	h.src.cands = append(h.src.cands, scraper.Candidate{URL: "https://example.org/dead", Title: "A dead link in the listing", Published: h.now})
	h.src.mu.Unlock()
	h.mustOnce()
	h.now = h.now.Add(25 * time.Hour)
	h.mustOnce()
	fetches := h.src.fetched["https://example.org/dead"]
	h.mustOnce()
	if h.src.fetched["https://example.org/dead"] != fetches || fetches != 2 {
		t.Fatalf("dead link fetched %d times, then again: a given-up link must not be fetched", fetches)
	}
}

func TestNoCapWhileWatching(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Targets = []config.Target{{Channel: "100000000000000001"}}
		c.CatchUp = config.CatchUp{MaxCount: 3}
	})
	h.mustOnce()
	h.now = h.now.Add(5 * time.Minute)
	for i := 0; i < 10; i++ { // a summit day: many texts at once
		h.src.publish(fmt.Sprintf("https://example.org/s%d", i), fmt.Sprintf("Summit text number %d", i), h.now, release.TypeOfficialText, body[0])
	}
	h.mustOnce()
	if h.rec.count() != 10 {
		t.Fatalf("a source watched all along: %d of 10 posted", h.rec.count())
	}
}

func TestOnceDrainsMoreThanOneBatch(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.Targets = []config.Target{{Channel: "100000000000000001"}}
		c.CatchUp.MaxCount = claimBatch + 30 // a check's cap on new releases
	})
	h.mustOnce()
	for i := 0; i < claimBatch+30; i++ {
		h.src.publish(fmt.Sprintf("https://example.org/b%d", i), fmt.Sprintf("Batch release number %d", i), h.now, release.TypeNews, body[0])
	}
	h.mustOnce()
	if h.rec.count() != claimBatch+30 {
		t.Fatalf("once delivered %d of %d", h.rec.count(), claimBatch+30)
	}
}

// Two transcripts of one day whose titles are their kind and the same
// by-line (a doorstep in the morning, another in the evening) are two
// releases, each posted as new: never one taken for an edit of the other.
func TestSameKindAndBylineOnOneDayAreTwoReleases(t *testing.T) {
	h := newHarness(t, nil)
	h.mustOnce()
	const title = "Doorstep statement by NATO Secretary General Mark Rutte at NATO Headquarters"
	h.src.publish("https://www.nato.int/en/news-and-events/events/transcripts/2026/11/27/doorstep-statement", title, h.now, release.TypeSpeech,
		"Good morning. Today Allies meet to discuss support for Ukraine and the defence industry, and I expect clear decisions on air defence.")
	h.mustOnce()
	n := h.rec.count()
	h.src.publish("https://www.nato.int/en/news-and-events/events/transcripts/2026/11/27/doorstep-statement-1", title, h.now, release.TypeSpeech,
		"Good evening. Allies agreed today to deliver more air defence to Ukraine this winter, and to speed up joint procurement of interceptors.")
	h.mustOnce()
	if got := h.rec.count(); got != 2*n {
		t.Fatalf("the evening doorstep: %d alerts in all, want %d (posted as new like the morning's)", got, 2*n)
	}
	for _, s := range h.rec.sent {
		if s.alert.Kind != release.KindNew {
			t.Errorf("an alert of kind %q for %s: one transcript taken for an edit of the other", s.alert.Kind, s.alert.URL)
		}
	}
}
