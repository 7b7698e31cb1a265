package state

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

type feedStore interface {
	Store
	FeedHeads(ctx context.Context, sources []string, n int) ([]FeedHead, error)
	CountSince(ctx context.Context, source string, t time.Time) (int, error)
	FeedVersion(ctx context.Context, sources []string, n int) (string, time.Time, error)
}

// FeedHeads merges the sources newest first, leaves out releases never
// fetched, and moves a corrected release's Changed to its correction.
func TestFeedHeads(t *testing.T) {
	eachStore(t, func(t *testing.T, st Store) {
		s := st.(feedStore)
		ctx := context.Background()
		save := func(src string, i int, fp string) int64 {
			r := release.Release{Source: src, URL: fmt.Sprintf("https://x/%s/%d", src, i), Published: t0.Add(time.Duration(i) * time.Hour)}
			id, err := s.Save(ctx, Put{Release: r, Fingerprint: fp, Version: 1}, t0.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		a1 := save("a", 1, "f")
		b2 := save("b", 2, "f")
		save("a", 3, "") // only listed
		a4 := save("a", 4, "f")
		version := func() string {
			t.Helper()
			v, latest, err := s.FeedVersion(ctx, []string{"a", "b"}, 2)
			if err != nil || v == "" || latest.IsZero() {
				t.Fatalf("feed version %q, %v, %v", v, latest, err)
			}
			return v
		}
		v1 := version()
		if v := version(); v != v1 {
			t.Errorf("version moved by itself: %s, %s", v1, v)
		}
		heads, err := s.FeedHeads(ctx, []string{"a", "b", "none"}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(heads) != 2 || heads[0].ID != a4 || heads[1].ID != b2 {
			t.Fatalf("heads %+v, want %d then %d", heads, a4, b2)
		}
		if !heads[0].Changed.Equal(t0.Add(4*time.Minute)) || !heads[0].Published.Equal(t0.Add(4*time.Hour)) {
			t.Errorf("head %+v", heads[0])
		}
		r := release.Release{Source: "a", URL: "https://x/a/1", Published: t0.Add(time.Hour)}
		fix := t0.Add(48 * time.Hour)
		if _, err := s.Save(ctx, Put{ID: a1, Release: r, Fingerprint: "g", Version: 2}, fix); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Save(ctx, Put{ID: a4, Release: release.Release{Source: "a", URL: "https://x/a/4", Published: t0.Add(4 * time.Hour)},
			Fingerprint: "g", Version: 2}, fix); err != nil {
			t.Fatal(err)
		}
		if v := version(); v == v1 {
			t.Errorf("version unchanged by a correction: %s", v)
		}
		heads, _ = s.FeedHeads(ctx, []string{"a"}, 10)
		if len(heads) != 2 || heads[1].ID != a1 || heads[1].Version != 2 || !heads[1].Changed.Equal(fix) || heads[0].Version != 2 {
			t.Errorf("after a correction: %+v", heads)
		}
		if n, err := s.CountSince(ctx, "a", t0.Add(2*time.Hour)); err != nil || n != 2 {
			t.Errorf("count since = %d, %v; want 2", n, err)
		}
		if _, err := s.FeedHeads(ctx, make([]string, maxFeedSources+1), 1); err == nil {
			t.Error("no error for too many sources")
		}
	})
}
