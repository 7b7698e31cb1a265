package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/natowatch/natowatch/config"
	"github.com/natowatch/natowatch/state"
	"github.com/robfig/cron/v3"
)

// Once checks every source once, then delivers until nothing is due. The
// error lists every source that could not be read and every alert that
// could not be delivered. Stopped early (ctx done), it returns at once
// with an error that is context.Canceled (errors.Is), not a failure.
func (a *App) Once(ctx context.Context) error {
	var errs []error
	for _, src := range a.sources {
		_, err := a.Check(ctx, src)
		if state.Broken(err) {
			return err // the store, not a source: no use checking the others
		}
		if err != nil && ctx.Err() == nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			return errors.Join(append(errs, fmt.Errorf("stopped before every source was checked: %w", context.Cause(ctx)))...)
		}
	}
	if err := a.drain(ctx); err != nil {
		errs = append(errs, err)
	}
	if ctx.Err() != nil {
		return errors.Join(append(errs, fmt.Errorf("stopped before every alert was delivered: %w", context.Cause(ctx)))...)
	}
	// Housekeeping, after the work: at most daily, whoever runs once and
	// how often. A failure is logged, and tried again the next day.
	a.pruneDue(ctx, pruneEveryOnce)
	return errors.Join(errs...)
}

// drain delivers what is due, and reports what is still undelivered.
func (a *App) drain(ctx context.Context) error {
	var res DeliverResult
	for {
		pass, err := a.Deliver(ctx)
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
	c, err := a.store.Outbox(ctx)
	if err != nil {
		return err
	}
	if c.Pending > 0 || res.Failed > 0 {
		err := fmt.Errorf("delivery: %d sent, %d failed, %d pending (retried later)", res.Sent, res.Failed, c.Pending)
		return errors.Join(append([]error{err}, res.Errors...)...)
	}
	return nil
}

// Run checks each source on its schedule and delivers continuously until
// ctx is done, then finishes the checks under way and returns. It stops
// with an error when its state store breaks: the file deleted or replaced,
// corrupt, full or unreadable.
func (a *App) Run(ctx context.Context) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var (
		wg   sync.WaitGroup
		jobs []cron.Job
	)
	c := cron.New(
		cron.WithParser(config.CronParser),
		cron.WithLocation(time.UTC),
	)
	for i, src := range a.sources {
		spec := a.cfg.Sources[i].Schedule
		if sched, err := config.CronParser.Parse(spec); err == nil {
			next := sched.Next(time.Now())
			a.mu.Lock()
			a.budgets[src.Name()] = sched.Next(next).Sub(next) / 2
			a.mu.Unlock()
		}
		job := cron.NewChain(cron.Recover(cronLogger{a.log}), cron.SkipIfStillRunning(cronLogger{a.log})).Then(cron.FuncJob(func() {
			if !a.leader.Load() {
				return // another replica schedules the checks
			}
			if _, err := a.Check(ctx, src); state.Broken(err) { // logged and recorded by Check
				stop(err) // a broken store: stop rather than go on writing to it
			}
			a.Kick() // what got through goes out, even after errors
		}))
		if _, err := c.AddJob(spec, job); err != nil {
			return fmt.Errorf("source %s: schedule %q: %w", src.Name(), spec, err)
		}
		jobs = append(jobs, job)
	}
	// Leadership: one replica checks the sources; it renews its lease, and
	// when it stops, another takes over within leaseTTL. A new leader
	// checks every source at once.
	// The gateway: a replica with its own shard always connects; without
	// shards, only the leader does, so that each slash command is answered
	// once.
	sharded := a.cfg.Discord.ShardCount > 0 || a.cfg.Discord.AutoShard
	if a.session != nil {
		a.setupBot(ctx, a.session)
		switch {
		case a.cfg.Discord.AutoShard:
			wg.Add(1)
			go func() {
				defer wg.Done()
				a.shardLoop(ctx, a.session)
			}()
		case sharded:
			a.openBot(ctx, a.session)
			defer a.closeBot(a.session)
		}
	}
	gateway := a.session != nil && !sharded
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.leadLoop(ctx, func() {
			for _, j := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					j.Run()
				}()
			}
			if gateway {
				a.openBot(ctx, a.session)
			}
		}, func() {
			if gateway {
				a.closeBot(a.session)
			}
		})
		if gateway {
			a.closeBot(a.session)
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.deliverLoop(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.pruneLoop(ctx)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.watchStateFile(ctx, stop)
	}()
	if addr := a.cfg.HTTP.Listen; addr != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.serveHTTP(ctx, addr); err != nil {
				// No /healthz, feeds or status page: an operator must know.
				stop(fmt.Errorf("%w %s: %w", errListen, addr, err))
			}
		}()
	}
	c.Start()
	a.log.Info("running", "sources", len(a.sources), "targets", len(a.targets))
	<-ctx.Done()
	a.log.Info("shutting down")
	stopped := c.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(30 * time.Second):
		a.log.Warn("checks still running after 30s; leaving them")
	}
	wg.Wait()
	if err := context.Cause(ctx); state.Broken(err) || errors.Is(err, errListen) {
		return err
	}
	return nil
}

// errListen stops the daemon when it cannot serve http.listen.
var errListen = errors.New("http.listen: cannot serve on")

// Leases: renewed every leaseRenew, lost after leaseTTL without renewal.
const (
	leaseName  = "scheduler"
	leaseTTL   = 10 * time.Second
	leaseRenew = 3 * time.Second
)

// leadLoop takes or renews the scheduler lease until ctx is done, calling
// onLead each time this replica becomes the leader and onLose each time
// another takes over.
func (a *App) leadLoop(ctx context.Context, onLead, onLose func()) {
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		ok, err := a.store.Lead(ctx, leaseName, a.holder, a.now(), leaseTTL)
		switch {
		case err != nil && ctx.Err() == nil:
			a.log.Error("renewing the scheduler lease failed", "err", err)
			ok = false
		case ok && !a.leader.Load():
			a.log.Info("this replica now schedules the checks", "replica", a.holder)
			a.leader.Store(true)
			a.forgetRecent("") // another replica may have stored releases meanwhile
			onLead()
		case !ok && a.leader.Load():
			a.log.Warn("another replica took over the checks", "replica", a.holder)
			a.leader.Store(false)
			onLose()
		}
		a.leader.Store(ok)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// shardLoop takes a free shard of those Discord recommends for the bot,
// holds it with a lease like the scheduler's, and connects as that shard;
// a replica that finds none free has no gateway until one is.
func (a *App) shardLoop(ctx context.Context, s *discordgo.Session) {
	defer a.closeBot(s)
	count := 0
	owned := -1
	t := time.NewTicker(leaseRenew)
	defer t.Stop()
	for {
		if count == 0 {
			gb, err := s.GatewayBot(discordgo.WithContext(ctx))
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Error("asking Discord how many shards to run failed", "err", err)
			case err == nil:
				count = max(gb.Shards, 1)
			}
		}
		if owned >= 0 {
			ok, err := a.store.Lead(ctx, fmt.Sprintf("shard:%d/%d", owned, count), a.holder, a.now(), leaseTTL)
			if err != nil || !ok {
				a.log.Warn("lost gateway shard", "shard", owned, "err", err)
				a.closeBot(s)
				owned = -1
			}
		}
		for i := 0; owned < 0 && i < count; i++ {
			if ok, err := a.store.Lead(ctx, fmt.Sprintf("shard:%d/%d", i, count), a.holder, a.now(), leaseTTL); err == nil && ok {
				owned = i
				s.ShardID, s.ShardCount = i, count
				a.log.Info("this replica runs a gateway shard", "shard", i, "shards", count)
				a.openBot(ctx, s)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Kick asks the delivery loop to run now.
func (a *App) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

func (a *App) deliverLoop(ctx context.Context) {
	t := time.NewTicker(a.cfg.Delivery.Interval.D())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.kick:
		}
		a.deliverSafely(ctx)
	}
}

func (a *App) deliverSafely(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("delivery panicked", "panic", r)
		}
	}()
	// Passes follow each other while they find a full batch (a large
	// fan-out), so the queue drains at the rate Discord allows.
	for ctx.Err() == nil {
		res, err := a.Deliver(ctx)
		if err != nil {
			if ctx.Err() == nil {
				a.log.Error("delivery pass failed", "err", err)
			}
			return
		}
		if res.Claimed < claimBatch || res.Sent == 0 {
			return
		}
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
