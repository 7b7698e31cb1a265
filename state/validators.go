package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/natowatch/natowatch/release"
)

var (
	sqValidators     = shared(`SELECT etag, last_modified FROM http_cache WHERE url = P1`).hot()
	sqDropValidators = shared(`DELETE FROM http_cache WHERE url = P1`).hot()
	sqPutValidators  = shared(`INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES (P1, P2, P3, P4)
		ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, updated_at = excluded.updated_at`).hot()
	sqNoteMissing = shared(`INSERT INTO missing_items (url, first_at, count) VALUES (P1, P2, 1)
		ON CONFLICT (url) DO UPDATE SET count = missing_items.count + 1 RETURNING first_at, count`).hot()
	sqForgetMissing = shared(`DELETE FROM missing_items WHERE url = P1`).hot()
)

// Validators returns the remembered validators of a URL (zero if none).
func (s *validatorStore) Validators(ctx context.Context, url string) (release.Validators, error) {
	var v release.Validators
	err := s.conn.row(ctx, sqValidators, url).Scan(&v.ETag, &v.LastModified)
	if errors.Is(err, sql.ErrNoRows) {
		return release.Validators{}, nil
	}
	if err != nil {
		return release.Validators{}, fmt.Errorf("state: validators: %w", err)
	}
	return v, nil
}

// SaveValidators remembers the validators of a URL (a listing or feed, saved
// once everything it listed has been handled).
func (s *validatorStore) SaveValidators(ctx context.Context, url string, v release.Validators, now time.Time) error {
	return putValidators(ctx, s.conn, url, v, now)
}

func putValidators(ctx context.Context, c conn, url string, v release.Validators, now time.Time) error {
	var err error
	if v.ETag == "" && v.LastModified == "" {
		_, err = c.exec(ctx, sqDropValidators, url)
	} else {
		_, err = c.exec(ctx, sqPutValidators, url, v.ETag, v.LastModified, ms(now))
	}
	if err != nil {
		return fmt.Errorf("state: save validators: %w", err)
	}
	return nil
}

// NoteMissing records that a listed item's page was missing (404) and
// returns when that was first seen and how often since.
func (s *validatorStore) NoteMissing(ctx context.Context, url string, now time.Time) (first time.Time, count int, err error) {
	var f int64
	err = s.conn.row(ctx, sqNoteMissing, url, ms(now)).Scan(&f, &count)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("state: note missing: %w", err)
	}
	return fromMS(f), count, nil
}

// ForgetMissing drops a missing item's record (it appeared, or was given up).
func (s *validatorStore) ForgetMissing(ctx context.Context, url string) error {
	return s.conn.do(ctx, "forget missing", sqForgetMissing, url)
}
