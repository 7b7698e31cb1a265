package state

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite's primary result codes that say the store itself is broken, not
// the statement: the file is unreadable, corrupt, full, moved or gone.
const (
	sqliteReadOnly  = 8  // SQLITE_READONLY (…_DBMOVED: the file was replaced)
	sqliteIOErr     = 10 // SQLITE_IOERR
	sqliteCorrupt   = 11 // SQLITE_CORRUPT
	sqliteFull      = 13 // SQLITE_FULL
	sqliteCantOpen  = 14 // SQLITE_CANTOPEN
	sqliteNotADB    = 26 // SQLITE_NOTADB
	sqliteCodeMask  = 0xff
	pgResourceClass = "53" // insufficient resources (disk full, out of memory)
	pgSystemClass   = "58" // system error (I/O)
	pgInternalClass = "XX" // internal error, data_corrupted among them
)

// Broken reports whether err says that the state store itself failed
// (corrupt, unreadable, full, deleted or replaced), as opposed to one
// statement or the caller's context. Such an error is the store's: a check
// that meets it must not blame its source.
func Broken(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrCorrupt) || errors.Is(err, ErrLost) {
		return true
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & sqliteCodeMask {
		case sqliteReadOnly, sqliteIOErr, sqliteCorrupt, sqliteFull, sqliteCantOpen, sqliteNotADB:
			return true
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && len(pe.Code) >= 2 {
		switch pe.Code[:2] {
		case pgResourceClass, pgSystemClass, pgInternalClass:
			return true
		}
	}
	return false
}
