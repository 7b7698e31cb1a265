package state

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/release"
)

func TestMigrateSQLiteToPostgresAndBack(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	file := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenSQLite(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.Save(ctx, Put{Release: release.Release{Source: "nato", URL: "https://x/1", Title: "Allies condemn missile launch", Published: t0, Body: []string{"North Korea fired a ballistic missile."}},
		Keys: []string{"url:x/1", "guid:nato:1"}, Fingerprint: "f1", Version: 1, PageURL: "https://x/1", Validators: release.Validators{ETag: `"e"`},
		Alert: &release.Alert{Kind: release.KindNew, Version: 1, URL: "https://x/1"}, Recipients: recipients("channel:1")}, t0)
	if err != nil {
		t.Fatal(err)
	}
	s.Subscribe(ctx, Subscription{GuildID: "g", ChannelID: "c"}, t0)
	s.PutWatch(ctx, Watch{GuildID: "g", Name: "korea", Terms: []string{"North Korea"}}, t0)
	s.Close()

	if err := Migrate(ctx, file, dsn); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Lookup(ctx, []string{"guid:nato:1"})
	if err != nil || st == nil || st.ID != id || st.Release.Title != "Allies condemn missile launch" {
		t.Fatalf("lookup after migrate: %+v %v", st, err)
	}
	if hits, err := p.Search(ctx, "missile", 5); err != nil || len(hits) != 1 {
		t.Fatalf("search after migrate: %+v %v", hits, err)
	}
	if due, _ := p.Due(ctx, t0, 10); len(due) != 1 {
		t.Fatalf("outbox after migrate: %d", len(due))
	}
	if ws, _ := p.Watches(ctx, "g"); len(ws) != 1 {
		t.Fatal("watches not migrated")
	}
	// New rows get new ids after the copied ones.
	id2, err := p.Save(ctx, Put{Release: release.Release{Source: "nato", URL: "https://x/2"}, Keys: []string{"url:x/2"}, Fingerprint: "f2", Version: 1}, t0)
	if err != nil || id2 <= id {
		t.Fatalf("a new release after migrate: id %d, %v", id2, err)
	}
	// A destination with releases is refused.
	if err := Migrate(ctx, file, dsn); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("migrating into a used database: %v", err)
	}
	// And back, into a new SQLite file.
	back := filepath.Join(t.TempDir(), "back.db")
	if err := Migrate(ctx, dsn, back); err != nil {
		t.Fatal(err)
	}
	b, err := OpenSQLite(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if hits, _ := b.Search(ctx, "missile", 5); len(hits) != 1 {
		t.Fatal("search index not migrated back")
	}
	checkIndex(t, b)
	if due, err := b.Due(ctx, t0, 10); err != nil || len(due) != 1 || due[0].Alert.URL != "https://x/1" || due[0].Target.Key() != "channel:1" {
		t.Fatalf("outbox migrated back: %+v %v", due, err)
	}
}
