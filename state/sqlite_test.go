package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

func TestSaveLookupByAnyKey(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		r := release.Release{Source: "nato", URL: "https://www.nato.int/a", Title: "A", Published: t0, Body: []string{"x"}}
		id, err := s.Save(ctx, Put{Release: r, Keys: []string{"url:a", "guid:nato:1"}, Fingerprint: "f1", Version: 1,
			PageURL: r.URL, Validators: release.Validators{ETag: `"e1"`},
			Alert: &release.Alert{Kind: release.KindNew, Version: 1, URL: r.URL}, Recipients: recipients("channel:1")}, t0)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"url:a", "guid:nato:1"} {
			st, err := s.Lookup(ctx, []string{"nope", k})
			if err != nil || st == nil || st.ID != id || st.Fingerprint != "f1" || st.Release.Title != "A" {
				t.Fatalf("lookup %s = %+v, %v", k, st, err)
			}
		}
		if st, err := s.Lookup(ctx, []string{"url:b"}); err != nil || st != nil {
			t.Fatalf("unknown key found %+v, %v", st, err)
		}
		v, err := s.Validators(ctx, r.URL)
		if err != nil || v.ETag != `"e1"` {
			t.Fatalf("validators = %+v, %v", v, err)
		}
		due, err := s.Due(ctx, t0, 10)
		if err != nil || len(due) != 1 || due[0].Target.Key() != "channel:1" || len(due[0].Nonce) > 25 || due[0].Nonce == "" {
			t.Fatalf("due = %+v, %v", due, err)
		}
		// The same alert queued again (a retried save) is not queued twice.
		if _, err := s.Save(ctx, Put{ID: id, Release: r, Fingerprint: "f1", Version: 1,
			Alert: &release.Alert{Kind: release.KindNew, Version: 1}, Recipients: recipients("channel:1")}, t0); err != nil {
			t.Fatal(err)
		}
		if due, _ := s.Due(ctx, t0, 10); len(due) != 1 {
			t.Fatalf("alert queued twice: %d", len(due))
		}
		if err := s.MarkSent(ctx, due[0].ID, "m1", t0); err != nil {
			t.Fatal(err)
		}
		if m, err := s.FirstMessage(ctx, id, target("channel:1")); err != nil || m != "m1" {
			t.Fatalf("first message = %q, %v", m, err)
		}
		if due, _ := s.Due(ctx, t0, 10); len(due) != 0 {
			t.Fatalf("sent alert still due")
		}
	})
}

func TestRetryOrderAndFailure(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		var ids []int64
		for i, u := range []string{"https://x/1", "https://x/2"} {
			id, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: u, Published: t0.Add(time.Duration(i) * time.Hour)},
				Keys: []string{"url:" + u}, Fingerprint: "f", Version: 1,
				Alert: &release.Alert{Version: 1, Kind: release.KindNew}, Recipients: recipients("webhook:w")}, t0)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		due, _ := s.Due(ctx, t0, 10)
		if len(due) != 2 || due[0].ReleaseID != ids[0] {
			t.Fatalf("due out of order: %+v", due)
		}
		if err := s.MarkRetry(ctx, due[0].ID, "HTTP 500", t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if earlier, err := s.PendingBefore(ctx, target("webhook:w"), due[1].ID); err != nil || !earlier {
			t.Fatalf("the second alert could overtake the first (%v)", err)
		}
		if err := s.MarkFailed(ctx, due[0].ID, "gone"); err != nil {
			t.Fatal(err)
		}
		c, err := s.Outbox(ctx)
		if err != nil || c.Failed != 1 || c.Pending != 1 {
			t.Fatalf("counts = %+v, %v", c, err)
		}
	})
}

func TestHealthTransitions(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		before, err := s.RecordCheck(ctx, "nato", t0, "HTTP 500")
		if err != nil || !before.FailingSince.IsZero() {
			t.Fatalf("first failure: before = %+v, %v", before, err)
		}
		before, _ = s.RecordCheck(ctx, "nato", t0.Add(time.Minute), "HTTP 500")
		if !before.FailingSince.Equal(t0) || before.ConsecutiveKO != 1 {
			t.Fatalf("second failure: before = %+v", before)
		}
		h, _ := s.Health(ctx, "nato")
		if !h.FirstCheck.IsZero() {
			t.Fatal("a failed check counted as the first check")
		}
		before, _ = s.RecordCheck(ctx, "nato", t0.Add(2*time.Minute), "")
		if before.ConsecutiveKO != 2 {
			t.Fatalf("recovery: before = %+v", before)
		}
		h, _ = s.Health(ctx, "nato")
		if h.FirstCheck.IsZero() || h.LastError != "" || !h.FailingSince.IsZero() {
			t.Fatalf("after recovery: %+v", h)
		}
	})
}

func TestForeignAndCorruptFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("this is not a database at all, just some text that is long enough to have a header......."), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenSQLite(ctx, junk); !errors.Is(err, ErrNotNatowatch) {
		t.Fatalf("junk file: err = %v", err)
	}
	b, _ := os.ReadFile(junk)
	if len(b) == 0 || string(b[:4]) != "this" {
		t.Fatal("the junk file was modified")
	}
	// Another application's SQLite database.
	other := filepath.Join(dir, "other.db")
	s, err := OpenSQLite(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", other); err != nil {
		t.Fatal(err)
	}
	s.Close()
	o, err := OpenSQLite(ctx, other) // natowatch's own copy opens fine
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.db.ExecContext(ctx, "PRAGMA application_id = 42"); err != nil {
		t.Fatal(err)
	}
	o.Close()
	if _, err := OpenSQLite(ctx, other); !errors.Is(err, ErrNotNatowatch) {
		t.Fatalf("foreign database: err = %v", err)
	}
}
