package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

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

// Deliver sends every due alert once, in order per target: each target's
// alerts go out one after the other, by one worker, and a target whose
// alert failed gets nothing more this pass, so no alert overtakes another.
func (a *App) Deliver(ctx context.Context) (DeliverResult, error) {
	var res DeliverResult
	due, err := a.store.Claim(ctx, a.holder, a.now(), claimBatch, claimLease)
	if err != nil {
		return res, err
	}
	res.Claimed = len(due)
	var order []string
	byTarget := map[string][]state.Delivery{}
	for _, d := range due {
		if _, ok := byTarget[d.Target]; !ok {
			order = append(order, d.Target)
		}
		byTarget[d.Target] = append(byTarget[d.Target], d)
	}
	targets := make(chan string, len(order))
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
				rest, err := a.deliverTarget(ctx, byTarget[t], &r)
				// What was claimed and not sent is given back at once (the
				// rows held behind a failed one, or left by a stop): else
				// the next process, a `once` from cron, would find them
				// claimed until claimLease runs out.
				if uerr := a.store.Unclaim(context.WithoutCancel(ctx), a.holder, ids(rest)); uerr != nil {
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
func (a *App) deliverTarget(ctx context.Context, ds []state.Delivery, res *DeliverResult) (rest []state.Delivery, err error) {
	for i, d := range ds {
		if ctx.Err() != nil {
			return ds[i:], ctx.Err()
		}
		if until, paused := a.pausedUntil(d.Target); paused {
			if a.now().Sub(d.CreatedAt) > a.cfg.Delivery.GiveUp.D() {
				cause := "gave up: target paused since it answered " + a.pauseCause(d.Target)
				res.Failed++
				if err := a.store.MarkFailed(ctx, d.ID, cause); err != nil {
					return ds[i:], err
				}
				res.Errors = append(res.Errors, errors.New(d.Target+": "+cause))
			} else {
				res.Errors = append(res.Errors, fmt.Errorf("%s: paused until %s", d.Target, until.Format(time.RFC3339)))
			}
			return ds[i:], nil
		}
		if earlier, err := a.store.PendingBefore(ctx, d.Target, d.ID); err != nil {
			return ds[i:], err
		} else if earlier {
			return ds[i:], nil // an earlier alert waits for its retry
		}
		if err := a.deliver(ctx, d, res); err != nil {
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

func (a *App) deliver(ctx context.Context, d state.Delivery, res *DeliverResult) error {
	log := a.log.With("target", d.Target, "url", d.Alert.URL, "kind", d.Alert.Kind, "version", d.Alert.Version)
	dest, ok := a.destination(d.Target)
	if !ok {
		res.Failed++
		log.Warn("delivery dropped: target no longer configured")
		return a.store.MarkFailed(ctx, d.ID, "target no longer configured")
	}
	if age := a.now().Sub(d.CreatedAt); age > a.cfg.Delivery.GiveUp.D() {
		res.Failed++
		a.metrics.deliveries.WithLabelValues("failed").Inc()
		cause := fmt.Sprintf("gave up after %s", age.Round(time.Second))
		log.Error("delivery failed", "err", cause)
		return errors.Join(errors.New(cause), a.store.MarkFailed(ctx, d.ID, cause))
	}
	start := a.now()
	id, err := a.notify.Send(ctx, dest, d.Alert, d.Nonce)
	if err != nil {
		switch notifier.KindOf(err) {
		case notifier.Gone:
			// Deleted, or the bot was removed or may not post: pause the
			// target, keep its alerts, and look again later, so that
			// Discord's invalid-request limit never comes near.
			until := a.pause(d.Target, err.Error())
			res.Retried++
			a.metrics.deliveries.WithLabelValues("retried").Inc()
			log.Error("target paused", "err", err, "until", until)
			return errors.Join(err, a.store.MarkRetry(ctx, d.ID, err.Error(), until))
		case notifier.Rejected:
			res.Failed++
			a.metrics.deliveries.WithLabelValues("failed").Inc()
			log.Error("delivery failed", "err", err)
			return errors.Join(err, a.store.MarkFailed(ctx, d.ID, err.Error()))
		}
		unknown := dest.Webhook != "" && notifier.OutcomeUnknown(err)
		if unknown {
			// No answer: the post may have been made. Webhooks have no
			// nonce, so the resend may show twice; count it.
			a.metrics.dupRisk.Inc()
		}
		if ctx.Err() != nil {
			// Cut short by a stop: no failure. The claim lapses and the
			// next process sends it (a channel post with the same nonce).
			log.Info("delivery cut short by a stop; it goes out on the next start", "outcome_unknown", unknown)
			return err
		}
		res.Retried++
		a.metrics.deliveries.WithLabelValues("retried").Inc()
		if unknown {
			log.Warn("webhook post outcome unknown; the resend may duplicate it", "err", err)
		}
		next := a.now().Add(retryDelay(a.cfg.Delivery.RetryBase.D(), d.Attempts))
		log.Warn("delivery will be retried", "err", err, "attempt", d.Attempts+1, "next", next)
		return errors.Join(err, a.store.MarkRetry(ctx, d.ID, err.Error(), next))
	}
	// Record at once: the window between Discord's answer and this commit
	// is where a crash could make a webhook post twice.
	if err := a.store.MarkSent(context.WithoutCancel(ctx), d.ID, id, a.now()); err != nil {
		return err
	}
	if a.resume(d.Target) {
		log.Info("target resumed")
	}
	res.Sent++
	a.metrics.deliveries.WithLabelValues("sent").Inc()
	if !d.Alert.Published.IsZero() && d.Alert.Kind == release.KindNew {
		a.metrics.latency.Observe(a.now().Sub(d.Alert.Published).Seconds())
	}
	log.Info("delivered", "message", id, "took", a.now().Sub(start).Round(time.Millisecond),
		a.latencyAttr(d))
	if d.Alert.Kind == release.KindUpdate {
		a.editOriginal(ctx, log, d, dest)
	}
	return nil
}

// editOriginal rewrites the first message of an updated release so that it
// shows the current text. It is best effort: the update alert went out.
func (a *App) editOriginal(ctx context.Context, log *slog.Logger, d state.Delivery, dest notifier.Target) {
	orig, err := a.store.FirstMessage(ctx, d.ReleaseID, d.Target)
	if err != nil || orig == "" {
		return
	}
	cur := d.Alert
	cur.Changes = nil
	if err := a.notify.Edit(ctx, dest, orig, cur); err != nil {
		log.Warn("editing the original message failed", "message", orig, "err", err)
	}
}

// pause marks a target dead for a while: an hour, doubling up to a day.
func (a *App) pause(target, cause string) time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.paused[target]
	d := min(time.Hour<<min(p.times, 5), 24*time.Hour)
	p.times++
	p.until = a.now().Add(d)
	p.cause = cause
	a.paused[target] = p
	return p.until
}

func (a *App) pausedUntil(target string) (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.paused[target]
	return p.until, ok && a.now().Before(p.until)
}

func (a *App) pauseCause(target string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.paused[target].cause
}

// resume forgets a target's pause; it reports whether there was one.
func (a *App) resume(target string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.paused[target]
	delete(a.paused, target)
	return ok
}

// retryDelay is exponential backoff with jitter: base (5s by default), 2×,
// 4× … capped at 10m, each drawn from its upper half.
func retryDelay(base time.Duration, attempts int) time.Duration {
	d := base << min(attempts, 7)
	d = min(d, 10*time.Minute)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}
