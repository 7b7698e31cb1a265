package state

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

// deliverAll marks every pending row of a release sent at now, with a
// message id, as MarkSent does one by one.
func deliverAll(b *testing.B, s Store, releaseID int64, now time.Time) {
	b.Helper()
	q := `UPDATE outbox SET status = 'sent', message_id = CAST(1300000000000000000 + id AS TEXT), sent_at = ?, attempts = attempts + 1,
		alert_id = NULL, matches = '' WHERE release_id = ? AND status = 'pending'`
	args := []any{ms(now), releaseID}
	if _, ok := s.(*Postgres); ok {
		q = `UPDATE outbox SET status = 'sent', message_id = (1300000000000000000 + id)::text, sent_at = $1, attempts = attempts + 1,
			alert_id = NULL, matches = '' WHERE release_id = $2 AND status = 'pending'`
	}
	if _, err := rawDB(s).Exec(q, args...); err != nil {
		b.Fatal(err)
	}
}

// saveDelivered saves release i of the pool at now with an alert to each
// of targets channels, delivered.
func saveDelivered(b *testing.B, s Store, pool []string, i, targets int, now time.Time) {
	b.Helper()
	r, keys, a := benchRelease(pool, i)
	r.Published = now
	a.Published = now
	put := Put{Release: r, Keys: keys, Fingerprint: fmt.Sprintf("%064x", i), Version: 1, PageURL: r.URL,
		Validators: release.Validators{ETag: fmt.Sprintf(`"%x"`, i)}, Alert: &a}
	for t := range targets {
		ms := a.Matches
		if t%10 != 0 {
			ms = nil
		}
		put.Recipients = append(put.Recipients, Recipient{Target: release.Target{Kind: release.TargetChannel, ID: fmt.Sprint(600000000000000000 + t)}, Matches: ms})
	}
	id, err := s.Save(context.Background(), put, now)
	if err != nil {
		b.Fatal(err)
	}
	deliverAll(b, s, id, now)
}

// sqliteSize is a SQLite state's size on disk after a checkpoint, and its
// free pages.
func sqliteSize(b *testing.B, s *SQLite, path string) (size, free int64) {
	b.Helper()
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			size += fi.Size()
		}
	}
	var pageSize int64
	if err := s.db.QueryRow(`SELECT (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_size FROM pragma_page_size)`).Scan(&free, &pageSize); err != nil {
		b.Fatal(err)
	}
	return size, free * pageSize
}

// BenchmarkRetention is a SQLite state's growth per day in a simple
// scenario, the footprint one's: each simulated day 100 releases, each
// delivered to 220 channels (22,000 deliveries a day). keep=none keeps
// every delivery (as before pruning); keep=10d prunes at the end of each
// day (as natowatch once does; the daemon prunes hourly) what is older
// than 10 days. bytes/day is the file's growth over the days after the
// first 12 (the outbox has reached its size by then). One op is the whole
// simulation: run it with -benchtime 1x.
func BenchmarkRetention(b *testing.B) {
	pool := benchParagraphs(b)
	const (
		days, steady = 20, 12
		perDay       = 100
		targets      = 220
		keep         = 10 * 24 * time.Hour
	)
	for _, prune := range []bool{false, true} {
		name := "keep=none"
		if prune {
			name = "keep=10d"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				path := filepath.Join(b.TempDir(), "state.db")
				s, err := OpenSQLite(ctx, path)
				if err != nil {
					b.Fatal(err)
				}
				var atSteady int64
				var longest time.Duration
				for d := range days {
					start := t0.Add(time.Duration(d) * 24 * time.Hour)
					for i := range perDay {
						saveDelivered(b, s, pool, d*perDay+i, targets, start.Add(time.Duration(i)*24*time.Hour/perDay))
					}
					end := start.Add(24 * time.Hour)
					if prune {
						t := time.Now()
						if _, err := s.Prune(ctx, end.Add(-keep)); err != nil {
							b.Fatal(err)
						}
						longest = max(longest, time.Since(t))
					}
					if d == steady-1 {
						atSteady, _ = sqliteSize(b, s, path)
					}
				}
				size, free := sqliteSize(b, s, path)
				var rows int
				if err := s.db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&rows); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(size-atSteady)/float64(days-steady), "bytes/day")
				b.ReportMetric(float64(size), "bytes")
				b.ReportMetric(float64(rows), "outbox-rows")
				b.Logf("%s: %d days: %.1f MB (%.1f MB free pages), %d outbox rows; growth after day %d: %.0f bytes/day; longest daily prune %v",
					name, days, float64(size)/1e6, float64(free)/1e6, rows, steady, float64(size-atSteady)/float64(days-steady), longest.Round(time.Millisecond))
				s.Close()
			}
		})
	}
}

// timedConn times each statement run through it.
type timedConn struct {
	pgConn
	longest time.Duration
	n       int
}

func (c *timedConn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	t := time.Now()
	res, err := c.pgConn.ExecContext(ctx, q, args...)
	c.longest = max(c.longest, time.Since(t))
	c.n++
	return res, err
}

// BenchmarkPrune is what pruning costs. idle: a prune with nothing to
// delete, on a month of history (3,000 releases with their validators,
// 60,000 deliveries), which is what the daemon's hourly prune does almost
// always; turn: natowatch once asking whether a prune is due. first: the
// first prune of a state that ran for long without one, per row deleted
// (50,000 deliveries of 2,500 releases, with their validators), and the
// longest statement (one batch) it ran.
func BenchmarkPrune(b *testing.B) {
	pool := benchParagraphs(b)
	eachBackend(b, func(b *testing.B, s Store) {
		ctx := context.Background()
		for i := range 3000 {
			saveDelivered(b, s, pool, 2_000_000+i, 20, t0.Add(-time.Duration(3000-i)*15*time.Minute))
		}
		b.Run("idle", func(b *testing.B) {
			for b.Loop() {
				p, err := s.Prune(ctx, t0.Add(-90*24*time.Hour))
				if err != nil || p.Any() {
					b.Fatal(p, err)
				}
			}
		})
		b.Run("turn", func(b *testing.B) {
			if ok, err := s.Turn(ctx, "prune", "me", t0, 24*time.Hour); err != nil || !ok {
				b.Fatal(ok, err)
			}
			for b.Loop() {
				if ok, err := s.Turn(ctx, "prune", "other", t0.Add(time.Hour), 24*time.Hour); err != nil || ok {
					b.Fatal(ok, err)
				}
			}
		})
	})
	eachBackend(b, func(b *testing.B, s Store) {
		ctx := context.Background()
		const releases, targets = 2500, 20
		b.Run("first", func(b *testing.B) {
			var longest time.Duration
			var stmts, rows int
			n := 0
			for b.Loop() {
				b.StopTimer()
				old := t0.Add(-400 * 24 * time.Hour)
				for i := range releases {
					saveDelivered(b, s, pool, 3_000_000+n*releases+i, targets, old.Add(time.Duration(i)*time.Minute))
				}
				n++
				tc := &timedConn{pgConn: rawDB(s)}
				b.StartTimer()
				p, err := prune(ctx, tc, queriesOf(s), t0.Add(-90*24*time.Hour), pruneBatch)
				if err != nil || p.Deliveries != releases*targets {
					b.Fatal(p, err)
				}
				longest = max(longest, tc.longest)
				stmts += tc.n
				rows += p.Deliveries + p.Validators
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
			b.ReportMetric(float64(longest.Microseconds())/1000, "longest-statement-ms")
			b.ReportMetric(float64(stmts)/float64(b.N), "statements/op")
		})
	})
}
