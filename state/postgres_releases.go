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

// This file holds the PostgreSQL twins of releases.go: same queries, same
// semantics, PostgreSQL's placeholders.

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
		if err := putValidators(ctx, s.in(tx), p.PageURL, p.Validators, now); err != nil {
			return 0, rollback(tx, err)
		}
		// A page that was read is not missing (NoteMissing) any more.
		if _, err := s.in(tx).exec(ctx, sqForgetMissing, p.PageURL); err != nil {
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
		if err := putValidators(ctx, s.in(tx), pageURL, v, now); err != nil {
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
