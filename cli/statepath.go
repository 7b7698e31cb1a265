package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/natowatch/natowatch/state"
)

// checkStatePath checks a SQLite state's folder before anything opens it,
// so that a missing or read-only folder is a usage problem (exit 2) named
// by its path, not SQLite's "unable to open database file (14)". SQLite
// writes its -wal and -shm files beside the database, so the folder must
// be writable; a dry run only reads the state.
func checkStatePath(spec string, dryRun bool) error {
	if state.IsPostgres(spec) || spec == ":memory:" || strings.HasPrefix(spec, "file:") {
		return nil
	}
	dir := filepath.Dir(spec)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("state %s: the folder %s does not exist", spec, dir)
	case err != nil:
		return fmt.Errorf("state %s: %w", spec, err)
	case !fi.IsDir():
		return fmt.Errorf("state %s: %s is not a folder", spec, dir)
	case dryRun:
		return nil
	}
	f, err := os.CreateTemp(dir, ".natowatch-write-check-*")
	if err != nil {
		return fmt.Errorf("state %s: the folder %s is not writable (SQLite writes its journal beside the database): %w", spec, dir, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	if f, err := os.OpenFile(spec, os.O_RDWR, 0); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("state %s: cannot be written: %w", spec, errors.Unwrap(err))
	}
	return nil
}
