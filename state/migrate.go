package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrNotEmpty is returned by Migrate for a destination that already holds
// releases: migrating into it could mix two histories.
var ErrNotEmpty = errors.New("the destination state is not empty")

// Migrate copies a whole state from one store to another (SQLite to
// PostgreSQL when a deployment outgrows one machine, or back), in one
// transaction on the destination, which must be new or empty. Leases and
// claims are not copied: they belong to running processes.
func Migrate(ctx context.Context, fromSpec, toSpec string) error {
	from, err := Open(ctx, fromSpec)
	if err != nil {
		return fmt.Errorf("state: migrate: from: %w", err)
	}
	defer from.Close()
	to, err := Open(ctx, toSpec)
	if err != nil {
		return fmt.Errorf("state: migrate: to: %w", err)
	}
	defer to.Close()
	src, dst := rawDB(from), rawDB(to)
	var n int
	if err := dst.QueryRowContext(ctx, `SELECT count(*) FROM releases`).Scan(&n); err != nil {
		return fmt.Errorf("state: migrate: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("state: migrate: %w (%d releases)", ErrNotEmpty, n)
	}
	var opts *sql.TxOptions
	if IsPostgres(fromSpec) {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	rtx, err := src.BeginTx(ctx, opts) // a consistent snapshot of the source
	if err != nil {
		return fmt.Errorf("state: migrate: %w", err)
	}
	defer rtx.Rollback()
	wtx, err := dst.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: migrate: %w", err)
	}
	toPG := IsPostgres(toSpec)
	for _, t := range pgBackupTables {
		values := ""
		srcCols, dstCols := t.cols, t.cols
		if t.table == "releases_fts" {
			switch {
			case !toPG:
				// SQLite's index reads the text from the releases.
				if err := rebuildIndex(ctx, wtx); err != nil {
					return rollback(wtx, fmt.Errorf("state: migrate: %w", err))
				}
				continue
			case IsPostgres(fromSpec):
				srcCols, dstCols, values = "id, doc::text", "id, doc", "$1, $2::tsvector"
			default:
				// SQLite's index has the text (read from the releases).
				srcCols, dstCols, values = "rowid, title, body", "id, doc", "$1, "+pgDoc
			}
		}
		if err := copyRows(ctx, rtx, wtx, t.table, srcCols, dstCols, values, toPG); err != nil {
			return rollback(wtx, fmt.Errorf("state: migrate %s: %w", t.table, err))
		}
	}
	if toPG {
		// Identity columns go on after the copied ids.
		for _, t := range []string{"releases", "alerts", "outbox", "subscriptions"} {
			if _, err := wtx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), coalesce((SELECT max(id) FROM `+t+`), 0) + 1, false)`); err != nil {
				return rollback(wtx, fmt.Errorf("state: migrate: %s ids: %w", t, err))
			}
		}
	}
	if err := wtx.Commit(); err != nil {
		return fmt.Errorf("state: migrate: %w", err)
	}
	return nil
}

func rawDB(s Store) *sql.DB {
	switch v := s.(type) {
	case *SQLite:
		return v.db
	case *Postgres:
		return v.db
	}
	panic(fmt.Sprintf("state: unknown store %T", s))
}

// copyRows copies the columns from of a table into the columns to, with
// the placeholders of each column, or the expressions values of them.
func copyRows(ctx context.Context, src, dst *sql.Tx, table, from, to, values string, toPG bool) error {
	n := len(strings.Split(from, ","))
	rows, err := src.QueryContext(ctx, `SELECT `+from+` FROM `+table+` ORDER BY 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "?"
		if toPG {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
	}
	if values == "" {
		values = strings.Join(ph, ", ")
	}
	ins, err := dst.PrepareContext(ctx, `INSERT INTO `+table+` (`+to+`) VALUES (`+values+`)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if toPG {
			for i, v := range vals {
				if b, ok := v.([]byte); ok { // SQLite hands text back as bytes at times
					vals[i] = string(b)
				}
			}
			vals = pgArgs(vals)
		}
		if _, err := ins.ExecContext(ctx, vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}
