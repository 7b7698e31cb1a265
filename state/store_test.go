package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/release"
)

// The PostgreSQL tests run on the server NATOWATCH_PG_DSN names, or on a
// cluster pgtest starts; without PostgreSQL they skip (see pgtest).
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func openSQLite(t *testing.T) *SQLite {
	t.Helper()
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openPG opens a store on a fresh database of its own.
func openPG(t *testing.T) *Postgres {
	t.Helper()
	s, err := OpenPostgres(context.Background(), pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// backends are the stores every store test runs against.
var backends = []struct {
	name string
	open func(t *testing.T) Store
}{
	{"sqlite", func(t *testing.T) Store { return openSQLite(t) }},
	{"postgres", func(t *testing.T) Store { return openPG(t) }},
}

// eachStore runs f on a fresh store of each backend, in parallel.
func eachStore(t *testing.T, f func(t *testing.T, s Store)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f(t, b.open(t))
		})
	}
}

// Times come back in UTC at millisecond precision, zero as zero.
func TestTimesRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		paris := time.FixedZone("CET", 3600)
		now := time.Date(2026, 11, 26, 11, 30, 15, 123456789, paris)
		want := time.Date(2026, 11, 26, 10, 30, 15, 123000000, time.UTC)
		same := func(what string, got, want time.Time) {
			t.Helper()
			if !got.Equal(want) || got.Location() != want.Location() || got.Nanosecond() != want.Nanosecond() {
				t.Errorf("%s = %v (%v), want %v", what, got, got.Location(), want)
			}
		}
		if _, err := s.RecordCheck(ctx, "nato", now, ""); err != nil {
			t.Fatal(err)
		}
		h, _ := s.Health(ctx, "nato")
		same("last check", h.LastCheck, want)
		if !h.FailingSince.IsZero() {
			t.Errorf("failing since %v, want zero", h.FailingSince)
		}
		r := release.Release{Source: "s", URL: "https://x/t", Published: now}
		id, err := s.Save(ctx, Put{Release: r, Fingerprint: "f", Version: 1, LastMod: now,
			Alert: &release.Alert{Version: 1, Kind: release.KindNew, Published: now}, Recipients: recipients("webhook:t")}, now)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := s.Recent(ctx, "s", now.Add(-time.Hour))
		if len(got) != 1 || got[0].ID != id {
			t.Fatalf("recent %+v", got)
		}
		same("first seen", got[0].FirstSeen, want)
		same("lastmod", got[0].LastMod, want)
		same("published", got[0].Published, want)
		if got[0].URL != r.URL {
			t.Errorf("recent url %q", got[0].URL)
		}
		// Inside the release's own data, times keep what JSON keeps.
		full, err := s.Get(ctx, id)
		if err != nil || full == nil || !full.Release.Published.Equal(now) || full.Fingerprint != "f" {
			t.Errorf("get %d = %+v, %v; want published %v", id, full, err, now)
		}
		if none, err := s.Get(ctx, id+1000); none != nil || err != nil {
			t.Errorf("get of an unknown id = %+v, %v", none, err)
		}
		due, _ := s.Due(ctx, now, 10)
		if len(due) != 1 {
			t.Fatalf("due %+v", due)
		}
		same("created", due[0].CreatedAt, want)
		if due, _ := s.Due(ctx, now.Add(-time.Millisecond), 10); len(due) != 0 {
			t.Errorf("due a millisecond early")
		}
		first, n, err := s.NoteMissing(ctx, "https://x/gone", now)
		if err != nil || n != 1 {
			t.Fatal(n, err)
		}
		same("missing since", first, want)
	})
}

// The rest of the store: recent and latest, touch, suspects, missing
// items, targets, failed deliveries, validators.
func TestReleaseLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		save := func(p Put) int64 {
			t.Helper()
			id, err := s.Save(ctx, p, t0)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		rel := func(url string, age time.Duration) release.Release {
			return release.Release{Source: "nato", URL: url, Title: url, Published: t0.Add(-age)}
		}
		a := save(Put{Release: rel("https://x/a", 48*time.Hour), Keys: []string{"url:a"}, Fingerprint: "fa", Version: 1})
		b := save(Put{Release: rel("https://x/b", time.Hour), Keys: []string{"url:b", "url:a"}, Fingerprint: "fb", Version: 1})
		save(Put{Release: rel("https://x/listed", 0), Keys: []string{"url:listed"}}) // recorded, not fetched
		save(Put{Release: release.Release{Source: "other", URL: "https://y/c", Published: t0.Add(-2 * time.Hour)}, Fingerprint: "fc", Version: 1})

		// A key already pointing at a release stays with it.
		if st, _ := s.Lookup(ctx, []string{"url:a"}); st == nil || st.ID != a {
			t.Fatalf("url:a moved to %+v", st)
		}
		ids := func(sts []Stored) (out []string) {
			for _, st := range sts {
				out = append(out, st.Release.URL)
			}
			return out
		}
		recent, err := s.Recent(ctx, "nato", t0.Add(-24*time.Hour))
		var urls []string
		for _, p := range recent {
			urls = append(urls, p.URL)
		}
		if err != nil || !reflect.DeepEqual(urls, []string{"https://x/b", "https://x/a"}) { // a first seen now
			t.Fatalf("recent %v %v", urls, err)
		}
		latest, _ := s.Latest(ctx, 2)
		if !reflect.DeepEqual(ids(latest), []string{"https://x/b", "https://y/c"}) {
			t.Fatalf("latest %v", ids(latest))
		}
		if all, _ := s.Latest(ctx, -1); len(all) != 3 {
			t.Fatalf("latest(-1) = %d releases, want all 3 fetched", len(all))
		}
		if none, _ := s.Latest(ctx, 0); len(none) != 0 {
			t.Fatalf("latest(0) = %d", len(none))
		}

		// Touch keeps the newest lastmod and saves the page's validators.
		if err := s.Touch(ctx, b, "https://x/b", release.Validators{ETag: `"b2"`}, t0.Add(time.Hour), t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.Touch(ctx, b, "", release.Validators{}, t0, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		st, _ := s.Lookup(ctx, []string{"url:b"})
		if !st.LastMod.Equal(t0.Add(time.Hour)) || !st.CheckedAt.Equal(t0.Add(2*time.Minute)) || !st.FirstSeen.Equal(t0) {
			t.Fatalf("after touch: %+v", st)
		}
		if v, _ := s.Validators(ctx, "https://x/b"); v.ETag != `"b2"` {
			t.Fatalf("validators %+v", v)
		}
		if pages, _ := s.Recent(ctx, "nato", t0.Add(-24*time.Hour)); len(pages) == 0 || pages[0].URL != "https://x/b" || pages[0].Validators.ETag != `"b2"` {
			t.Fatalf("recent pages carry their validators: %+v", pages)
		}
		// Saving empty validators forgets them.
		if err := s.SaveValidators(ctx, "https://x/b", release.Validators{}, t0); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Validators(ctx, "https://x/b"); v != (release.Validators{}) {
			t.Fatalf("validators kept: %+v", v)
		}
		if err := s.SaveValidators(ctx, "https://x/list", release.Validators{LastModified: "Wed, 25 Nov 2026 10:00:00 GMT"}, t0); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Validators(ctx, "https://x/list"); v.LastModified == "" || v.ETag != "" {
			t.Fatalf("validators %+v", v)
		}

		// A suspect fingerprint is remembered until the next save.
		if err := s.MarkSuspect(ctx, b, "fshort"); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.Lookup(ctx, []string{"url:b"}); st.Suspect != "fshort" {
			t.Fatalf("suspect %q", st.Suspect)
		}
		save(Put{ID: b, Release: rel("https://x/b", time.Hour), Fingerprint: "fb2", Version: 2})
		if st, _ := s.Lookup(ctx, []string{"url:b"}); st.Suspect != "" || st.Version != 2 || st.Fingerprint != "fb2" {
			t.Fatalf("after save: %+v", st)
		}

		// Missing items count up until forgotten.
		for i := 1; i <= 3; i++ {
			first, n, err := s.NoteMissing(ctx, "https://x/gone", t0.Add(time.Duration(i)*time.Hour))
			if err != nil || n != i || !first.Equal(t0.Add(time.Hour)) {
				t.Fatalf("missing #%d: %v %d %v", i, first, n, err)
			}
		}
		if err := s.ForgetMissing(ctx, "https://x/gone"); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := s.NoteMissing(ctx, "https://x/gone", t0); n != 1 {
			t.Fatalf("forgotten item counted %d", n)
		}
		// Saving the page forgets it too.
		s.NoteMissing(ctx, "https://x/gone", t0)
		save(Put{Release: rel("https://x/gone", time.Hour), Fingerprint: "fg", Version: 1, PageURL: "https://x/gone"})
		if _, n, _ := s.NoteMissing(ctx, "https://x/gone", t0); n != 1 {
			t.Fatalf("a saved page still counted missing: %d", n)
		}

		// Targets: every target but those given up.
		alert := func(v int) release.Alert { return release.Alert{Kind: release.KindNew, Version: v, URL: "https://x/a"} }
		save(Put{ID: a, Release: rel("https://x/a", 48*time.Hour), Fingerprint: "fa", Version: 1,
			Alert: ptr(alert(1)), Recipients: recipients("webhook:2", "channel:1", "dm:3")})
		due, _ := s.Due(ctx, t0, -1)
		if len(due) != 3 {
			t.Fatalf("due(-1) = %d, want all 3", len(due))
		}
		if err := s.MarkFailed(ctx, due[2].ID, "HTTP 403: Missing Access"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Targets(ctx, a); !reflect.DeepEqual(sorted(keysOf(got)), []string{"channel:1", "webhook:2"}) {
			t.Fatalf("targets %v", got)
		}
		if got, _ := s.FailedDeliveries(ctx, 10); !reflect.DeepEqual(got, []string{"dm:3 https://x/a: HTTP 403: Missing Access"}) {
			t.Fatalf("failed deliveries %q", got)
		}
		if err := s.MarkSent(ctx, due[0].ID, "m1", t0); err != nil {
			t.Fatal(err)
		}
		c, _ := s.Outbox(ctx)
		if c != (Counts{Pending: 1, Sent: 1, Failed: 1}) {
			t.Fatalf("counts %+v", c)
		}
		if m, err := s.FirstMessage(ctx, a, target("channel:1")); err != nil || m != "" {
			t.Fatalf("first message of an unsent alert: %q %v", m, err)
		}
		if m, err := s.FirstMessage(ctx, a, target("webhook:2")); err != nil || m != "m1" {
			t.Fatalf("first message %q %v", m, err)
		}
		if before, err := s.PendingBefore(ctx, target("channel:1"), due[1].ID); err != nil || before {
			t.Fatalf("pending before the first alert of a target: %v %v", before, err)
		}
	})
}

// Backup writes a SQLite file that OpenSQLite opens, with everything in it.
func TestBackup(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		r := release.Release{Source: "nato", URL: "https://x/1", Title: "Allies meet", Body: []string{"Ministers discussed the Geoană plan."}, Published: t0}
		id, err := s.Save(ctx, Put{Release: r, Keys: []string{"url:1"}, Fingerprint: "f1", Version: 1, PageURL: r.URL, Validators: release.Validators{ETag: `"e"`},
			Alert: &release.Alert{Kind: release.KindNew, Version: 1, URL: r.URL}, Recipients: recipients("channel:1")}, t0)
		if err != nil {
			t.Fatal(err)
		}
		s.RecordCheck(ctx, "nato", t0, "")
		s.Subscribe(ctx, Subscription{GuildID: "g", ChannelID: "c", Types: []string{"news"}}, t0)
		s.PutWatch(ctx, Watch{GuildID: "g", Name: "w", Terms: []string{"Geoană"}}, t0)
		s.PutFollow(ctx, Follow{UserID: "u", Terms: []string{"plan"}}, t0)
		s.NoteMissing(ctx, "https://x/404", t0)

		path := filepath.Join(t.TempDir(), "copy.db")
		if err := s.Backup(ctx, path); err != nil {
			t.Fatal(err)
		}
		if err := s.Backup(ctx, path); err == nil {
			t.Error("a backup overwrote an existing file")
		}
		c, err := OpenSQLite(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, st := range []Store{s, c} {
			got, err := st.Lookup(ctx, []string{"url:1"})
			if err != nil || got == nil || got.ID != id || got.Release.Title != r.Title || !got.FirstSeen.Equal(t0) {
				t.Fatalf("lookup %+v %v", got, err)
			}
			if due, _ := st.Due(ctx, t0, 10); len(due) != 1 || due[0].ReleaseID != id {
				t.Fatalf("due %+v", due)
			}
			if h, _ := st.Health(ctx, "nato"); !h.FirstCheck.Equal(t0) {
				t.Fatalf("health %+v", h)
			}
			if subs, _ := st.Subscriptions(ctx, "g"); len(subs) != 1 || subs[0].Types[0] != "news" {
				t.Fatalf("subscriptions %+v", subs)
			}
			if ws, _ := st.Watches(ctx, ""); len(ws) != 1 || ws[0].Terms[0] != "Geoană" {
				t.Fatalf("watches %+v", ws)
			}
			if fs, _ := st.Follows(ctx); len(fs) != 1 {
				t.Fatalf("follows %+v", fs)
			}
			if _, n, _ := st.NoteMissing(ctx, "https://x/404", t0); n != 2 {
				t.Fatalf("missing count %d", n)
			}
			if hits, err := st.Search(ctx, "geoana", 5); err != nil || len(hits) != 1 || hits[0].ID != id {
				t.Fatalf("search %+v %v", hits, err)
			}
			// The copy goes on from the ids it was given.
			id2, err := st.Save(ctx, Put{Release: release.Release{Source: "nato", URL: "https://x/2"}, Fingerprint: "f2", Version: 1}, t0)
			if err != nil || id2 <= id {
				t.Fatalf("next id %d after %d: %v", id2, id, err)
			}
		}
	})
}

// Nothing a user types can make Search fail.
func TestSearchNeverFails(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1", Title: "L'OTAN & the non-proliferation treaty",
			Body: []string{"Allies (30) agree: a|b !c <-> d:* 'quoted' \"double\" \\ end."}}, Fingerprint: "f", Version: 1}, t0); err != nil {
			t.Fatal(err)
		}
		queries := []string{
			`"`, `""`, `"""`, `" "`, `'`, `\`, `\"`, `(`, `)`, `()`, `&`, `|`, `!`, `!!`, `<->`, `<2>`, `:*`, `a:*`, `a & b`, `a | b`,
			`!a`, `-a`, `a -b`, `or`, `OR`, `and`, `NOT a`, `a OR`, `"a OR b"`, `NEAR(a b)`, `a*`, `^a`, `a:b:c`, `{x}`, `[x]`,
			`l'otan`, `non-proliferation`, `-`, `--`, `'--'`, `;`, `; DROP TABLE releases; --`, `$1`, `%`, `_`, `?`,
			"\x00", "a\x00b", "\xff\xfe", "caf\xe9", "🙂", "日本語", "ʻokina", "\u200b", "\t\n", strings.Repeat("word ", 2000),
			strings.Repeat(`"`, 501), strings.Repeat("(", 1000), strings.Repeat("a|", 1000),
		}
		for _, q := range queries {
			if _, err := s.Search(ctx, q, 5); err != nil {
				t.Errorf("search %.40q: %v", q, err)
			}
		}
		for _, q := range []string{"l'otan", "non-proliferation", `"the non-proliferation"`, "TREATY", "d:*"} {
			if hits, err := s.Search(ctx, q, 5); err != nil || len(hits) != 1 {
				t.Errorf("search %q: %d hits, %v", q, len(hits), err)
			}
		}
		// Negative limits are no limit, as SQLite's LIMIT -1.
		if hits, err := s.Search(ctx, "treaty", -1); err != nil || len(hits) != 1 {
			t.Errorf("search with limit -1: %d hits, %v", len(hits), err)
		}
	})
}

// Text PostgreSQL cannot hold (NUL, invalid UTF-8) does not break a write,
// and keys still find what they saved.
func TestAwkwardText(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		odd := "caf\xe9\x00 \xff"
		id, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/" + odd, Title: odd, Body: []string{odd, "café"}},
			Keys: []string{"title:" + odd}, Fingerprint: odd, Version: 1, PageURL: "https://x/" + odd, Validators: release.Validators{ETag: odd},
			Alert: &release.Alert{Version: 1, Title: odd}, Recipients: recipients("webhook:t")}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := s.Lookup(ctx, []string{"title:" + odd}); err != nil || st == nil || st.ID != id {
			t.Fatalf("lookup %+v %v", st, err)
		}
		if _, err := s.RecordCheck(ctx, "s", t0, "HTTP 500: "+odd); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Search(ctx, odd, 5); err != nil {
			t.Fatal(err)
		}
		if hits, err := s.Search(ctx, "cafe", 5); err != nil || len(hits) != 1 {
			t.Fatalf("search cafe: %+v %v", hits, err)
		}
	})
}

// Saves from many goroutines at once all land, each alert once.
func TestConcurrentSaves(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					u := fmt.Sprintf("https://x/%d/%d", g, i)
					_, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: u, Title: u}, Keys: []string{"url:" + u}, Fingerprint: "f", Version: 1,
						Alert: &release.Alert{Version: 1}, Recipients: recipients("webhook:t")}, t0)
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if c, _ := s.Outbox(ctx); c.Pending != 40 {
			t.Fatalf("pending %d, want 40", c.Pending)
		}
	})
}

func TestOpenPicksBackend(t *testing.T) {
	for spec, pg := range map[string]bool{
		"postgres://u@h/db": true, "postgresql://h/db": true, "POSTGRES://h/db": true,
		"state.db": false, "/var/lib/natowatch/state.db": false, ":memory:": false, "postgres.db": false, "postgres:/x": false,
	} {
		if IsPostgres(spec) != pg {
			t.Errorf("IsPostgres(%q) = %v", spec, !pg)
		}
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*SQLite); !ok {
		t.Fatalf("a path opened %T", s)
	}
	s.Close()
	// A failure is a nil Store, not a nil pointer in a Store.
	if s, err := Open(ctx, "postgres://natowatch:secret@127.0.0.1:1/nope?connect_timeout=5"); err == nil || s != nil {
		t.Fatalf("Open of a closed port = %v, %v", s, err)
	} else if strings.Contains(err.Error(), "secret") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if s, err := Open(ctx, t.TempDir()); err == nil || s != nil {
		t.Fatalf("Open of a directory = %v, %v", s, err)
	}
	if _, err := OpenPostgres(ctx, "postgres://natowatch:secret@[::1"); err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("a bad DSN: %v", err)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestLeaseAndClaim(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		ok, err := s.Lead(ctx, "scheduler", "a", t0, 10*time.Second)
		if err != nil || !ok {
			t.Fatalf("a takes a free lease: %v %v", ok, err)
		}
		if ok, _ := s.Lead(ctx, "scheduler", "b", t0.Add(5*time.Second), 10*time.Second); ok {
			t.Fatal("b took a lease a holds")
		}
		if ok, _ := s.Lead(ctx, "scheduler", "a", t0.Add(8*time.Second), 10*time.Second); !ok {
			t.Fatal("a could not renew")
		}
		if ok, _ := s.Lead(ctx, "scheduler", "b", t0.Add(17*time.Second), 10*time.Second); ok {
			t.Fatal("b took a renewed lease")
		}
		if ok, _ := s.Lead(ctx, "scheduler", "b", t0.Add(19*time.Second), 10*time.Second); !ok {
			t.Fatal("b did not take an expired lease")
		}
		if ok, _ := s.Lead(ctx, "scheduler", "a", t0.Add(20*time.Second), 10*time.Second); ok {
			t.Fatal("a took the lease back from b")
		}

		for i := 0; i < 3; i++ {
			u := fmt.Sprintf("https://x/claim/%d", i)
			if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: u}, Keys: []string{"url:" + u}, Fingerprint: "f", Version: 1,
				Alert: &release.Alert{Version: 1, Kind: release.KindNew}, Recipients: recipients("channel:1")}, t0); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.Claim(ctx, "a", t0, 2, time.Minute)
		if err != nil || len(a) != 2 || a[0].ID > a[1].ID {
			t.Fatalf("a claims two: %+v %v", a, err)
		}
		b, _ := s.Claim(ctx, "b", t0, 10, time.Minute)
		if len(b) != 1 || b[0].ID == a[0].ID || b[0].ID == a[1].ID {
			t.Fatalf("b claims what is left: %+v", b)
		}
		// a dies: after its claim runs out, b gets a's rows, with their nonces.
		if b2, _ := s.Claim(ctx, "b", t0.Add(30*time.Second), 10, time.Minute); len(b2) != 1 {
			t.Fatalf("b took a's rows before the claim ran out: %d", len(b2))
		}
		b3, _ := s.Claim(ctx, "b", t0.Add(2*time.Minute), 10, time.Minute)
		if len(b3) != 3 || b3[0].Nonce != a[0].Nonce {
			t.Fatalf("after a's claim ran out: %+v", b3)
		}
	})
}
