package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestBroken(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("UNIQUE constraint failed"), false},
		{context.Canceled, false},
		{fmt.Errorf("state: lookup: %w", ErrCorrupt), true},
		{fmt.Errorf("state: x: %w", ErrLost), true},
		{fmt.Errorf("state: recent: %w", &pgconn.PgError{Code: "53100"}), true}, // disk full
		{fmt.Errorf("state: recent: %w", &pgconn.PgError{Code: "XX001"}), true}, // data corrupted
		{fmt.Errorf("state: save: %w", &pgconn.PgError{Code: "23505"}), false},  // unique violation
	} {
		if got := Broken(tc.err); got != tc.want {
			t.Errorf("Broken(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// A SQLite file whose pages were overwritten under an open store gives an
// error that Broken recognises, whichever statement meets it.
func TestBrokenOnARealCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "natowatch.db")
	s, err := OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 100; i < len(b); i++ { // keep the header, ruin every page
		b[i] = 0xA5
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = OpenSQLite(context.Background(), path)
	if err == nil {
		t.Fatal("a ruined state opened without an error")
	}
	if !Broken(err) {
		t.Fatalf("Broken(%v) = false", err)
	}
}
