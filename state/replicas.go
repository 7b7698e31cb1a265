package state

import (
	"context"
	"fmt"
	"time"
)

// The lease queries, in each backend's placeholders.
const (
	leadQuery = `INSERT INTO leases (name, holder, until) VALUES (P1, P2, P3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until < P4`
	holderQuery = `SELECT holder FROM leases WHERE name = P1`
	// A turn is a lease row whose until is when the next turn is due.
	turnQuery = `INSERT INTO leases (name, holder, until) VALUES (P1, P2, P3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until <= P4`
)

type replicaQueries struct{ lead, holder, turn string }

var (
	sqliteReplicas = replicaQueries{
		lead:   hot(placeholders(leadQuery, "?")),
		holder: hot(placeholders(holderQuery, "?")),
		turn:   placeholders(turnQuery, "?"),
	}
	pgReplicas = replicaQueries{
		lead:   placeholders(leadQuery, "$"),
		holder: placeholders(holderQuery, "$"),
		turn:   placeholders(turnQuery, "$"),
	}
)

// Lead takes or renews the lease called name for holder until now+ttl,
// and reports whether holder has it. A lease whose holder stopped renewing
// it passes to the next to ask once it has run out.
func (s *SQLite) Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return lead(ctx, s.conn.sqlite, sqliteReplicas, name, holder, now, ttl)
}

// Lead takes or renews the lease called name; see SQLite.Lead.
func (s *Postgres) Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return lead(ctx, s.db, pgReplicas, name, holder, now, ttl)
}

func lead(ctx context.Context, db pgConn, q replicaQueries, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var got string
	if _, err := db.ExecContext(ctx, q.lead, name, holder, ms(now.Add(ttl)), ms(now)); err != nil {
		return false, fmt.Errorf("state: lead: %w", err)
	}
	if err := db.QueryRowContext(ctx, q.holder, name).Scan(&got); err != nil {
		return false, fmt.Errorf("state: lead: %w", err)
	}
	return got == holder, nil
}

// Turn takes the turn at a chore done at most once every so often, by
// whichever process comes first: it reports true, and records holder and
// now, when the chore called name was never done or its last turn was
// taken every or more before now; false otherwise. (natowatch once prunes
// the state at most daily this way, whatever runs it and how often.)
func (s *SQLite) Turn(ctx context.Context, name, holder string, now time.Time, every time.Duration) (bool, error) {
	return turn(ctx, s.conn.sqlite, sqliteReplicas, name, holder, now, every)
}

// Turn takes the turn at a chore; see SQLite.Turn.
func (s *Postgres) Turn(ctx context.Context, name, holder string, now time.Time, every time.Duration) (bool, error) {
	return turn(ctx, s.db, pgReplicas, name, holder, now, every)
}

func turn(ctx context.Context, db pgConn, q replicaQueries, name, holder string, now time.Time, every time.Duration) (bool, error) {
	res, err := db.ExecContext(ctx, q.turn, name, holder, ms(now.Add(every)), ms(now))
	if err != nil {
		return false, fmt.Errorf("state: turn: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("state: turn: %w", err)
	}
	return n > 0, nil
}
