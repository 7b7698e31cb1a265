package web_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/app"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/scraper"
	"github.com/natowatch/natowatch/state"
)

// The PostgreSQL tests run on NATOWATCH_PG_DSN's server or one pgtest
// starts; without PostgreSQL they skip.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// source is a fake source: releases in memory, pages answered 304 when
// their text has not changed.
type source struct {
	mu    sync.Mutex
	name  string
	fail  error
	cands []scraper.Candidate
	pages map[string]*release.Release
	ver   map[string]int
}

func newSource(name string) *source {
	return &source{name: name, pages: map[string]*release.Release{}, ver: map[string]int{}}
}

func (s *source) Name() string { return s.name }

func (s *source) List(context.Context, scraper.ValidatorsFunc) (*scraper.Listing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	return &scraper.Listing{Candidates: append([]scraper.Candidate(nil), s.cands...), Fetched: map[string]release.Validators{}, Route: "feed"}, nil
}

func (s *source) Fetch(_ context.Context, c scraper.Candidate, v release.Validators) (*scraper.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.pages[c.URL]
	if !ok {
		return nil, &scraper.StatusError{URL: c.URL, Status: 404}
	}
	etag := c.URL + "#" + string(rune('0'+s.ver[c.URL]))
	if v.ETag == etag {
		return &scraper.Item{Page: &scraper.Page{NotModified: true}}, nil
	}
	cp := *r
	cp.Body = append([]string(nil), r.Body...)
	return &scraper.Item{Page: &scraper.Page{URL: c.URL, Validators: release.Validators{ETag: etag}}, Release: &cp}, nil
}

func (s *source) publish(r release.Release) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Source = s.name
	s.cands = append([]scraper.Candidate{{URL: r.URL, Title: r.Title, Published: r.Published}}, s.cands...)
	s.pages[r.URL] = &r
}

// correct changes a published release's text.
func (s *source) correct(url string, body ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[url].Body = body
	s.ver[url]++
}

// down is a notifier whose sends all fail for now: alerts stay pending.
type down struct{}

func (down) Send(context.Context, notifier.Target, release.Alert, string) (string, error) {
	return "", errors.New("discord: 503")
}
func (down) Edit(context.Context, notifier.Target, string, release.Alert) error {
	return errors.New("discord: 503")
}
func (down) Notice(context.Context, notifier.Target, string) error { return nil }

const configYAML = `
discord: {token: bot-token-secret, ops_channel: "334455667788990011"}
sources:
  - {name: nato, type: rss, url: "https://www.nato.int/feed", schedule: "@every 1m"}
  - {name: shape, type: rss, url: "https://shape.example/feed", schedule: "@every 1m"}
first_run: {post_latest: 10}
watches:
  - {name: korea, terms: ["North Korea"]}
targets:
  - webhook: https://discord.com/api/webhooks/123/secret-webhook-token
  - channel: "223344556677889900"
http: {public_url: "https://feeds.example.org/natowatch"}
`

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// world is natowatch on a state, with two sources and a clock.
type world struct {
	t     testing.TB
	cfg   *config.Config
	store state.Store
	nato  *source
	shape *source
	now   time.Time
	app   *app.App
}

func newWorld(t testing.TB, spec string, mutate func(*config.Config)) *world {
	t.Helper()
	cfg, err := config.Parse([]byte(configYAML), os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(cfg)
	}
	w := &world{t: t, cfg: cfg, nato: newSource("nato"), shape: newSource("shape"), now: t0}
	w.open(spec)
	return w
}

// open (re)starts natowatch on the state spec.
func (w *world) open(spec string) {
	w.t.Helper()
	if w.store != nil {
		w.store.Close()
	}
	st, err := state.Open(context.Background(), spec)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { st.Close() })
	w.store = st
	w.app = w.newApp(st)
}

func (w *world) newApp(st state.Store) *app.App {
	w.t.Helper()
	a, err := app.New(w.cfg, nil, app.Options{Store: st, Notifier: down{}, Sources: []app.Source{w.nato, w.shape},
		Now: func() time.Time { return w.now }, Version: "v-test"})
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// check runs natowatch once; its deliveries fail, its alerts stay queued.
func (w *world) check() {
	w.t.Helper()
	_ = w.app.Once(context.Background()) // fails: Discord is down, a source may fail
}

// serve starts natowatch's HTTP handler on 127.0.0.1.
func (w *world) serve() *httptest.Server {
	srv := httptest.NewServer(w.app.Handler())
	w.t.Cleanup(srv.Close)
	return srv
}

// seed publishes the releases every test reads: a speech with a quote, a
// release matching the watch, and one whose text tries to run script.
func (w *world) seed() {
	w.nato.publish(release.Release{URL: "https://www.nato.int/en/news/2026/11/26/press-release-1", Title: "NATO condemns North Korea's missile launch",
		Type: release.TypePressRelease, Published: t0.Add(-3 * time.Hour), Reference: "Press Release (2026) 101",
		Body: []string{"NATO Allies today condemned the launch by North Korea of a ballistic missile over Japan.",
			"The launch is a reckless act that threatens security in the region and beyond.",
			"Allies call on Pyongyang to abandon its ballistic missile programmes."}})
	w.nato.publish(release.Release{URL: "https://www.nato.int/en/news/2026/11/26/speech-2", Title: "Speech by the Secretary General at the Riga Conference",
		Type: release.TypeSpeech, Published: t0.Add(-2 * time.Hour), Speakers: []string{"Mark Rutte"},
		Body: []string{"Secretary General Mark Rutte spoke at the Riga Conference about deterrence and defence.",
			"\"We must invest more in air and missile defence, and we must do it now,\" said the Secretary General.",
			"Allies have agreed to spend more on defence every year since 2014."}})
	w.shape.publish(release.Release{URL: "https://shape.example/news/xss", Title: `<script>document.title="pwned"</script>Exercise <b>Steadfast</b> ends`,
		Type: release.TypeNews, Published: t0.Add(-1 * time.Hour),
		Body: []string{`Exercise Steadfast Dart ended on Friday <script>document.title="pwned";document.body.innerHTML="pwned"</script> with 10,000 troops.`,
			`Read more at javascript:alert(1) or <a href="javascript:alert(1)">here</a> and <img src=x onerror="document.title='pwned'">.`}})
	w.check()
}
