package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrBusy is returned when another natowatch process uses a SQLite state.
// Two processes on one file would interleave their checks and deliveries
// (one saving a release the other just saved, one finding the other's
// claims), and SQLite's own locks last only a transaction; so a process
// holds a lock file beside the state (natowatch.db.lock) for as long as it
// has the state open. PostgreSQL takes several replicas by design: no lock
// there.
var ErrBusy = errors.New("state busy")

// lockWait is how long OpenSQLite waits for another process to let go of
// the state: a `once` from cron waits for the one before it to finish.
var lockWait = 30 * time.Second

// lockState takes the lock file beside the state at path, waiting up to
// wait (and no longer than ctx) for another process to let it go.
func lockState(ctx context.Context, path string, wait time.Duration) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	for {
		held, err := tryLock(f)
		switch {
		case err != nil:
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
		case held:
			return f, nil
		case time.Now().After(deadline):
			f.Close()
			return nil, fmt.Errorf("%w: another natowatch is using %s (waited %s)", ErrBusy, path, wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for %s: %w", f.Name(), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
