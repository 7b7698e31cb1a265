package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/internal/pgtest"
	"github.com/natowatch/natowatch/release"
)

// benchParagraphs are real release paragraphs: the summary package's
// sample releases and the scraper's golden extractions (read-only).
func benchParagraphs(b *testing.B) []string {
	b.Helper()
	var pool []string
	seen := map[string]bool{}
	add := func(body []string) {
		for _, p := range body {
			p = strings.Join(strings.Fields(p), " ")
			if len(p) >= 40 && !seen[p] {
				seen[p] = true
				pool = append(pool, p)
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join("..", "summary", "testdata", "releases.json")); err == nil {
		var rs []struct{ Body []string }
		if err := json.Unmarshal(data, &rs); err == nil {
			for _, r := range rs {
				add(r.Body)
			}
		}
	}
	goldens, _ := filepath.Glob(filepath.Join("..", "scraper", "testdata", "golden", "*.json"))
	for _, g := range goldens {
		data, err := os.ReadFile(g)
		if err != nil {
			continue
		}
		var a struct{ Body []string }
		if json.Unmarshal(data, &a) == nil {
			add(a.Body)
		}
	}
	if len(pool) < 50 {
		b.Skipf("too few sample paragraphs (%d)", len(pool))
	}
	sort.Strings(pool)
	return pool
}

// benchRelease is a release as the pipeline saves it: ~20 paragraphs
// (~4 KB of text), its two keys, and the alert of a new release (summary,
// quotes, a watch match).
func benchRelease(pool []string, i int) (release.Release, []string, release.Alert) {
	rng := rand.New(rand.NewPCG(2026, uint64(i)))
	r := release.Release{Source: fmt.Sprintf("src%02d", i%8), URL: fmt.Sprintf("https://www.nato.int/cps/en/natohq/news_%d.htm", 100000+i),
		Title: fmt.Sprintf("Secretary General meets the Prime Minister of %s (%d)", []string{"Estonia", "Latvia", "Norway", "Romania"}[i%4], i),
		Type:  release.TypeNews, Published: t0.Add(-time.Duration(i) * 10 * time.Minute)}
	for range 20 {
		r.Body = append(r.Body, pool[rng.IntN(len(pool))])
	}
	keys := []string{"url:" + strings.TrimPrefix(r.URL, "https://"), "td:" + strings.ToLower(r.Title) + "|" + r.Published.Format("2006-01-02")}
	a := release.Alert{Kind: release.KindNew, Source: r.Source, URL: r.URL, Title: r.Title, Type: r.Type, Published: r.Published,
		Summary: []string{r.Body[0], r.Body[1], r.Body[2]},
		Quotes:  []release.Quote{{Text: r.Body[3], Speaker: "NATO Secretary General Mark Rutte"}},
		Matches: []release.Match{{Watch: "c:baltic", Term: "Estonia", Sentence: r.Body[4], Start: 3, End: 10}},
		Version: 1}
	return r, keys, a
}

// BenchmarkNewRelease is the store's part of the pipeline for one new
// release, as bench.MeasureStages has it: the two identity lookups (the
// listing's keys, then the page's), and the transaction that saves the
// release with its keys, page validators, search index entry and one alert.
// cpu-ns/op is the process's CPU time (user + system) per release.
func BenchmarkNewRelease(b *testing.B) {
	pool := benchParagraphs(b)
	run := func(b *testing.B, s Store) {
		ctx := context.Background()
		// A store with some history, so that lookups and inserts are not
		// into empty tables.
		for i := range 500 {
			r, keys, _ := benchRelease(pool, 1_000_000+i)
			if _, err := s.Save(ctx, Put{Release: r, Keys: keys, Fingerprint: "f", Version: 1}, t0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		cpu0 := cpuTime()
		for b.Loop() {
			r, keys, a := benchRelease(pool, i)
			i++
			for range 2 {
				if st, err := s.Lookup(ctx, keys); err != nil || st != nil {
					b.Fatal(st, err)
				}
			}
			put := Put{Release: r, Keys: keys, Fingerprint: fmt.Sprintf("%064x", i), Version: 1, PageURL: r.URL,
				Validators: release.Validators{ETag: fmt.Sprintf(`"%x"`, i)}, Alert: &a, Recipients: recipients("webhook:bench")}
			if _, err := s.Save(ctx, put, t0); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	eachBackend(b, run)
}

// BenchmarkFootprint is the state's size per release, after b.N releases
// saved as the footprint benchmark saves its history (no alerts), or with
// alerts to three targets, delivered. Run it with a fixed count
// (-benchtime 5000x): bytes/release is the SQLite file's size after a
// checkpoint, or the PostgreSQL tables' with their indexes and TOAST after
// a VACUUM, over b.N; -v logs where the bytes are.
func BenchmarkFootprint(b *testing.B) {
	pool := benchParagraphs(b)
	fill := func(b *testing.B, s Store, targets int) {
		ctx := context.Background()
		i := 0
		for b.Loop() {
			r, keys, a := benchRelease(pool, i)
			i++
			put := Put{Release: r, Keys: keys, Fingerprint: fmt.Sprintf("%064x", i), Version: 1, PageURL: r.URL,
				Validators: release.Validators{ETag: fmt.Sprintf(`"%x"`, i)}}
			put.Alert = &a
			for t := range targets {
				put.Recipients = append(put.Recipients, Recipient{Target: release.Target{Kind: release.TargetChannel, ID: fmt.Sprint(600000000000000000 + t)}, Matches: a.Matches})
			}
			if _, err := s.Save(ctx, put, r.Published); err != nil {
				b.Fatal(err)
			}
			if targets > 0 {
				due, err := s.Due(ctx, r.Published, -1)
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range due {
					if err := s.MarkSent(ctx, d.ID, fmt.Sprint(1300000000000000000+d.ID), r.Published); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
		b.StopTimer()
	}
	// report reports the size and logs the rows of (what, bytes, payload).
	report := func(b *testing.B, size int64, rows *sql.Rows, err error) {
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		b.ReportMetric(float64(size)/float64(b.N), "bytes/release")
		for rows.Next() {
			var (
				name           string
				pages, payload int64
			)
			if err := rows.Scan(&name, &pages, &payload); err != nil {
				b.Fatal(err)
			}
			b.Logf("%-36s %9.0f bytes/release (payload %7.0f)", name, float64(pages)/float64(b.N), float64(payload)/float64(b.N))
		}
	}
	for _, targets := range []int{0, 3} {
		b.Run(fmt.Sprintf("sqlite/alerts=%d", targets), func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), "state.db")
			s, err := OpenSQLite(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			fill(b, s, targets)
			if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				b.Fatal(err)
			}
			var size int64
			for _, p := range []string{path, path + "-wal"} {
				if fi, err := os.Stat(p); err == nil {
					size += fi.Size()
				}
			}
			rows, err := s.db.QueryContext(ctx, `SELECT name, sum(pgsize), sum(payload) FROM dbstat GROUP BY name ORDER BY 2 DESC`)
			report(b, size, rows, err)
		})
		b.Run(fmt.Sprintf("postgres/alerts=%d", targets), func(b *testing.B) {
			ctx := context.Background()
			s, err := OpenPostgres(ctx, pgtest.DSN(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			fill(b, s, targets)
			if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
				b.Fatal(err)
			}
			const rels = `pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')`
			var size int64
			if err := s.db.QueryRowContext(ctx, `SELECT sum(pg_total_relation_size(c.oid)) FROM `+rels+` AND c.relkind = 'r'`).Scan(&size); err != nil {
				b.Fatal(err)
			}
			rows, err := s.db.QueryContext(ctx, `SELECT c.relname, pg_relation_size(c.oid) + coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0), 0
				FROM `+rels+` ORDER BY 2 DESC`)
			report(b, size, rows, err)
		})
	}
}

// BenchmarkFanOut is one release queued for 100 channels (every tenth with
// a watch match of its own), claimed and marked sent, as a delivery pass
// does it.
func BenchmarkFanOut(b *testing.B) {
	pool := benchParagraphs(b)
	const targets = 100
	run := func(b *testing.B, s Store) {
		ctx := context.Background()
		b.ReportAllocs()
		i := 0
		cpu0 := cpuTime()
		for b.Loop() {
			r, keys, a := benchRelease(pool, i)
			i++
			put := Put{Release: r, Keys: keys, Fingerprint: "f", Version: 1, Alert: &a}
			for t := range targets {
				ms := a.Matches
				if t%10 != 0 {
					ms = nil
				}
				put.Recipients = append(put.Recipients, Recipient{Target: release.Target{Kind: release.TargetChannel, ID: fmt.Sprint(600000000000000000 + t)}, Matches: ms})
			}
			if _, err := s.Save(ctx, put, t0); err != nil {
				b.Fatal(err)
			}
			due, err := s.Claim(ctx, "me", t0, targets, time.Minute)
			if err != nil || len(due) != targets {
				b.Fatal(len(due), err)
			}
			for _, d := range due {
				if err := s.MarkSent(ctx, d.ID, "1300000000000000000", t0); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	eachBackend(b, run)
}

// BenchmarkSearch is a search of a few words over 5,000 releases.
func BenchmarkSearch(b *testing.B) {
	pool := benchParagraphs(b)
	ctx := context.Background()
	s, err := OpenSQLite(ctx, filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := range 5000 {
		r, keys, _ := benchRelease(pool, i)
		if _, err := s.Save(ctx, Put{Release: r, Keys: keys, Fingerprint: "f", Version: 1}, t0); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.Search(ctx, "nato", 1); err != nil {
		b.Fatal(err)
	}
	var segments int
	if err := s.db.QueryRow(`SELECT count(*) FROM releases_fts_data WHERE id > 10 AND id & 0xFFFFFFFF = 1`).Scan(&segments); err == nil {
		b.Logf("~%d segments", segments)
	}
	queries := []string{"missile defence", `"Secretary General"`, "estonia allies", "ukraine", "brigade winter"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := s.Search(ctx, queries[i%len(queries)], 10); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// eachBackend runs a benchmark on a new SQLite file and on PostgreSQL.
func eachBackend(b *testing.B, run func(*testing.B, Store)) {
	b.Run("sqlite", func(b *testing.B) {
		s, err := OpenSQLite(context.Background(), filepath.Join(b.TempDir(), "state.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, s)
	})
	b.Run("postgres", func(b *testing.B) {
		s, err := OpenPostgres(context.Background(), pgtest.DSN(b))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		run(b, s)
	})
}
