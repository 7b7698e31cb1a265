package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Validators returns the remembered validators of a URL (zero if none).
func (s *SQLite) Validators(ctx context.Context, url string) (Validators, error) {
	var v Validators
	err := s.db.QueryRowContext(ctx, `SELECT etag, last_modified FROM http_cache WHERE url = ?`, url).Scan(&v.ETag, &v.LastModified)
	if errors.Is(err, sql.ErrNoRows) {
		return Validators{}, nil
	}
	if err != nil {
		return Validators{}, fmt.Errorf("state: validators: %w", err)
	}
	return v, nil
}

// SaveValidators remembers the validators of a URL (a listing or feed, saved
// once everything it listed has been handled).
func (s *SQLite) SaveValidators(ctx context.Context, url string, v Validators, now time.Time) error {
	return putValidators(ctx, s.db, url, v, now)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func putValidators(ctx context.Context, db execer, url string, v Validators, now time.Time) error {
	var err error
	if v.ETag == "" && v.LastModified == "" {
		_, err = db.ExecContext(ctx, `DELETE FROM http_cache WHERE url = ?`, url)
	} else {
		_, err = db.ExecContext(ctx, `INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, updated_at = excluded.updated_at`,
			url, v.ETag, v.LastModified, ms(now))
	}
	if err != nil {
		return fmt.Errorf("state: save validators: %w", err)
	}
	return nil
}
