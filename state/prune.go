package state

import (
	"context"
	"fmt"
	"time"
)

// Retention. What the store holds of each delivery after it went out is
// read only for a while: the unique (release, version, target) key stops a
// save made twice from queueing twice (moments apart); the message id
// lets an update edit the original message (while the release is
// re-checked, or when a sitemap says its page changed); failed rows show
// in /status and FailedDeliveries. Prune forgets what is older than that,
// so that the outbox holds a window of deliveries instead of all of them.

// Pruned counts what one Prune deleted.
type Pruned struct {
	Deliveries int // outbox rows sent or given up
	Validators int // http_cache rows not written since
	Missing    int // missing_items rows no check came back to
}

// Any reports whether anything was deleted.
func (p Pruned) Any() bool { return p.Deliveries+p.Validators+p.Missing > 0 }

// pruneBatch is how many rows one statement deletes at most: each batch is
// a transaction of its own, so that the first prune of a large old state
// holds SQLite's one connection for a few milliseconds at a time, not for
// the whole deletion (database/sql hands the connection to whoever waits
// between two batches).
const pruneBatch = 1000

// The prune statements, in each backend's placeholders (see placeholders).
//
// A row is done when sent or given up; its next_at is when it was last
// due (set when queued, moved only by retries), so next_at < P1 finds the
// rows done before P1 by the outbox_due index (status, next_at), reading
// nothing when there is nothing to delete. Rows of a release published
// since P1 are kept whatever their age (a misdated page re-checked as
// recent). Deleting a row that still holds its alert (a failed one) lets
// go of the alert: the trigger outbox_deleted counts it out of the
// alert's waiting rows and deletes the alert after the last.
//
// http_cache has no index by time: it is read through (its rows are the
// pages of the releases of the last keep days and the listings), each
// batch from the start.
const (
	pruneOutboxQuery = `DELETE FROM outbox WHERE id IN (
		SELECT o.id FROM outbox o WHERE o.status IN ('sent', 'failed') AND o.next_at < P1
			AND NOT EXISTS (SELECT 1 FROM releases r WHERE r.id = o.release_id AND r.published >= P1)
		LIMIT P2)`
	pruneValidatorsQuery = `DELETE FROM http_cache WHERE url IN (SELECT url FROM http_cache WHERE updated_at < P1 LIMIT P2)`
	pruneMissingQuery    = `DELETE FROM missing_items WHERE first_at < P1`
)

type pruneQueries struct{ outbox, validators, missing string }

var (
	sqlitePrune = pruneQueries{
		outbox:     placeholders(pruneOutboxQuery, "?"),
		validators: placeholders(pruneValidatorsQuery, "?"),
		missing:    placeholders(pruneMissingQuery, "?"),
	}
	pgPrune = pruneQueries{
		outbox:     placeholders(pruneOutboxQuery, "$"),
		validators: placeholders(pruneValidatorsQuery, "$"),
		missing:    placeholders(pruneMissingQuery, "$"),
	}
)

// Prune deletes what is older than before and no longer needed: outbox
// rows sent or given up before it (never a pending one, nor one of a
// release published since), with the alerts only they held; page and
// listing validators not written since (the page is then fetched whole
// once); and missing items first seen before it (their listing dropped
// them before they were given up). It deletes in batches of pruneBatch
// rows, one transaction each.
func (s *SQLite) Prune(ctx context.Context, before time.Time) (Pruned, error) {
	return prune(ctx, s.db, sqlitePrune, before, pruneBatch)
}

// Prune deletes what is older than before; see SQLite.Prune. Deleted rows
// leave dead tuples that autovacuum makes free space for new ones.
func (s *Postgres) Prune(ctx context.Context, before time.Time) (Pruned, error) {
	return prune(ctx, s.db, pgPrune, before, pruneBatch)
}

func prune(ctx context.Context, db pgConn, q pruneQueries, before time.Time, batch int) (Pruned, error) {
	var p Pruned
	cut := ms(before)
	n, err := pruneBatches(ctx, db, q.outbox, cut, batch)
	p.Deliveries = n
	if err != nil {
		return p, fmt.Errorf("state: prune outbox: %w", err)
	}
	n, err = pruneBatches(ctx, db, q.validators, cut, batch)
	p.Validators = n
	if err != nil {
		return p, fmt.Errorf("state: prune validators: %w", err)
	}
	res, err := db.ExecContext(ctx, q.missing, cut)
	if err != nil {
		return p, fmt.Errorf("state: prune missing items: %w", err)
	}
	k, _ := res.RowsAffected()
	p.Missing = int(k)
	return p, nil
}

// pruneBatches runs a delete of at most batch rows until one deletes
// fewer, and returns how many rows went.
func pruneBatches(ctx context.Context, db pgConn, q string, cut int64, batch int) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		res, err := db.ExecContext(ctx, q, cut, batch)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < int64(batch) {
			return total, nil
		}
	}
}
