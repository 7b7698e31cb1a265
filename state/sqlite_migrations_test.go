package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

// v5File writes a state file as natowatch wrote it at schema 5 (before the
// search index read the releases' text, and alerts were kept apart from the
// outbox): three fetched releases and one
// only listed, their keys and validators, the full-text index with its own
// copy of the text, and the outbox (a sent alert, a pending one, a failed
// one).
func v5File(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	if err := (&SQLite{sqlStore: sqlStore{database: &database{db: db}}}).migrateTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	writeOldState(t, func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}, "rowid")
	return path
}

// oldReleases are what writeOldState writes.
var oldReleases = []struct {
	r  release.Release
	fp string
}{
	{release.Release{Source: "nato", URL: "https://x/1", Title: "Allies condemn missile launch", Published: t0,
		Body: []string{"North Korea fired a ballistic missile over Japan.", "Allies met in Brussels."}}, "f1"},
	{release.Release{Source: "nato", URL: "https://x/2", Title: "Defence ministers meet", Published: t0.Add(time.Hour),
		Body: []string{"Ministers discussed air defence and the Geoană plan."}}, "f2"},
	{release.Release{Source: "nato", URL: "https://x/3", Title: "Old title", Published: t0.Add(2 * time.Hour), Body: []string{"Nothing here\nyet."}}, "f3"},
	{release.Release{Source: "nato", URL: "https://x/4", Title: "Listed only", Published: t0.Add(3 * time.Hour)}, ""},
}

// oldMatch is the match of the sent alert and of the pending one.
var oldMatch = release.Match{Watch: "c:korea", Term: "North Korea", Sentence: "North Korea fired a ballistic missile over Japan.\x00", End: 11}

// writeOldState writes the rows of a state before alerts were kept apart
// from the outbox (SQLite schema 5, PostgreSQL schema 2), with exec and ? placeholders; ftsID is
// the index's id column.
func writeOldState(t *testing.T, exec func(q string, args ...any), ftsID string) {
	t.Helper()
	rels := oldReleases
	for i, x := range rels {
		id := i + 1
		data, _ := json.Marshal(x.r)
		exec(`INSERT INTO releases (id, source, url, published, fingerprint, version, data, first_seen, checked_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
			id, x.r.Source, x.r.URL, ms(x.r.Published), x.fp, string(data), ms(t0), ms(t0))
		exec(`INSERT INTO release_keys (key, release_id) VALUES (?, ?)`, "url:"+x.r.URL, id)
		exec(`INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (?, ?, '', ?)`, x.r.URL, fmt.Sprintf(`"e%d"`, id), ms(t0))
		if x.fp != "" {
			exec(`INSERT INTO releases_fts (`+ftsID+`, title, body) VALUES (?, ?, ?)`, id, x.r.Title, strings.Join(x.r.Body, "\n"))
		}
	}
	alert := func(id int, matches ...release.Match) string {
		r := rels[id-1].r
		b, _ := json.Marshal(release.Alert{Kind: release.KindNew, Source: r.Source, URL: r.URL, Title: r.Title, Published: r.Published,
			Summary: r.Body, Matches: matches, Version: 1})
		return string(b)
	}
	exec(`INSERT INTO outbox (release_id, version, target, kind, alert, nonce, status, attempts, next_at, message_id, created_at, sent_at)
		VALUES (1, 1, 'channel:1', 'new', ?, 'nw1', 'sent', 1, ?, 'm1', ?, ?)`, alert(1, oldMatch), ms(t0), ms(t0), ms(t0))
	exec(`INSERT INTO outbox (release_id, version, target, kind, alert, nonce, next_at, created_at)
		VALUES (2, 1, 'channel:1', 'new', ?, 'nw2', ?, ?)`, alert(2, oldMatch), ms(t0), ms(t0))
	exec(`INSERT INTO outbox (release_id, version, target, kind, alert, nonce, status, attempts, next_at, last_error, created_at)
		VALUES (3, 1, 'webhook:w', 'new', ?, 'nw3', 'failed', 3, ?, 'HTTP 404', ?)`, alert(3), ms(t0), ms(t0))
}

// checkIndex indexes the releases waiting and runs FTS5's integrity
// check, which compares the index with the text it reads from the
// releases.
func checkIndex(t *testing.T, s *SQLite) {
	t.Helper()
	if err := s.catchUpIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO releases_fts (releases_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("search index: %v", err)
	}
}

func TestMigrateFromSchema5(t *testing.T) {
	ctx := context.Background()
	path := v5File(t)
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("user_version = %d, %v", version, err)
	}
	var automerge int
	if err := s.db.QueryRow(`SELECT v FROM releases_fts_config WHERE k = 'automerge'`).Scan(&automerge); err != nil || automerge != 8 {
		t.Fatalf("automerge = %d, %v", automerge, err)
	}
	checkIndex(t, s)
	checkMigrated(t, s)
	checkIndex(t, s)
}

// checkMigrated checks a store holding writeOldState's rows, migrated.
func checkMigrated(t *testing.T, s Store) {
	t.Helper()
	ctx := context.Background()
	cases := map[string]string{
		"missile":             "https://x/1",
		`"ballistic missile"`: "https://x/1",
		"geoana":              "https://x/2", // diacritics folded
		"yet":                 "https://x/3", // a paragraph with a newline
	}
	for q, want := range cases {
		hits, err := s.Search(ctx, q, 5)
		if err != nil || len(hits) != 1 || hits[0].Release.URL != want || !strings.Contains(hits[0].Snippet, "**") {
			t.Errorf("search %q after migrating: %+v %v", q, hits, err)
		}
	}
	if hits, err := s.Search(ctx, "listed", 5); err != nil || len(hits) != 0 {
		t.Errorf("a release only listed is searchable: %+v %v", hits, err)
	}
	st, err := s.Lookup(ctx, []string{"url:https://x/2"})
	if err != nil || st == nil || st.ID != 2 || !reflect.DeepEqual(st.Release.Body, oldReleases[1].r.Body) {
		t.Fatalf("lookup after migrating: %+v %v", st, err)
	}
	if v, err := s.Validators(ctx, "https://x/2"); err != nil || v.ETag != `"e2"` {
		t.Fatalf("validators after migrating: %+v %v", v, err)
	}
	// An edit of a migrated release leaves the index right.
	if _, err := s.Save(ctx, Put{ID: 3, Release: release.Release{Source: "nato", URL: "https://x/3", Title: "Summit declaration",
		Body: []string{"Allies agree on Ukraine support."}}, Fingerprint: "g3", Version: 2}, t0); err != nil {
		t.Fatal(err)
	}
	if hits, _ := s.Search(ctx, "nothing", 5); len(hits) != 0 {
		t.Error("the old text of an edited release is still found")
	}
	if hits, _ := s.Search(ctx, "ukraine", 5); len(hits) != 1 || hits[0].ID != 3 {
		t.Errorf("the new text of an edited release: %+v", hits)
	}
	// The outbox as it was, less the delivered row's alert.
	if n := countAlerts(t, s); n != 2 {
		t.Fatalf("%d alerts kept, want the waiting row's and the failed one's", n)
	}
	c, err := s.Outbox(ctx)
	if err != nil || c != (Counts{Pending: 1, Sent: 1, Failed: 1}) {
		t.Fatalf("outbox after migrating: %+v %v", c, err)
	}
	due, err := s.Claim(ctx, "me", t0, 10, time.Minute)
	if err != nil || len(due) != 1 || due[0].ReleaseID != 2 || due[0].Alert.URL != "https://x/2" || due[0].Nonce != "nw2" || due[0].Target.Key() != "channel:1" ||
		!reflect.DeepEqual(due[0].Alert.Summary, oldReleases[1].r.Body) || !reflect.DeepEqual(due[0].Alert.Matches, []release.Match{oldMatch}) {
		t.Fatalf("claim after migrating: %+v %v", due, err)
	}
	if m, err := s.FirstMessage(ctx, 1, target("channel:1")); err != nil || m != "m1" {
		t.Fatalf("first message after migrating: %q %v", m, err)
	}
	if f, err := s.FailedDeliveries(ctx, 10); err != nil || len(f) != 1 || f[0] != "webhook:w https://x/3: HTTP 404" {
		t.Fatalf("failed deliveries after migrating: %q %v", f, err)
	}
	if ts, err := s.Targets(ctx, 1); err != nil || len(ts) != 1 || ts[0].Key() != "channel:1" {
		t.Fatalf("targets after migrating: %q %v", ts, err)
	}
	if err := s.MarkSent(ctx, due[0].ID, "m2", t0); err != nil {
		t.Fatal(err)
	}
	if n := countAlerts(t, s); n != 1 {
		t.Fatalf("%d alerts kept, want the failed row's", n)
	}
	// New alerts after the migrated ones.
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "nato", URL: "https://x/5"}, Fingerprint: "f5", Version: 1,
		Alert: &release.Alert{Kind: release.KindNew, URL: "https://x/5", Version: 1}, Recipients: recipients("channel:1")}, t0); err != nil {
		t.Fatal(err)
	}
	if due, err := s.Due(ctx, t0, -1); err != nil || len(due) != 1 || due[0].Alert.URL != "https://x/5" {
		t.Fatalf("a new alert after migrating: %+v %v", due, err)
	}
	// The migrated rows are pruned like new ones (SQLite migration 11,
	// PostgreSQL 6): the rows done go, the failed one with its alert; the
	// new pending row stays.
	checkAlerts(t, s)
	if p, err := s.Prune(ctx, t0.Add(24*time.Hour)); err != nil || p.Deliveries != 3 {
		t.Fatalf("prune after migrating: %+v %v", p, err)
	}
	checkAlerts(t, s)
	if n := countAlerts(t, s); n != 1 {
		t.Fatalf("%d alerts kept after pruning, want the pending row's", n)
	}
	if c, err := s.Outbox(ctx); err != nil || c != (Counts{Pending: 1}) {
		t.Fatalf("outbox after pruning: %+v %v", c, err)
	}
	if f, err := s.FailedDeliveries(ctx, 10); err != nil || len(f) != 0 {
		t.Fatalf("failed deliveries after pruning: %q %v", f, err)
	}
	if due, err := s.Due(ctx, t0, -1); err != nil || len(due) != 1 || due[0].Alert.URL != "https://x/5" {
		t.Fatalf("the pending alert after pruning: %+v %v", due, err)
	}
}

// The search index is brought up to date in batches: whatever waits is
// found all the same, and edits before and after a batch keep it right.
func TestSearchIndexBatches(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	n := indexBatch*2 + 5
	ids := make([]int64, n)
	for i := range n {
		id, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: fmt.Sprintf("https://x/%d", i), Title: fmt.Sprintf("Release %d", i),
			Body: []string{fmt.Sprintf("word%d common text", i)}}, Keys: []string{fmt.Sprintf("k%d", i)}, Fingerprint: "f", Version: 1}, t0)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
		if i == 3 || i == n-2 { // an edit while still waiting, and one of an indexed release
			for _, j := range []int{i, 0} {
				if _, err := s.Save(ctx, Put{ID: ids[j], Release: release.Release{Source: "s", URL: fmt.Sprintf("https://x/%d", j), Title: fmt.Sprintf("Release %d", j),
					Body: []string{fmt.Sprintf("edited%d-%d common text", j, i)}}, Fingerprint: "g", Version: 2}, t0); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var waiting int
	if err := s.db.QueryRow(`SELECT count(*) FROM releases_unindexed`).Scan(&waiting); err != nil || waiting == 0 || waiting >= indexBatch {
		t.Fatalf("%d releases wait for the index (%v)", waiting, err)
	}
	for q, want := range map[string]int{"common": n, "word0": 0, "edited0-3": 0, fmt.Sprintf("edited0-%d", n-2): 1, "word3": 0, "edited3-3": 1,
		fmt.Sprintf("word%d", n-1): 1, fmt.Sprintf("word%d", n-2): 0} {
		hits, err := s.Search(ctx, q, -1)
		if err != nil || len(hits) != want {
			t.Errorf("search %q: %d hits, want %d (%v)", q, len(hits), want, err)
		}
	}
	checkIndex(t, s)
	// A release saved again without a fetch (no fingerprint) leaves the
	// index, waiting or not.
	for _, j := range []int{1, n - 1} {
		if _, err := s.Save(ctx, Put{ID: ids[j], Release: release.Release{Source: "s", URL: fmt.Sprintf("https://x/%d", j)}, Version: 1}, t0); err != nil {
			t.Fatal(err)
		}
	}
	if hits, _ := s.Search(ctx, "common", -1); len(hits) != n-2 {
		t.Errorf("after two releases lost their text: %d hits", len(hits))
	}
	checkIndex(t, s)
}
