package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"
)

// ErrCorrupt is returned when a SQLite state fails SQLite's own check: it
// is neither written to nor repaired (restore a backup).
var ErrCorrupt = errors.New("corrupt database")

// ErrLost is returned by CheckFile when the state file was deleted or
// replaced while open.
var ErrLost = errors.New("deleted or replaced while in use")

// quickCheckEvery is how often a state is checked at open: PRAGMA
// quick_check reads every page (O(size): 8.0 s for a 100,000-release,
// 800 MB state on a small 2-core machine; integrity_check, which also
// cross-checks the indexes, 8.2 s), too much for each `once` from cron.
const quickCheckEvery = 24 * time.Hour

// quickCheckTurn is the lease row (leases, replicas.go's turns) whose
// until is when the next check at open is due.
const quickCheckTurn = "quick_check"

// probe looks at an existing state file read-only before it is opened for
// writing: opening it so switches it to WAL, which rewrites the header of
// any SQLite file, natowatch's or not. It refuses a file that is not
// natowatch's or is from a newer natowatch, and, when the last check is a
// day old, one that fails PRAGMA quick_check: a corrupt file would be
// written to, and fail later, anywhere. checked says whether it ran.
func probe(ctx context.Context, path, dsn string, now time.Time) (checked bool, err error) {
	if fi, err := os.Stat(path); errors.Is(err, os.ErrNotExist) || err == nil && fi.Size() == 0 {
		return false, nil // a new state
	} else if err != nil {
		return false, err
	}
	db, err := sql.Open("sqlite", dsn+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return false, err
	}
	defer db.Close()
	version, err := checkOurs(ctx, db)
	if err != nil {
		return false, err
	}
	if version >= 5 { // leases
		var due int64
		err := db.QueryRowContext(ctx, "SELECT until FROM leases WHERE name = ?", quickCheckTurn).Scan(&due)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, corrupt("read leases", err)
		}
		if ms(now) < due {
			return false, nil
		}
	}
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check(1)").Scan(&res); err != nil {
		return false, corrupt("quick_check", err)
	}
	if res != "ok" {
		return false, fmt.Errorf("%w (PRAGMA quick_check: %s); restore a backup", ErrCorrupt, res)
	}
	return true, nil
}

// checkOurs reads the marks of a database: it returns its schema version,
// and an error when it is not natowatch's (another application's, or not
// a SQLite file at all) or newer than this build. A file with no tables
// and no application id is a new state.
func checkOurs(ctx context.Context, db *sql.DB) (version int, err error) {
	var appID, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		if strings.Contains(err.Error(), "not a database") {
			return 0, fmt.Errorf("%w (the file is not a SQLite database)", ErrNotNatowatch)
		}
		return 0, corrupt("read application_id", err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return 0, corrupt("read user_version", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
		return 0, corrupt("read schema", err)
	}
	switch {
	case appID == 0 && tables == 0: // a new file
	case appID != applicationID:
		return 0, fmt.Errorf("%w (application_id %#x, %d tables)", ErrNotNatowatch, appID, tables)
	case version > len(migrations):
		return 0, fmt.Errorf("state file is from a newer natowatch (schema %d, this build knows %d)", version, len(migrations))
	}
	return version, nil
}

// corrupt wraps err, and marks it ErrCorrupt when it is SQLite's
// SQLITE_CORRUPT ("database disk image is malformed").
func corrupt(what string, err error) error {
	if strings.Contains(err.Error(), "malformed") {
		return fmt.Errorf("%w (%s: %w); restore a backup", ErrCorrupt, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// CheckFile reports ErrLost when the file at the state's path is no longer
// the one opened (deleted, or replaced by another): what the process
// writes then goes to a file nobody can open again. It costs one stat.
func (s *SQLite) CheckFile() error {
	if s.file == nil {
		return nil // in memory
	}
	fi, err := os.Stat(s.path)
	if err != nil {
		return fmt.Errorf("state: %s: %w (%w)", s.path, ErrLost, err)
	}
	if !os.SameFile(fi, s.file) {
		return fmt.Errorf("state: %s: %w (another file is there now)", s.path, ErrLost)
	}
	return nil
}

// SnapshotSQLite copies the natowatch state at path into a new file at to,
// reading it without its lock: a dry run may look at a state that a
// running daemon holds. The copy is a consistent one (SQLite's VACUUM INTO
// reads in one transaction, beside the daemon's WAL writes).
func SnapshotSQLite(ctx context.Context, path, to string) error {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath()
	db, err := sql.Open("sqlite", dsn+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("state: %s: %w", path, err)
	}
	defer db.Close()
	if _, err := checkOurs(ctx, db); err != nil {
		return fmt.Errorf("state: %s: %w", path, err)
	}
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", to); err != nil {
		return fmt.Errorf("state: %s: %w", path, corrupt("copy", err))
	}
	return nil
}
