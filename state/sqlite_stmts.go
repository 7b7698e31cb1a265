package state

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// hotQueries are the SQLite queries prepared when a store opens.
var hotQueries []string

// hot registers a query to be prepared once per store, and returns it.
// Call it only in package-level variable declarations.
func hot(q string) string {
	hotQueries = append(hotQueries, q)
	return q
}

// prepared returns hot query q prepared, preparing it on first use: a
// command pays only for the statements it runs. nil for a query that is
// not hot, or on PostgreSQL.
func (s *database) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	s.mu.Lock()
	st, ok := s.stmts[q]
	s.mu.Unlock()
	if ok || s.pg || !isHot(q) {
		return st, nil
	}
	// Prepared without the lock held: this waits for the one connection.
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %q: %w", q, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.stmts[q]; ok { // another goroutine was first
		st.Close()
		return prev, nil
	}
	if s.stmts == nil {
		s.stmts = make(map[string]*sql.Stmt)
	}
	s.stmts[q] = st
	return st, nil
}

// prepareAll prepares every hot query not prepared yet. A transaction
// holds the one connection, on which nothing else can be prepared: begin
// calls this first.
func (s *database) prepareAll(ctx context.Context) error {
	if s.pg {
		return nil
	}
	s.mu.Lock()
	all := len(s.stmts) == len(hotSet())
	s.mu.Unlock()
	if all {
		return nil
	}
	for _, q := range hotQueries {
		if _, err := s.prepared(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// begin starts a transaction, with the hot queries prepared.
func (s *database) begin(ctx context.Context) (*sql.Tx, error) {
	if err := s.prepareAll(ctx); err != nil {
		return nil, err
	}
	return s.db.BeginTx(ctx, nil)
}

// hotSet is hotQueries as a set.
var hotSet = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, len(hotQueries))
	for _, q := range hotQueries {
		m[q] = true
	}
	return m
})

func isHot(q string) bool { return hotSet()[q] }

// sqliteConn is the database or a transaction of it, with the store's
// prepared statements: a query that is not one of them is prepared by
// database/sql as usual.
type sqliteConn struct {
	s  *database
	tx *sql.Tx
}

// stmt is q's prepared statement, nil when q is not hot or, in a
// transaction, not prepared yet (begin prepares them all first); nil runs
// q unprepared, as database/sql does.
func (c sqliteConn) stmt(ctx context.Context, q string) *sql.Stmt {
	if c.tx == nil {
		st, _ := c.s.prepared(ctx, q)
		return st
	}
	c.s.mu.Lock()
	st := c.s.stmts[q]
	c.s.mu.Unlock()
	if st == nil {
		return nil
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
