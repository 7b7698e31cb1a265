package state

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

// checkAlerts checks that the alerts table is what its triggers keep it:
// each alert counts the outbox rows that hold it, none is left without
// one, and no row holds an alert that is gone.
func checkAlerts(t *testing.T, s Store) {
	t.Helper()
	db := rawDB(s)
	var wrong, orphans, dangling int
	if err := db.QueryRow(`SELECT count(*) FROM alerts a WHERE waiting != (SELECT count(*) FROM outbox o WHERE o.alert_id = a.id)`).Scan(&wrong); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM alerts WHERE waiting <= 0`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM outbox o WHERE o.alert_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.id = o.alert_id)`).Scan(&dangling); err != nil {
		t.Fatal(err)
	}
	if wrong+orphans+dangling > 0 {
		t.Fatalf("alerts: %d miscounted, %d held by no row, %d rows holding a deleted alert", wrong, orphans, dangling)
	}
}

// Prune deletes the deliveries sent or given up before its time, and the
// alerts only they held; it keeps pending rows, younger rows, and the rows
// of releases published since; old validators and missing items go too.
func TestPruneKeepsWhatIsStillUsed(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		const day = 24 * time.Hour
		old, young := t0.Add(-200*day), t0.Add(-day)
		cut := t0.Add(-90 * day)
		save := func(p Put, now time.Time) int64 {
			t.Helper()
			id, err := s.Save(ctx, p, now)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		put := func(url string, published time.Time, version int, kind release.Kind, targets ...string) Put {
			p := Put{Release: release.Release{Source: "s", URL: url, Title: url, Published: published}, Keys: []string{"url:" + url},
				Fingerprint: fmt.Sprint("f", version), Version: version, PageURL: url, Validators: release.Validators{ETag: `"` + url + `"`}}
			p.Alert = &release.Alert{Kind: kind, URL: url, Title: url, Version: version}
			p.Recipients = recipients(targets...)
			return p
		}
		// deliver sends (or fails) the due rows of the targets given.
		deliver := func(now time.Time, sent, failed []string) {
			t.Helper()
			due, err := s.Due(ctx, now, -1)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range due {
				switch {
				case contains(sent, d.Target.Key()):
					err = s.MarkSent(ctx, d.ID, fmt.Sprintf("m%d", d.ID), now)
				case contains(failed, d.Target.Key()):
					err = s.MarkFailed(ctx, d.ID, "HTTP 403")
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		// a: an old release to four targets: two sent, one given up, one
		// still pending (its target paused for ever).
		a := save(put("https://x/a", old, 1, release.KindNew, "channel:1", "channel:2", "webhook:3", "dm:4"), old)
		deliver(old, []string{"channel:1", "channel:2"}, []string{"webhook:3"})
		// b: old, but updated lately: the old rows go, the update's stay.
		b := save(put("https://x/b", old, 1, release.KindNew, "channel:1"), old)
		deliver(old, []string{"channel:1"}, nil)
		upd := put("https://x/b", old, 2, release.KindUpdate, "channel:1", "channel:2")
		upd.ID = b
		save(upd, young)
		deliver(young, []string{"channel:1"}, []string{"channel:2"})
		// c: first seen long ago, published lately (a misdated page, now
		// re-checked as recent): kept whatever the rows' age.
		c := save(put("https://x/c", t0.Add(-2*day), 1, release.KindNew, "channel:1"), old)
		deliver(old, []string{"channel:1"}, nil)
		// d: a fan-out given up long ago by one target and sent to the
		// others: its alert goes with the failed row.
		save(put("https://x/d", old, 1, release.KindNew, "channel:1", "channel:2", "channel:5"), old)
		deliver(old, []string{"channel:1", "channel:2"}, []string{"channel:5"})
		for _, m := range []struct {
			url string
			at  time.Time
		}{{"https://x/gone-old", old}, {"https://x/gone-young", young}} {
			if _, _, err := s.NoteMissing(ctx, m.url, m.at); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveValidators(ctx, "https://x/feed", release.Validators{ETag: `"feed"`}, young); err != nil {
			t.Fatal(err)
		}
		checkAlerts(t, s)
		if n := countAlerts(t, s); n != 3 { // a's (pending and failed), b's update (failed), d's (failed)
			t.Fatalf("%d alerts before pruning, want 3", n)
		}

		p, err := prune(ctx, rawDB(s), queriesOf(s), cut, 2) // batches of 2: several
		if err != nil {
			t.Fatal(err)
		}
		// a: 3 of 4 rows; b: its first; d: 3.
		if p != (Pruned{Deliveries: 7, Validators: 3, Missing: 1}) {
			t.Fatalf("pruned %+v, want 7 deliveries, 3 validators (a, c, d), 1 missing item", p)
		}
		checkAlerts(t, s)
		if n := countAlerts(t, s); n != 2 {
			t.Fatalf("%d alerts after pruning, want a's pending one and b's failed update", n)
		}
		if got, err := s.Outbox(ctx); err != nil || got != (Counts{Pending: 1, Sent: 2, Failed: 1}) {
			t.Fatalf("outbox after pruning: %+v %v", got, err)
		}
		// What is left: a's pending row, whole, still due.
		due, err := s.Due(ctx, t0, -1)
		if err != nil || len(due) != 1 || due[0].ReleaseID != a || due[0].Target.Key() != "dm:4" || due[0].Alert.URL != "https://x/a" {
			t.Fatalf("due after pruning: %+v %v", due, err)
		}
		if got, _ := s.Targets(ctx, a); !reflect.DeepEqual(keysOf(got), []string{"dm:4"}) {
			t.Fatalf("a's targets after pruning: %q", got)
		}
		// The original messages: gone for a and b, kept for c.
		for _, x := range []struct {
			id     int64
			target string
			want   bool
		}{{a, "channel:1", false}, {b, "channel:1", false}, {c, "channel:1", true}} {
			if m, err := s.FirstMessage(ctx, x.id, target(x.target)); err != nil || (m != "") != x.want {
				t.Errorf("first message of %d to %s after pruning: %q %v", x.id, x.target, m, err)
			}
		}
		if got, _ := s.FailedDeliveries(ctx, 10); len(got) != 1 || !strings.HasPrefix(got[0], "channel:2 https://x/b") {
			t.Fatalf("failed deliveries after pruning: %q", got)
		}
		// Validators written long ago are gone (c's too: its page is then
		// fetched whole once); b's, written with its update, and the feed's
		// stay.
		for url, want := range map[string]bool{"https://x/a": false, "https://x/b": true, "https://x/c": false, "https://x/feed": true} {
			if v, err := s.Validators(ctx, url); err != nil || (v.ETag != "") != want {
				t.Errorf("validators of %s after pruning: %+v %v", url, v, err)
			}
		}
		if _, n, _ := s.NoteMissing(ctx, "https://x/gone-young", t0); n != 2 {
			t.Errorf("a missing item seen lately was forgotten (count %d)", n)
		}
		if _, n, _ := s.NoteMissing(ctx, "https://x/gone-old", t0); n != 1 {
			t.Errorf("a missing item seen long ago was kept (count %d)", n)
		}
		// b's update saved again (a save made twice): still nothing more.
		save(upd, t0)
		if due, _ := s.Due(ctx, t0, -1); len(due) != 1 {
			t.Fatalf("a repeated save of a kept version queued again: %d due", len(due))
		}
		// Nothing more to do: nothing deleted.
		if p, err := s.Prune(ctx, cut); err != nil || p.Any() {
			t.Fatalf("second prune: %+v %v", p, err)
		}
		// Later, everything done goes; the pending row stays.
		if p, err := s.Prune(ctx, t0.Add(day)); err != nil || p.Deliveries != 3 {
			t.Fatalf("prune of everything: %+v %v", p, err)
		}
		checkAlerts(t, s)
		if got, _ := s.Outbox(ctx); got != (Counts{Pending: 1}) {
			t.Fatalf("outbox after pruning everything: %+v", got)
		}
		if n := countAlerts(t, s); n != 1 {
			t.Fatalf("%d alerts after pruning everything, want the pending row's", n)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// queriesOf are a store's prune statements.
func queriesOf(s Store) pruneQueries {
	if _, ok := s.(*Postgres); ok {
		return pgPrune
	}
	return sqlitePrune
}

// Turn gives a chore to the first who asks, then to nobody until its time
// has passed, whoever asks.
func TestTurn(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		const day = 24 * time.Hour
		for _, x := range []struct {
			holder string
			at     time.Duration
			want   bool
		}{{"a", 0, true}, {"a", time.Hour, false}, {"b", 23 * time.Hour, false}, {"b", day, true}, {"a", day + time.Minute, false}, {"a", 2*day - time.Millisecond, false}, {"a", 2 * day, true}} {
			got, err := s.Turn(ctx, "prune", x.holder, t0.Add(x.at), day)
			if err != nil || got != x.want {
				t.Fatalf("%s asks at +%v: %v %v, want %v", x.holder, x.at, got, err, x.want)
			}
		}
		// A turn is no lease of the same name's holder.
		if ok, err := s.Lead(ctx, "scheduler", "a", t0, time.Second); err != nil || !ok {
			t.Fatalf("lead: %v %v", ok, err)
		}
	})
}

// With nothing to delete, the outbox's part of a prune reads an index, not
// the rows (SQLite picks plans without statistics).
func TestPruneUsesAnIndex(t *testing.T) {
	s := openSQLite(t)
	sel := strings.TrimPrefix(strings.TrimSpace(sqlitePrune.outbox), "DELETE FROM outbox WHERE id IN (")
	sel = strings.TrimSuffix(strings.TrimSpace(sel), ")")
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN `+sel, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if len(plan) == 0 || !strings.Contains(plan[0], "USING INDEX outbox_due (status=? AND next_at<?)") {
		t.Fatalf("the prune's plan: %q", plan)
	}
}
