package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file holds the PostgreSQL twins of releases.go, cache.go and
// sources.go: same queries, same semantics, PostgreSQL's placeholders.

var pgQueue = queueQueries{
	alert: `INSERT INTO alerts (release_id, alert, waiting) VALUES ($1, $2, $3) RETURNING id`,
	row: `INSERT INTO outbox (release_id, version, target, kind, alert_id, matches, nonce, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (release_id, version, target) DO NOTHING`,
	waiting: `UPDATE alerts SET waiting = $2 WHERE id = $1`,
	drop:    `DELETE FROM alerts WHERE id = $1`,
}

const pgStoredCols = `r.id, r.data, r.fingerprint, r.version, r.first_seen, r.checked_at, r.lastmod, r.suspect`

// Lookup returns the release known by any of keys, or nil when none is.
func (s *Postgres) Lookup(ctx context.Context, keys []string) (*Stored, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	st, err := scanStored(pgQueryRow(ctx, s.db, `SELECT `+pgStoredCols+`
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

// Recent returns the pages of a source's fetched releases published (or
// first seen) since the given time, newest first, with their validators.
func (s *Postgres) Recent(ctx context.Context, source string, since time.Time) ([]Page, error) {
	rows, err := pgQuery(ctx, s.db, `SELECT r.id, r.url, r.published, r.first_seen, r.lastmod, coalesce(c.etag, ''), coalesce(c.last_modified, '')
		FROM releases r LEFT JOIN http_cache c ON c.url = r.url
		WHERE r.id IN (SELECT id FROM releases WHERE source = $1 AND published >= $2
			UNION SELECT id FROM releases WHERE source = $1 AND first_seen >= $2)
		AND r.fingerprint <> ''
		ORDER BY r.published DESC, r.id DESC`, source, ms(since))
	if err != nil {
		return nil, fmt.Errorf("state: recent: %w", err)
	}
	return scanPages(rows)
}

// Get returns the release with the given id, or nil when there is none.
func (s *Postgres) Get(ctx context.Context, id int64) (*Stored, error) {
	st, err := scanStored(pgQueryRow(ctx, s.db, `SELECT `+pgStoredCols+` FROM releases r WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: get %d: %w", id, err)
	}
	return st, nil
}

// Latest returns the newest fetched releases of any source.
func (s *Postgres) Latest(ctx context.Context, n int) ([]Stored, error) {
	rows, err := pgQuery(ctx, s.db, `SELECT `+pgStoredCols+`
		FROM releases r WHERE r.fingerprint <> '' ORDER BY r.published DESC, r.id DESC LIMIT $1`, pgLimit(n))
	if err != nil {
		return nil, fmt.Errorf("state: latest: %w", err)
	}
	out, err := scanStoredRows(rows)
	if err != nil {
		return nil, fmt.Errorf("state: latest: %w", err)
	}
	return out, nil
}

func scanStoredRows(rows *sql.Rows) ([]Stored, error) {
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		st, err := scanStored(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *st)
	}
	return out, rows.Err()
}

// Save writes a release, its keys, its page's validators and its alerts in
// one transaction, and returns the release's id. Keys already pointing at
// another release are left alone.
func (s *Postgres) Save(ctx context.Context, p Put, now time.Time) (int64, error) {
	data, err := json.Marshal(p.Release)
	if err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	id := p.ID
	if id == 0 {
		err = pgQueryRow(ctx, tx, `INSERT INTO releases (source, url, published, fingerprint, version, data, first_seen, checked_at, lastmod)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id`,
			p.Release.Source, p.Release.URL, ms(p.Release.Published), p.Fingerprint, p.Version, string(data), ms(now), ms(p.LastMod)).Scan(&id)
	} else {
		_, err = pgExec(ctx, tx, `UPDATE releases SET published = $1, fingerprint = $2, version = $3, data = $4, checked_at = $5, lastmod = $6, suspect = '' WHERE id = $7`,
			ms(p.Release.Published), p.Fingerprint, p.Version, string(data), ms(now), ms(p.LastMod), id)
	}
	if err != nil {
		return 0, rollback(tx, fmt.Errorf("state: save %s: %w", p.Release.URL, err))
	}
	if err := pgIndexRelease(ctx, tx, id, p); err != nil {
		return 0, rollback(tx, err)
	}
	for _, k := range p.Keys {
		if _, err := pgExec(ctx, tx, `INSERT INTO release_keys (key, release_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, k, id); err != nil {
			return 0, rollback(tx, fmt.Errorf("state: save key: %w", err))
		}
	}
	if p.PageURL != "" {
		if err := pgPutValidators(ctx, tx, p.PageURL, p.Validators, now); err != nil {
			return 0, rollback(tx, err)
		}
		// A page that was read is not missing (NoteMissing) any more.
		if _, err := pgExec(ctx, tx, `DELETE FROM missing_items WHERE url = $1`, p.PageURL); err != nil {
			return 0, rollback(tx, fmt.Errorf("state: save: %w", err))
		}
	}
	if err := queueAlerts(ctx, tx, pgQueue, pgArgs, id, p.Alerts, now); err != nil {
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

// Touch records that a release's page was checked and found unchanged
// (after a 200 whose content was the same), with its new validators.
func (s *Postgres) Touch(ctx context.Context, id int64, pageURL string, v Validators, lastMod time.Time, now time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: touch: %w", err)
	}
	if _, err := pgExec(ctx, tx, `UPDATE releases SET checked_at = $1, lastmod = greatest(lastmod, $2) WHERE id = $3`, ms(now), ms(lastMod), id); err != nil {
		return rollback(tx, fmt.Errorf("state: touch: %w", err))
	}
	if pageURL != "" {
		if err := pgPutValidators(ctx, tx, pageURL, v, now); err != nil {
			return rollback(tx, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: touch: %w", err)
	}
	return nil
}

// MarkSuspect remembers a fingerprint that is not trusted until it is seen
// again.
func (s *Postgres) MarkSuspect(ctx context.Context, id int64, fingerprint string) error {
	if _, err := pgExec(ctx, s.db, `UPDATE releases SET suspect = $1 WHERE id = $2`, fingerprint, id); err != nil {
		return fmt.Errorf("state: mark suspect: %w", err)
	}
	return nil
}

// Validators returns the remembered validators of a URL (zero if none).
func (s *Postgres) Validators(ctx context.Context, url string) (Validators, error) {
	var v Validators
	err := pgQueryRow(ctx, s.db, `SELECT etag, last_modified FROM http_cache WHERE url = $1`, url).Scan(&v.ETag, &v.LastModified)
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
func (s *Postgres) SaveValidators(ctx context.Context, url string, v Validators, now time.Time) error {
	return pgPutValidators(ctx, s.db, url, v, now)
}

func pgPutValidators(ctx context.Context, c pgConn, url string, v Validators, now time.Time) error {
	var err error
	if v.ETag == "" && v.LastModified == "" {
		_, err = pgExec(ctx, c, `DELETE FROM http_cache WHERE url = $1`, url)
	} else {
		_, err = pgExec(ctx, c, `INSERT INTO http_cache (url, etag, last_modified, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, updated_at = excluded.updated_at`,
			url, v.ETag, v.LastModified, ms(now))
	}
	if err != nil {
		return fmt.Errorf("state: save validators: %w", err)
	}
	return nil
}

// NoteMissing records that a listed item's page was missing (404) and
// returns when that was first seen and how often since.
func (s *Postgres) NoteMissing(ctx context.Context, url string, now time.Time) (first time.Time, count int, err error) {
	var f int64
	err = pgQueryRow(ctx, s.db, `INSERT INTO missing_items (url, first_at, count) VALUES ($1, $2, 1)
		ON CONFLICT (url) DO UPDATE SET count = missing_items.count + 1 RETURNING first_at, count`, url, ms(now)).Scan(&f, &count)
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("state: note missing: %w", err)
	}
	return fromMS(f), count, nil
}

// ForgetMissing drops a missing item's record (it appeared, or was given up).
func (s *Postgres) ForgetMissing(ctx context.Context, url string) error {
	if _, err := pgExec(ctx, s.db, `DELETE FROM missing_items WHERE url = $1`, url); err != nil {
		return fmt.Errorf("state: forget missing: %w", err)
	}
	return nil
}

// Health returns what is known of a source (zero values if never checked).
func (s *Postgres) Health(ctx context.Context, name string) (SourceHealth, error) {
	h := SourceHealth{Name: name}
	var first, last, ok, failing int64
	err := pgQueryRow(ctx, s.db, `SELECT first_check, last_check, last_success, last_error, failing_since, consecutive_ko FROM sources WHERE name = $1`, name).
		Scan(&first, &last, &ok, &h.LastError, &failing, &h.ConsecutiveKO)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("state: health: %w", err)
	}
	h.FirstCheck, h.LastCheck, h.LastSuccess, h.FailingSince = fromMS(first), fromMS(last), fromMS(ok), fromMS(failing)
	return h, nil
}

// RecordCheck records the outcome of a check (cause "" for success) and
// returns the source's health before it, so callers can report transitions.
func (s *Postgres) RecordCheck(ctx context.Context, name string, now time.Time, cause string) (before SourceHealth, err error) {
	before, err = s.Health(ctx, name)
	if err != nil {
		return before, err
	}
	if cause == "" {
		_, err = pgExec(ctx, s.db, `INSERT INTO sources (name, first_check, last_check, last_success) VALUES ($1, $2, $2, $2)
			ON CONFLICT (name) DO UPDATE SET first_check = CASE WHEN sources.first_check = 0 THEN excluded.first_check ELSE sources.first_check END,
			last_check = excluded.last_check, last_success = excluded.last_success, last_error = '', failing_since = 0, consecutive_ko = 0`,
			name, ms(now))
	} else {
		_, err = pgExec(ctx, s.db, `INSERT INTO sources (name, last_check, last_error, failing_since, consecutive_ko) VALUES ($1, $2, $3, $2, 1)
			ON CONFLICT (name) DO UPDATE SET last_check = excluded.last_check, last_error = excluded.last_error,
			failing_since = CASE WHEN sources.failing_since = 0 THEN excluded.failing_since ELSE sources.failing_since END,
			consecutive_ko = sources.consecutive_ko + 1`,
			name, ms(now), cause)
	}
	if err != nil {
		return before, fmt.Errorf("state: record check: %w", err)
	}
	return before, nil
}
