package state

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
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

// Claims left in a SQLite state by a process that died are free as soon as
// the next process has the lock: no other can be sending them.
func TestDeadClaimsFreed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "natowatch.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(ctx, Put{Release: release.Release{Source: "s", URL: "https://x/1"}, Keys: []string{"url:1"}, Fingerprint: "f", Version: 1,
		Alert: &release.Alert{Version: 1, Kind: release.KindNew}, Recipients: recipients("channel:1")}, t0); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Claim(ctx, "dead", t0, 10, time.Hour); err != nil || len(a) != 1 {
		t.Fatalf("claim: %d %v", len(a), err)
	}
	s.Close() // as the kernel does for a killed process
	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if b, err := s.Claim(ctx, "next", t0, 10, time.Hour); err != nil || len(b) != 1 {
		t.Fatalf("the next process finds %d to claim, %v", len(b), err)
	}
}

// A state in a folder that does not exist is one clear error.
func TestLockMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "natowatch.db")
	_, err := OpenSQLite(context.Background(), path)
	if err == nil || strings.Count(err.Error(), "state:") != 1 || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("missing folder: %v", err)
	}
}
