package state

import (
	"context"
	"database/sql"
	"fmt"
)

// hotQueries are the SQLite queries prepared when a store opens.
var hotQueries []string

// hot registers a query to be prepared once per store, and returns it.
// Call it only in package-level variable declarations.
func hot(q string) string {
	hotQueries = append(hotQueries, q)
	return q
}

// prepare prepares the hot queries. With one connection, each is prepared
// on it once; database/sql prepares it again on a new connection should
// the old one be dropped.
func (s *SQLite) prepare(ctx context.Context) error {
	s.stmts = make(map[string]*sql.Stmt, len(hotQueries))
	for _, q := range hotQueries {
		if _, ok := s.stmts[q]; ok {
			continue
		}
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", q, err)
		}
		s.stmts[q] = st
	}
	return nil
}

// sqliteConn is the database or a transaction of it, with the store's
// prepared statements: a query that is not one of them is prepared by
// database/sql as usual.
type sqliteConn struct {
	s  *sqlStore
	tx *sql.Tx
}

func (c sqliteConn) stmt(ctx context.Context, q string) *sql.Stmt {
	st := c.s.stmts[q]
	if st == nil || c.tx == nil {
		return st
	}
	// The transaction's connection is the one the statement was prepared
	// on: database/sql reuses it.
	return c.tx.StmtContext(ctx, st)
}

func (c sqliteConn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.ExecContext(ctx, q, args...)
	}
	return c.s.db.ExecContext(ctx, q, args...)
}

func (c sqliteConn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryContext(ctx, q, args...)
	}
	return c.s.db.QueryContext(ctx, q, args...)
}

func (c sqliteConn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryRowContext(ctx, q, args...)
	}
	return c.s.db.QueryRowContext(ctx, q, args...)
}
