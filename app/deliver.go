package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
	"github.com/natowatch/natowatch/state"
)

// claimLease is how long a replica's claim on alerts lasts: when it dies
// mid-send, another sends them (same nonce) after this.
const claimLease = 30 * time.Second

// claimBatch is how many alerts one pass claims: at Discord's 50 requests
// a second, a few seconds' work, well inside claimLease.
const claimBatch = 250

// deliverer sends what the outbox holds, in order per target, and pauses
// targets that are gone or closed to the bot.
type deliverer struct {
	cfg     *config.Config
	log     *slog.Logger
	store   deliverStore
	notify  Notifier
	now     func() time.Time
	metrics *metrics
	targets *targets
	holder  string // this replica's name in claims

	mu     sync.Mutex
	paused map[release.Target]pauseState // targets that answered 401/403/404
}

type pauseState struct {
	until time.Time
	times int
	cause string
}

// deliverStore is what delivery needs of the store.
type deliverStore interface {
	Claim(ctx context.Context, holder string, now time.Time, limit int, lease time.Duration) ([]state.Delivery, error)
	Unclaim(ctx context.Context, holder string, ids []int64) error
	PendingBefore(ctx context.Context, target release.Target, id int64) (bool, error)
	MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error
	MarkRetry(ctx context.Context, id int64, cause string, next time.Time) error
	MarkFailed(ctx context.Context, id int64, cause string) error
	FirstMessage(ctx context.Context, releaseID int64, target release.Target) (string, error)
	Outbox(ctx context.Context) (state.Counts, error)
}

// DeliverResult counts one pass over the outbox.
type DeliverResult struct {
	Claimed               int
	Sent, Retried, Failed int
	Errors                []error
}

// deliverWorkers is how many targets are served at once. Requests still
// go out at the notifier's pace; the workers only keep one slow answer (or
// a store write) from leaving Discord's rate unused.
const deliverWorkers = 8

// pass sends every due alert once, in order per target: each target's
// alerts go out one after the other, by one worker, and a target whose
// alert failed gets nothing more this pass, so no alert overtakes another.
func (dv *deliverer) pass(ctx context.Context) (DeliverResult, error) {
	var res DeliverResult
	due, err := dv.store.Claim(ctx, dv.holder, dv.now(), claimBatch, claimLease)
	if err != nil {
		return res, err
	}
	res.Claimed = len(due)
	var order []release.Target
	byTarget := map[release.Target][]state.Delivery{}
	for _, d := range due {
		if _, ok := byTarget[d.Target]; !ok {
			order = append(order, d.Target)
		}
		byTarget[d.Target] = append(byTarget[d.Target], d)
	}
	targets := make(chan release.Target, len(order))
	for _, t := range order {
		targets <- t
	}
	close(targets)
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		fatal error
	)
	for range min(deliverWorkers, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range targets {
				var r DeliverResult
				rest, err := dv.deliverTarget(ctx, byTarget[t], &r)
				// What was claimed and not sent is given back at once (the
				// rows held behind a failed one, or left by a stop): else
				// the next process, a `once` from cron, would find them
				// claimed until claimLease runs out.
				if uerr := dv.store.Unclaim(context.WithoutCancel(ctx), dv.holder, ids(rest)); uerr != nil {
					err = errors.Join(err, uerr)
				}
				mu.Lock()
				res.Sent, res.Retried, res.Failed = res.Sent+r.Sent, res.Retried+r.Retried, res.Failed+r.Failed
				res.Errors = append(res.Errors, r.Errors...)
				if err != nil && fatal == nil {
					fatal = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res, fatal
}

// deliverTarget sends one target's claimed alerts in order, stopping at
// the first that does not go out; rest are the alerts from that one on.
func (dv *deliverer) deliverTarget(ctx context.Context, ds []state.Delivery, res *DeliverResult) (rest []state.Delivery, err error) {
	for i, d := range ds {
		if ctx.Err() != nil {
			return ds[i:], ctx.Err()
		}
		if until, paused := dv.pausedUntil(d.Target); paused {
			if dv.now().Sub(d.CreatedAt) > dv.cfg.Delivery.GiveUp.D() {
				cause := "gave up: target paused since it answered " + dv.pauseCause(d.Target)
				res.Failed++
				if err := dv.store.MarkFailed(ctx, d.ID, cause); err != nil {
					return ds[i:], err
				}
				res.Errors = append(res.Errors, errors.New(d.Target.Key()+": "+cause))
			} else {
				res.Errors = append(res.Errors, fmt.Errorf("%s: paused until %s", d.Target, until.Format(time.RFC3339)))
			}
			return ds[i:], nil
		}
		if earlier, err := dv.store.PendingBefore(ctx, d.Target, d.ID); err != nil {
			return ds[i:], err
		} else if earlier {
			return ds[i:], nil // an earlier alert waits for its retry
		}
		if err := dv.deliver(ctx, d, res); err != nil {
			res.Errors = append(res.Errors, err)
			return ds[i:], nil
		}
	}
	return nil, nil
}

func ids(ds []state.Delivery) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func (dv *deliverer) deliver(ctx context.Context, d state.Delivery, res *DeliverResult) error {
	log := dv.log.With("target", d.Target, "url", d.Alert.URL, "kind", d.Alert.Kind, "version", d.Alert.Version)
	dest, ok := dv.targets.destination(d.Target)
	if !ok {
		res.Failed++
		log.Warn("delivery dropped: target no longer configured")
		return dv.store.MarkFailed(ctx, d.ID, "target no longer configured")
	}
	if age := dv.now().Sub(d.CreatedAt); age > dv.cfg.Delivery.GiveUp.D() {
		res.Failed++
		dv.metrics.deliveries.failed.Inc()
		cause := fmt.Sprintf("gave up after %s", age.Round(time.Second))
		log.Error("delivery failed", "err", cause)
		return errors.Join(errors.New(cause), dv.store.MarkFailed(ctx, d.ID, cause))
	}
	start := dv.now()
	id, err := dv.notify.Send(ctx, dest, d.Alert, d.Nonce)
	if err != nil {
		switch notifier.KindOf(err) {
		case notifier.Gone:
			// Deleted, or the bot was removed or may not post: pause the
			// target, keep its alerts, and look again later, so that
			// Discord's invalid-request limit never comes near.
			until := dv.pause(d.Target, err.Error())
			res.Retried++
			dv.metrics.deliveries.retried.Inc()
			log.Error("target paused", "err", err, "until", until)
			return errors.Join(err, dv.store.MarkRetry(ctx, d.ID, err.Error(), until))
		case notifier.Rejected:
			res.Failed++
			dv.metrics.deliveries.failed.Inc()
			log.Error("delivery failed", "err", err)
			return errors.Join(err, dv.store.MarkFailed(ctx, d.ID, err.Error()))
		}
		unknown := dest.Webhook != "" && notifier.OutcomeUnknown(err)
		if unknown {
			// No answer: the post may have been made. Webhooks have no
			// nonce, so the resend may show twice; count it.
			dv.metrics.dupRisk.Inc()
		}
		if ctx.Err() != nil {
			// Cut short by a stop: no failure. The claim lapses and the
			// next process sends it (a channel post with the same nonce).
			log.Info("delivery cut short by a stop; it goes out on the next start", "outcome_unknown", unknown)
			return err
		}
		res.Retried++
		dv.metrics.deliveries.retried.Inc()
		if unknown {
			log.Warn("webhook post outcome unknown; the resend may duplicate it", "err", err)
		}
		next := dv.now().Add(retryDelay(dv.cfg.Delivery.RetryBase.D(), d.Attempts))
		log.Warn("delivery will be retried", "err", err, "attempt", d.Attempts+1, "next", next)
		return errors.Join(err, dv.store.MarkRetry(ctx, d.ID, err.Error(), next))
	}
	// Record at once: the window between Discord's answer and this commit
	// is where a crash could make a webhook post twice.
	if err := dv.store.MarkSent(context.WithoutCancel(ctx), d.ID, id, dv.now()); err != nil {
		return err
	}
	if dv.resume(d.Target) {
		log.Info("target resumed")
	}
	res.Sent++
	dv.metrics.deliveries.sent.Inc()
	if !d.Alert.Published.IsZero() && d.Alert.Kind == release.KindNew {
		dv.metrics.latency.Update(max(0, dv.now().Sub(d.Alert.Published).Seconds())) // a page's clock ahead of ours is 0, not lost
	}
	log.Info("delivered", "message", id, "took", dv.now().Sub(start).Round(time.Millisecond),
		dv.latencyAttr(d))
	if d.Alert.Kind == release.KindUpdate {
		dv.editOriginal(ctx, log, d, dest)
	}
	return nil
}

// editOriginal rewrites the first message of an updated release so that it
// shows the current text. It is best effort: the update alert went out.
func (dv *deliverer) editOriginal(ctx context.Context, log *slog.Logger, d state.Delivery, dest notifier.Target) {
	orig, err := dv.store.FirstMessage(ctx, d.ReleaseID, d.Target)
	if err != nil || orig == "" {
		return
	}
	cur := d.Alert
	cur.Changes = nil
	if err := dv.notify.Edit(ctx, dest, orig, cur); err != nil {
		log.Warn("editing the original message failed", "message", orig, "err", err)
	}
}

// pause marks a target dead for a while: an hour, doubling up to a day.
func (dv *deliverer) pause(target release.Target, cause string) time.Time {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	p := dv.paused[target]
	d := min(time.Hour<<min(p.times, 5), 24*time.Hour)
	p.times++
	p.until = dv.now().Add(d)
	p.cause = cause
	dv.paused[target] = p
	return p.until
}

func (dv *deliverer) pausedUntil(target release.Target) (time.Time, bool) {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	p, ok := dv.paused[target]
	return p.until, ok && dv.now().Before(p.until)
}

func (dv *deliverer) pauseCause(target release.Target) string {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	return dv.paused[target].cause
}

// resume forgets a target's pause; it reports whether there was one.
func (dv *deliverer) resume(target release.Target) bool {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	_, ok := dv.paused[target]
	delete(dv.paused, target)
	return ok
}

// latencyAttr is a delivered alert's latency from publication, for the
// log. It is left out for a release found more than catch_up.after after
// its publication (a first run's post_latest, a dry run, a catch-up, an
// update): its age then says nothing of natowatch's speed.
func (dv *deliverer) latencyAttr(d state.Delivery) slog.Attr {
	p := d.Alert.Published
	if p.IsZero() || d.Alert.Kind != release.KindNew || d.CreatedAt.Sub(p) > dv.cfg.CatchUp.After.D() {
		return slog.Attr{}
	}
	return slog.Duration("latency", dv.now().Sub(p).Round(time.Second))
}

// drain delivers what is due, and reports what is still undelivered.
func (dv *deliverer) drain(ctx context.Context) error {
	var res DeliverResult
	for {
		pass, err := dv.pass(ctx)
		if err != nil {
			return err
		}
		res.Sent += pass.Sent
		res.Failed += pass.Failed
		res.Errors = append(res.Errors, pass.Errors...)
		if pass.Claimed < claimBatch || pass.Sent == 0 {
			break
		}
	}
	c, err := dv.store.Outbox(ctx)
	if err != nil {
		return err
	}
	if c.Pending > 0 || res.Failed > 0 {
		err := fmt.Errorf("delivery: %d sent, %d failed, %d pending (retried later)", res.Sent, res.Failed, c.Pending)
		return errors.Join(append([]error{err}, res.Errors...)...)
	}
	return nil
}

// loop delivers every delivery.interval and when kicked, until ctx is done.
func (dv *deliverer) loop(ctx context.Context, kick <-chan struct{}) {
	tick(ctx, dv.cfg.Delivery.Interval.D(), kick, func() { dv.safely(ctx) })
}

func (dv *deliverer) safely(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			dv.log.Error("delivery panicked", "panic", r)
		}
	}()
	// Passes follow each other while they find a full batch (a large
	// fan-out), so the queue drains at the rate Discord allows.
	for ctx.Err() == nil {
		res, err := dv.pass(ctx)
		if err != nil {
			if ctx.Err() == nil {
				dv.log.Error("delivery pass failed", "err", err)
			}
			return
		}
		if res.Claimed < claimBatch || res.Sent == 0 {
			return
		}
	}
}

// pausedCount is how many targets are paused now.
func (dv *deliverer) pausedCount() int {
	dv.mu.Lock()
	defer dv.mu.Unlock()
	n := 0
	for _, p := range dv.paused {
		if dv.now().Before(p.until) {
			n++
		}
	}
	return n
}

// retryDelay is exponential backoff with jitter: base (5s by default), 2×,
// 4× … capped at 10m, each drawn from its upper half.
func retryDelay(base time.Duration, attempts int) time.Duration {
	d := base << min(attempts, 7)
	d = min(d, 10*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
