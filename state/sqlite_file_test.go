package state

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/natowatch/natowatch/release"
)

// Another application's SQLite file (in rollback-journal mode, as most
// are) is refused before anything is written to it: not one byte changes,
// not even the header's journal mode.
func TestForeignFileUntouched(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "other.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine'); PRAGMA application_id = 42"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	_, err = OpenSQLite(ctx, path)
	if !errors.Is(err, ErrNotNatowatch) || strings.Count(err.Error(), "state:") != 1 {
		t.Fatalf("foreign file: %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatalf("the foreign file was modified (header bytes 18-19: %v → %v)", before[18:20], after[18:20])
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("a WAL file was made for the foreign file")
	}
}

// A corrupt state is refused at open, with its path, and not written to.
func TestCorruptStateRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "natowatch.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		r := release.Release{Source: "nato", URL: fmt.Sprintf("https://www.nato.int/r%d", i), Title: fmt.Sprintf("Release %d", i),
			Body: []string{strings.Repeat(fmt.Sprintf("Paragraph of release %d. ", i), 40)}}
		if _, err := s.Save(ctx, Put{Release: r, Keys: []string{"url:" + r.URL}, Fingerprint: "f", Version: 1}, t0); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	// The next open checks the file, and records when the next check is
	// due: a day later.
	s, err = OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var due int64
	if err := s.db.QueryRow("SELECT until FROM leases WHERE name = ?", quickCheckTurn).Scan(&due); err != nil || fromMS(due).Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("next check due %v, %v", fromMS(due), err)
	}
	if _, err := s.db.Exec("UPDATE leases SET until = 0 WHERE name = ?", quickCheckTurn); err != nil { // a day later
		t.Fatal(err)
	}
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 40*4096 {
		t.Fatalf("state of %d bytes: %v", len(b), err)
	}
	// Scribble over pages in the middle of the file, as a bad disk would.
	copy(b[20*4096:], bytes.Repeat([]byte{0xA5}, 3*4096))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = OpenSQLite(ctx, path)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || strings.Count(err.Error(), "state:") != 1 {
		t.Fatalf("corrupt state: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(b, after) {
		t.Fatal("the corrupt state was written to")
	}
	t.Log(err)
}

// A state file deleted or replaced while open is noticed.
func TestCheckFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "natowatch.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckFile(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("VACUUM"); err != nil { // rewrites the file in place: still the same
		t.Fatal(err)
	}
	if err := s.CheckFile(); err != nil {
		t.Fatalf("after VACUUM: %v", err)
	}
	other := filepath.Join(dir, "other.db")
	if err := s.Backup(ctx, other); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, path); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckFile(); !errors.Is(err, ErrLost) || !strings.Contains(err.Error(), path) {
		t.Fatalf("replaced: %v", err)
	}
	os.Remove(path)
	if err := s.CheckFile(); !errors.Is(err, ErrLost) {
		t.Fatalf("deleted: %v", err)
	}
	if m, _ := OpenSQLite(ctx, ":memory:"); m.CheckFile() != nil {
		t.Fatal("in memory")
	}
}
