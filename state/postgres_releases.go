package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file holds what PostgreSQL does its own way of releases.go: Lookup
// with an array of keys, and the search index Save keeps.

// Lookup returns the release known by any of keys, or nil when none is.
func (s *Postgres) Lookup(ctx context.Context, keys []string) (*Stored, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	st, err := scanStored(pgQueryRow(ctx, s.db, `SELECT `+storedCols+`
		FROM release_keys k JOIN releases r ON r.id = k.release_id
		WHERE k.key = ANY($1) ORDER BY r.id LIMIT 1`, keys))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: lookup: %w", err)
	}
	return st, nil
}

// Save writes a release, its keys, its page's validators, its alerts and
// its search index entry in one transaction, and returns the release's id.
// Keys already pointing at another release are left alone.
func (s *Postgres) Save(ctx context.Context, p Put, now time.Time) (int64, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	id, err := saveRelease(ctx, s.in(tx), p, now)
	if err == nil {
		err = pgIndexRelease(ctx, tx, id, p)
	}
	if err != nil {
		return 0, rollback(tx, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	return id, nil
}

// pgIndexRelease keeps the search index in step with a saved release.
func pgIndexRelease(ctx context.Context, tx *sql.Tx, id int64, p Put) error {
	if _, err := pgExec(ctx, tx, `DELETE FROM releases_fts WHERE id = $1`, id); err != nil {
		return fmt.Errorf("state: index: %w", err)
	}
	if p.Fingerprint == "" {
		return nil
	}
	if _, err := pgExec(ctx, tx, `INSERT INTO releases_fts (id, doc) VALUES ($1, `+pgDoc+`)`,
		id, p.Release.Title, strings.Join(p.Release.Body, "\n")); err != nil {
		return fmt.Errorf("state: index: %w", err)
	}
	return nil
}
