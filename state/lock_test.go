package state

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A second process on one SQLite state waits for the first to close it,
// for lockWait at most, then is told the state is busy.
func TestSQLiteLock(t *testing.T) {
	defer func(w time.Duration) { lockWait = w }(lockWait)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "natowatch.db")
	first, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}

	lockWait = 200 * time.Millisecond
	start := time.Now()
	_, err = OpenSQLite(ctx, path)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "state busy: another natowatch is using "+path) {
		t.Fatalf("second open: %v", err)
	}
	if took := time.Since(start); took < lockWait || took > 5*time.Second {
		t.Fatalf("gave up after %s, want about %s", took, lockWait)
	}

	cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	lockWait = time.Minute
	if _, err := OpenSQLite(cctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a cancelled wait: %v", err)
	}

	// Waits its turn.
	go func() {
		time.Sleep(300 * time.Millisecond)
		first.Close()
	}()
	second, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	defer second.Close()
	if _, err := second.Outbox(ctx); err != nil {
		t.Fatal(err)
	}
}
