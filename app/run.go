package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

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
		_, err := a.Check(ctx, src.Source)
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
	if err := a.deliver.drain(ctx); err != nil {
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
	for _, src := range a.sources {
		spec := src.schedule
		if sched, err := config.CronParser.Parse(spec); err == nil {
			next := sched.Next(time.Now())
			a.check.setRecheckBudget(src.Name(), sched.Next(next).Sub(next)/2)
		}
		job := cron.NewChain(cron.Recover(cronLogger{a.log}), cron.SkipIfStillRunning(cronLogger{a.log})).Then(cron.FuncJob(func() {
			if !a.leader.Load() {
				return // another replica schedules the checks
			}
			if _, err := a.Check(ctx, src.Source); state.Broken(err) { // logged and recorded by Check
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
	if a.bot != nil {
		a.bot.setup(ctx)
		switch {
		case a.cfg.Discord.AutoShard:
			wg.Add(1)
			go func() {
				defer wg.Done()
				a.bot.shardLoop(ctx)
			}()
		case sharded:
			a.bot.open(ctx)
			defer a.bot.close()
		}
	}
	gateway := a.bot != nil && !sharded
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
				a.bot.open(ctx)
			}
		}, func() {
			if gateway {
				a.bot.close()
			}
		})
		if gateway {
			a.bot.close()
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.deliver.loop(ctx, a.kick)
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
	a.log.Info("running", "sources", len(a.sources), "targets", len(a.deliver.targets.order))
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

// stateFileOK reports an error when the state is a file that was deleted
// or replaced since it was opened (state.SQLite.CheckFile).
func (a *App) stateFileOK() error {
	if f, ok := a.store.(interface{ CheckFile() error }); ok {
		return f.CheckFile()
	}
	return nil
}

// stateCheckEvery is how often the daemon looks whether its state file
// is still there: one stat.
const stateCheckEvery = 5 * time.Second

// watchStateFile stops the daemon (stop, with the error as the cause) when
// its state file is deleted or replaced: everything it wrote from then on
// would be lost at the next start.
func (a *App) watchStateFile(ctx context.Context, stop context.CancelCauseFunc) {
	tick(ctx, stateCheckEvery, nil, func() {
		if err := a.stateFileOK(); err != nil && ctx.Err() == nil {
			a.log.Error("the state file is gone; stopping", "err", err)
			stop(err)
		}
	})
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
			a.check.forgetRecent("") // another replica may have stored releases meanwhile
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

// tick calls f every d, and when kick fires (a nil kick never does),
// until ctx is done.
func tick(ctx context.Context, d time.Duration, kick <-chan struct{}, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-kick:
		}
		f()
	}
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
