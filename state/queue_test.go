package state

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

func countAlerts(t *testing.T, s Store) int {
	t.Helper()
	var n int
	if err := rawDB(s).QueryRow(`SELECT count(*) FROM alerts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// target is the target key names.
func target(key string) release.Target {
	t, err := release.ParseTarget(key)
	if err != nil {
		panic(err)
	}
	return t
}

// recipients are the targets keys name, without matches.
func recipients(keys ...string) []Recipient {
	var out []Recipient
	for _, k := range keys {
		out = append(out, Recipient{Target: target(k)})
	}
	return out
}

// keysOf are the keys of targets.
func keysOf(targets []release.Target) []string {
	var out []string
	for _, t := range targets {
		out = append(out, t.Key())
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// An alert fanned out to many targets is stored once; each target still
// gets its own matches, and the alert goes once its last row is sent.
func TestFanOutStoresTheAlertOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		r := release.Release{Source: "s", URL: "https://x/1", Title: "Allies meet", Published: t0, Body: []string{"North Korea. Estonia."}}
		base := release.Alert{Kind: release.KindNew, Source: "s", URL: r.URL, Title: r.Title, Published: t0, Summary: r.Body,
			Quotes: []release.Quote{{Text: "We stand together.", Speaker: "SG"}}, Version: 1}
		korea := []release.Match{{Watch: "c:korea", Term: "North Korea", Sentence: "North Korea.", End: 11, Role: "123"}}
		baltic := []release.Match{{Watch: "g:1:baltic", Term: "Estonia", Sentence: "Estonia.", End: 7}}
		targets := []string{"channel:1", "channel:2", "channel:3", "webhook:w"}
		var put Put
		put.Release, put.Keys, put.Fingerprint, put.Version = r, []string{"url:1"}, "f", 1
		put.Alert = &base
		for i, tg := range targets {
			put.Recipients = append(put.Recipients, Recipient{Target: target(tg), Matches: [][]release.Match{korea, baltic, nil, {}}[i]})
		}
		id, err := s.Save(ctx, put, t0)
		if err != nil {
			t.Fatal(err)
		}
		if n := countAlerts(t, s); n != 1 {
			t.Fatalf("%d alerts stored for one fan-out", n)
		}
		// Saved again (a retried save): nothing more.
		put.ID = id
		if _, err := s.Save(ctx, put, t0); err != nil {
			t.Fatal(err)
		}
		if n := countAlerts(t, s); n != 1 {
			t.Fatalf("%d alerts stored after the same save twice", n)
		}
		due, err := s.Claim(ctx, "me", t0, 10, time.Minute)
		if err != nil || len(due) != len(targets) {
			t.Fatalf("claim: %d, %v", len(due), err)
		}
		for i, d := range due {
			want := base
			want.Matches = put.Recipients[i].Matches
			if len(want.Matches) == 0 {
				want.Matches = nil
			}
			if d.Target.Key() != targets[i] || d.ReleaseID != id || !reflect.DeepEqual(d.Alert, want) {
				t.Errorf("delivery %d: %s %+v, want %s %+v", i, d.Target, d.Alert, targets[i], want)
			}
		}
		if err := s.MarkFailed(ctx, due[3].ID, "HTTP 404"); err != nil {
			t.Fatal(err)
		}
		for _, d := range due[:3] {
			if err := s.MarkSent(ctx, d.ID, "m"+d.Target.Key(), t0); err != nil {
				t.Fatal(err)
			}
		}
		// The failed row keeps the alert, for FailedDeliveries.
		if n := countAlerts(t, s); n != 1 {
			t.Fatalf("%d alerts with a failed row", n)
		}
		if f, err := s.FailedDeliveries(ctx, 10); err != nil || len(f) != 1 || f[0] != "webhook:w https://x/1: HTTP 404" {
			t.Fatalf("failed deliveries: %q %v", f, err)
		}
		if m, err := s.FirstMessage(ctx, id, target("channel:2")); err != nil || m != "mchannel:2" {
			t.Fatalf("first message: %q %v", m, err)
		}
		if ts, err := s.Targets(ctx, id); err != nil || !reflect.DeepEqual(sorted(keysOf(ts)), targets[:3]) {
			t.Fatalf("targets: %q %v", ts, err)
		}
		if c, err := s.Outbox(ctx); err != nil || c != (Counts{Sent: 3, Failed: 1}) {
			t.Fatalf("outbox: %+v %v", c, err)
		}

		// An update to the three: sent, its alert goes with the last row.
		var upd Put
		upd.ID, upd.Release, upd.Fingerprint, upd.Version = id, r, "g", 2
		a := base
		a.Kind, a.Version, a.Changes = release.KindUpdate, 2, &release.Changes{Added: []string{"More."}}
		upd.Alert, upd.Recipients = &a, recipients(targets[:3]...)
		if _, err := s.Save(ctx, upd, t0); err != nil {
			t.Fatal(err)
		}
		due, err = s.Due(ctx, t0, -1)
		if err != nil || len(due) != 3 || due[0].Alert.Changes == nil || due[0].Alert.Version != 2 {
			t.Fatalf("due update: %+v %v", due, err)
		}
		for i, d := range due {
			if err := s.MarkSent(ctx, d.ID, "u", t0); err != nil {
				t.Fatal(err)
			}
			if n, want := countAlerts(t, s), map[bool]int{false: 2, true: 1}[i == 2]; n != want {
				t.Fatalf("after %d of 3 sent: %d alerts, want %d", i+1, n, want)
			}
		}
		if c, err := s.Outbox(ctx); err != nil || c != (Counts{Sent: 6, Failed: 1}) {
			t.Fatalf("outbox: %+v %v", c, err)
		}
		// Marking a row sent twice (a replica whose claim ran out) is harmless.
		if err := s.MarkSent(ctx, due[0].ID, "u", t0); err != nil {
			t.Fatal(err)
		}
		if m, err := s.FirstMessage(ctx, id, target("channel:1")); err != nil || m != "mchannel:1" {
			t.Fatalf("first message after the update: %q %v", m, err)
		}
	})
}

// An alert with no recipients, or recipients with no alert, queues
// nothing.
func TestQueueNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		r := release.Release{Source: "s", URL: "https://x/1", Title: "T"}
		a := release.Alert{Kind: release.KindNew, URL: r.URL, Title: "one", Version: 1}
		for _, put := range []Put{
			{Release: r, Fingerprint: "f", Version: 1, Alert: &a},
			{ID: 1, Release: r, Fingerprint: "f", Version: 1, Recipients: recipients("channel:1")},
		} {
			if _, err := s.Save(ctx, put, t0); err != nil {
				t.Fatal(err)
			}
		}
		if due, err := s.Due(ctx, t0, -1); err != nil || len(due) != 0 {
			t.Fatalf("due: %+v %v", due, err)
		}
		if n := countAlerts(t, s); n != 0 {
			t.Errorf("%d alerts stored, want none", n)
		}
	})
}

// A row sent by one replica and then given up by another whose claim ran
// out is counted failed, and shows the release's URL.
func TestSentThenFailed(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		r := release.Release{Source: "s", URL: "https://x/1"}
		put := Put{Release: r, Fingerprint: "f", Version: 1,
			Alert: &release.Alert{Kind: release.KindNew, URL: r.URL, Version: 1}, Recipients: recipients("webhook:w")}
		if _, err := s.Save(ctx, put, t0); err != nil {
			t.Fatal(err)
		}
		due, err := s.Claim(ctx, "a", t0, 10, time.Minute)
		if err != nil || len(due) != 1 {
			t.Fatalf("claim: %+v %v", due, err)
		}
		if err := s.MarkSent(ctx, due[0].ID, "m", t0); err != nil {
			t.Fatal(err)
		}
		if n := countAlerts(t, s); n != 0 {
			t.Fatalf("%d alerts kept after the only row was sent", n)
		}
		if err := s.MarkFailed(ctx, due[0].ID, "HTTP 404"); err != nil {
			t.Fatal(err)
		}
		if f, err := s.FailedDeliveries(ctx, 10); err != nil || len(f) != 1 || f[0] != "webhook:w https://x/1: HTTP 404" {
			t.Fatalf("failed deliveries: %q %v", f, err)
		}
		if c, err := s.Outbox(ctx); err != nil || c != (Counts{Failed: 1}) {
			t.Fatalf("outbox: %+v %v", c, err)
		}
	})
}

// Claims given back are free at once for any process, but only the
// holder's own, and only of rows still pending.
func TestUnclaim(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for i := range 3 {
			u := fmt.Sprintf("https://x/unclaim/%d", i)
			if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: u}, Keys: []string{"url:" + u}, Fingerprint: "f", Version: 1,
				Alert: &release.Alert{Version: 1, Kind: release.KindNew}, Recipients: recipients("channel:1")}, t0); err != nil {
				t.Fatal(err)
			}
		}
		a, err := s.Claim(ctx, "a", t0, 10, time.Minute)
		if err != nil || len(a) != 3 {
			t.Fatalf("a claims: %d %v", len(a), err)
		}
		if err := s.MarkSent(ctx, a[0].ID, "m", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.Unclaim(ctx, "b", []int64{a[1].ID}); err != nil { // not b's to give back
			t.Fatal(err)
		}
		if b, _ := s.Claim(ctx, "b", t0, 10, time.Minute); len(b) != 0 {
			t.Fatalf("b took a's claims: %d", len(b))
		}
		if err := s.Unclaim(ctx, "a", []int64{a[0].ID, a[1].ID, a[2].ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.Unclaim(ctx, "a", nil); err != nil {
			t.Fatal(err)
		}
		b, err := s.Claim(ctx, "b", t0, 10, time.Minute)
		if err != nil || len(b) != 2 || b[0].ID != a[1].ID || b[0].Nonce != a[1].Nonce {
			t.Fatalf("b after a gave its claims back: %+v %v", b, err)
		}
	})
}

// A stored key that is not a target's is read back whole, with no Kind,
// so that its row can be given up instead of every claim failing.
func TestNotATarget(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		r := release.Release{Source: "s", URL: "https://x/1"}
		odd := release.Target{ID: "dry-run"}
		put := Put{Release: r, Fingerprint: "f", Version: 1,
			Alert: &release.Alert{Kind: release.KindNew, URL: r.URL, Version: 1}, Recipients: []Recipient{{Target: odd}}}
		id, err := s.Save(ctx, put, t0)
		if err != nil {
			t.Fatal(err)
		}
		if due, err := s.Claim(ctx, "me", t0, 10, time.Minute); err != nil || len(due) != 1 || due[0].Target != odd {
			t.Fatalf("claim: %+v %v", due, err)
		}
		if ts, err := s.Targets(ctx, id); err != nil || len(ts) != 1 || ts[0] != odd {
			t.Fatalf("targets: %v %v", ts, err)
		}
	})
}
