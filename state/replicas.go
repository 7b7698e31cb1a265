package state

import (
	"context"
	"fmt"
	"time"
)

// Leases: the scheduler's (one replica runs the checks) and the turns at
// chores done at most once every so often.
var (
	sqLead = shared(`INSERT INTO leases (name, holder, until) VALUES (P1, P2, P3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until < P4`).hot()
	sqHolder = shared(`SELECT holder FROM leases WHERE name = P1`).hot()
	// A turn is a lease row whose until is when the next turn is due.
	sqTurn = shared(`INSERT INTO leases (name, holder, until) VALUES (P1, P2, P3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.until <= P4`)
)

// Lead takes or renews the lease called name for holder until now+ttl,
// and reports whether holder has it. A lease whose holder stopped renewing
// it passes to the next to ask once it has run out.
func (s *leaseStore) Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := s.conn.do(ctx, "lead", sqLead, name, holder, ms(now.Add(ttl)), ms(now)); err != nil {
		return false, err
	}
	var got string
	if err := s.conn.row(ctx, sqHolder, name).Scan(&got); err != nil {
		return false, fmt.Errorf("state: lead: %w", err)
	}
	return got == holder, nil
}

// Turn takes the turn at a chore done at most once every so often, by
// whichever process comes first: it reports true, and records holder and
// now, when the chore called name was never done or its last turn was
// taken every or more before now; false otherwise. (natowatch once prunes
// the state at most daily this way, whatever runs it and how often.)
func (s *leaseStore) Turn(ctx context.Context, name, holder string, now time.Time, every time.Duration) (bool, error) {
	res, err := s.conn.exec(ctx, sqTurn, name, holder, ms(now.Add(every)), ms(now))
	if err != nil {
		return false, fmt.Errorf("state: turn: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("state: turn: %w", err)
	}
	return n > 0, nil
}
