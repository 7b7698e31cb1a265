package app

import (
	"context"
	"fmt"
	"time"

	"github.com/natowatch/natowatch/state"
)

// Retention. Delivered and given-up alerts are remembered for
// delivery.keep (30 days by default, at least recheck + a day): long
// enough that an update found by a re-check edits the message of the
// original, and that /status shows what failed. What is older is pruned
// (state.Prune): hourly by the daemon on the replica that schedules the
// checks, and at the end of natowatch once at most daily.
//
// An update of a release whose alerts were pruned (a sitemap lastmod that
// moved on an old page) goes out as a message of its own to the targets
// that want the release now: state.Targets no longer names those that got
// the original, and FirstMessage has no message to edit.

const (
	pruneTurn      = "prune"          // the chore's name in state.Turn
	pruneEvery     = time.Hour        // the daemon
	pruneEveryOnce = 24 * time.Hour   // natowatch once
	pruneTick      = 10 * time.Minute // how often the daemon looks whether a prune is due
)

// Prune deletes what the state no longer needs: deliveries done more than
// delivery.keep ago, with the validators and missing items as old.
func (a *App) Prune(ctx context.Context) (state.Pruned, error) {
	keep := a.cfg.Delivery.Keep.D()
	start := time.Now()
	p, err := a.store.Prune(ctx, a.now().Add(-keep))
	log := a.log.With("deliveries", p.Deliveries, "validators", p.Validators, "missing", p.Missing,
		"keep", days(keep), "took", time.Since(start).Round(time.Millisecond))
	switch {
	case err != nil:
		log.Error("pruning the state failed", "err", err)
	case p.Any():
		log.Info("pruned the state")
	default:
		log.Debug("pruned the state")
	}
	return p, err
}

// pruneDue prunes when no process has within every.
func (a *App) pruneDue(ctx context.Context, every time.Duration) {
	if a.noPrune || ctx.Err() != nil {
		return
	}
	due, err := a.store.Turn(ctx, pruneTurn, a.holder, a.now(), every)
	if err != nil {
		a.log.Error("pruning the state failed", "err", err)
		return
	}
	if due {
		_, _ = a.Prune(ctx) // logged
	}
}

// pruneLoop prunes the state hourly while this replica schedules the
// checks (only one replica of those sharing PostgreSQL does).
func (a *App) pruneLoop(ctx context.Context) {
	tick(ctx, a.pruneTick, nil, func() {
		if a.leader.Load() {
			a.pruneSafely(ctx)
		}
	})
}

func (a *App) pruneSafely(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("pruning panicked", "panic", r)
		}
	}()
	a.pruneDue(ctx, pruneEvery)
}

// days writes a duration in days when it is whole days ("90d").
func days(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
