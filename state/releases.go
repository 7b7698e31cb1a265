package state

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/natowatch/natowatch/release"
)

// storedCols are the columns of releases r that scanStored reads.
const storedCols = `r.id, r.data, r.fingerprint, r.version, r.first_seen, r.checked_at, r.lastmod, r.suspect`

// lookupQuery is SQLite's Lookup query for n keys.
func lookupQuery(n int) string {
	return `SELECT ` + storedCols + `
		FROM release_keys k JOIN releases r ON r.id = k.release_id
		WHERE k.key IN (?` + strings.Repeat(",?", n-1) + `) ORDER BY r.id LIMIT 1`
}

// lookupQueries are Lookup's prepared queries, for 1, 2, 4 and 8 keys: a
// list of keys is padded to the next size by repeating its last key.
var lookupQueries = []string{hot(lookupQuery(1)), hot(lookupQuery(2)), hot(lookupQuery(4)), hot(lookupQuery(8))}

// Lookup returns the release known by any of keys, or nil when none is.
func (s *SQLite) Lookup(ctx context.Context, keys []string) (*Stored, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	n := len(keys)
	q := ""
	for i, size := range []int{1, 2, 4, 8} {
		if n <= size {
			n, q = size, lookupQueries[i]
			break
		}
	}
	if q == "" {
		q = lookupQuery(n)
	}
	args := make([]any, n)
	for i := range args {
		args[i] = keys[min(i, len(keys)-1)]
	}
	st, err := scanStored(s.conn.sqlite.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: lookup: %w", err)
	}
	return st, nil
}

var (
	sqRecent = shared(`SELECT r.id, r.url, r.published, r.first_seen, r.lastmod, coalesce(c.etag, ''), coalesce(c.last_modified, '')
		FROM releases r LEFT JOIN http_cache c ON c.url = r.url
		WHERE r.id IN (SELECT id FROM releases WHERE source = P1 AND published >= P2
			UNION SELECT id FROM releases WHERE source = P1 AND first_seen >= P2)
		AND r.fingerprint <> ''
		ORDER BY r.published DESC, r.id DESC`).hot()
	sqGet    = shared(`SELECT ` + storedCols + ` FROM releases r WHERE r.id = P1`).hot()
	sqLatest = shared(`SELECT ` + storedCols + `
		FROM releases r WHERE r.fingerprint <> '' ORDER BY r.published DESC, r.id DESC LIMIT P1`)
	sqInsertRelease = shared(`INSERT INTO releases (source, url, published, fingerprint, version, data, first_seen, checked_at, lastmod)
		VALUES (P1, P2, P3, P4, P5, P6, P7, P7, P8) RETURNING id`).hot()
	sqUpdateRelease = shared(`UPDATE releases SET published = P1, fingerprint = P2, version = P3, data = P4, checked_at = P5, lastmod = P6,
		suspect = '' WHERE id = P7`).hot()
	sqInsertKey = shared(`INSERT INTO release_keys (key, release_id) VALUES (P1, P2) ON CONFLICT (key) DO NOTHING`).hot()
	sqTouch     = query{
		sqlite: `UPDATE releases SET checked_at = ?, lastmod = max(lastmod, ?) WHERE id = ?`,
		pg:     `UPDATE releases SET checked_at = $1, lastmod = greatest(lastmod, $2) WHERE id = $3`,
	}.hot()
	sqMarkSuspect = shared(`UPDATE releases SET suspect = P1 WHERE id = P2`).hot()

	// SQLite's search index. It reads the text from releases_text: the old
	// text leaves it before the release changes, unless it never got in.
	sqUnindex = hot(`INSERT INTO releases_fts (releases_fts, rowid, title, body)
		SELECT 'delete', id, title, body FROM releases_text WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM releases_unindexed WHERE id = ?1)`)
	sqToIndex      = hot(`INSERT INTO releases_unindexed (id) VALUES (?) ON CONFLICT(id) DO NOTHING`)
	sqNotToIndex   = hot(`DELETE FROM releases_unindexed WHERE id = ?`)
	sqUnindexed    = hot(`SELECT count(*) FROM releases_unindexed`)
	sqIndex        = hot(`INSERT INTO releases_fts (rowid, title, body) SELECT id, title, body FROM releases_text WHERE id IN (SELECT id FROM releases_unindexed)`)
	sqIndexed      = hot(`DELETE FROM releases_unindexed`)
	sqAnyUnindexed = hot(`SELECT EXISTS (SELECT 1 FROM releases_unindexed)`)
)

// indexBatch is how many saved releases wait for the search index before
// a save adds them: a commit to the index writes a segment and merges
// segments, which costs more than indexing a release's text. Search adds
// those waiting before it searches.
const indexBatch = 64

// Recent returns the pages of a source's fetched releases published (or
// first seen) since the given time, newest first, with their validators:
// one query, and no release text decoded.
func (s *releaseStore) Recent(ctx context.Context, source string, since time.Time) ([]Page, error) {
	return queryAll(ctx, s.conn, "recent", scanPage, sqRecent, source, ms(since))
}

func scanPage(rows *sql.Rows) (Page, error) {
	var (
		p                   Page
		pub, first, lastmod int64
	)
	err := rows.Scan(&p.ID, &p.URL, &pub, &first, &lastmod, &p.Validators.ETag, &p.Validators.LastModified)
	p.Published, p.FirstSeen, p.LastMod = fromMS(pub), fromMS(first), fromMS(lastmod)
	return p, err
}

// Get returns the release with the given id, or nil when there is none.
func (s *releaseStore) Get(ctx context.Context, id int64) (*Stored, error) {
	st, err := scanStored(s.conn.row(ctx, sqGet, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: get %d: %w", id, err)
	}
	return st, nil
}

// Latest returns the newest fetched releases of any source.
func (s *releaseStore) Latest(ctx context.Context, n int) ([]Stored, error) {
	return queryAll(ctx, s.conn, "latest", storedRow, sqLatest, s.conn.limit(n))
}

// storedRow reads a row of storedCols.
func storedRow(rows *sql.Rows) (Stored, error) {
	st, err := scanStored(rows)
	if err != nil {
		return Stored{}, err
	}
	return *st, nil
}

type scanner interface{ Scan(...any) error }

// scanStored reads a row of storedCols, and then the columns extra.
func scanStored(row scanner, extra ...any) (*Stored, error) {
	var (
		st                         Stored
		data                       string
		firstSeen, checked, lastmo int64
	)
	if err := row.Scan(append([]any{&st.ID, &data, &st.Fingerprint, &st.Version, &firstSeen, &checked, &lastmo, &st.Suspect}, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &st.Release); err != nil {
		return nil, fmt.Errorf("release %d: corrupt data: %w", st.ID, err)
	}
	st.FirstSeen, st.CheckedAt, st.LastMod = fromMS(firstSeen), fromMS(checked), fromMS(lastmo)
	return &st, nil
}

// Save writes a release, its keys, its page's validators, its alerts and
// its search index entry in one transaction, and returns the release's id.
// Keys already pointing at another release are left alone.
func (s *SQLite) Save(ctx context.Context, p Put, now time.Time) (int64, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	c := s.in(tx)
	if p.ID != 0 {
		if _, err := c.sqlite.ExecContext(ctx, sqUnindex, p.ID); err != nil {
			return 0, rollback(tx, fmt.Errorf("state: save %s: index: %w", p.Release.URL, err))
		}
	}
	id, err := saveRelease(ctx, c, p, now)
	if err == nil {
		err = indexRelease(ctx, c.sqlite, id, p)
	}
	if err != nil {
		return 0, rollback(tx, err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	return id, nil
}

// saveRelease is Save but for the search index: it writes a release (a new
// one when p.ID is 0), its keys, its page's validators and its alerts, and
// returns the release's id.
func saveRelease(ctx context.Context, c conn, p Put, now time.Time) (int64, error) {
	data, err := json.Marshal(p.Release)
	if err != nil {
		return 0, fmt.Errorf("state: save: %w", err)
	}
	id := p.ID
	if id == 0 {
		err = c.row(ctx, sqInsertRelease,
			p.Release.Source, p.Release.URL, ms(p.Release.Published), p.Fingerprint, p.Version, string(data), ms(now), ms(p.LastMod)).Scan(&id)
	} else {
		_, err = c.exec(ctx, sqUpdateRelease,
			ms(p.Release.Published), p.Fingerprint, p.Version, string(data), ms(now), ms(p.LastMod), id)
	}
	if err != nil {
		return 0, fmt.Errorf("state: save %s: %w", p.Release.URL, err)
	}
	for _, k := range p.Keys {
		if _, err := c.exec(ctx, sqInsertKey, k, id); err != nil {
			return 0, fmt.Errorf("state: save key: %w", err)
		}
	}
	if p.PageURL != "" {
		if err := putValidators(ctx, c, p.PageURL, p.Validators, now); err != nil {
			return 0, err
		}
		// A page that was read is not missing (NoteMissing) any more.
		if _, err := c.exec(ctx, sqForgetMissing, p.PageURL); err != nil {
			return 0, fmt.Errorf("state: save: %w", err)
		}
	}
	if err := queueAlert(ctx, c, id, p.Alert, p.Recipients, now); err != nil {
		return 0, err
	}
	return id, nil
}

// Touch records that a release's page was checked and found unchanged
// (after a 200 whose content was the same), with its new validators.
func (s *releaseStore) Touch(ctx context.Context, id int64, pageURL string, v release.Validators, lastMod time.Time, now time.Time) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("state: touch: %w", err)
	}
	c := s.in(tx)
	if _, err := c.exec(ctx, sqTouch, ms(now), ms(lastMod), id); err != nil {
		return rollback(tx, fmt.Errorf("state: touch: %w", err))
	}
	if pageURL != "" {
		if err := putValidators(ctx, c, pageURL, v, now); err != nil {
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
func (s *releaseStore) MarkSuspect(ctx context.Context, id int64, fingerprint string) error {
	if _, err := s.conn.exec(ctx, sqMarkSuspect, fingerprint, id); err != nil {
		return fmt.Errorf("state: mark suspect: %w", err)
	}
	return nil
}

// newNonce returns a Discord nonce: at most 25 characters.
func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "nw" + hex.EncodeToString(b)[:23]
}

// indexRelease queues a saved release for the search index (its old text,
// if any, left the index before the release changed), and indexes the
// queue once it is a batch long.
func indexRelease(ctx context.Context, c sqliteConn, id int64, p Put) error {
	if p.Fingerprint == "" {
		// Not fetched: not searchable (releases_text leaves it out).
		if _, err := c.ExecContext(ctx, sqNotToIndex, id); err != nil {
			return fmt.Errorf("state: index: %w", err)
		}
		return nil
	}
	if _, err := c.ExecContext(ctx, sqToIndex, id); err != nil {
		return fmt.Errorf("state: index: %w", err)
	}
	var n int
	if err := c.QueryRowContext(ctx, sqUnindexed).Scan(&n); err != nil {
		return fmt.Errorf("state: index: %w", err)
	}
	if n < indexBatch {
		return nil
	}
	return indexQueued(ctx, c)
}

// indexQueued adds the queued releases to the search index.
func indexQueued(ctx context.Context, c sqliteConn) error {
	if _, err := c.ExecContext(ctx, sqIndex); err != nil {
		return fmt.Errorf("state: index: %w", err)
	}
	if _, err := c.ExecContext(ctx, sqIndexed); err != nil {
		return fmt.Errorf("state: index: %w", err)
	}
	return nil
}

// catchUpIndex indexes the releases still queued, so that a search sees
// every saved release.
func (s *SQLite) catchUpIndex(ctx context.Context) error {
	var any bool
	if err := s.conn.sqlite.QueryRowContext(ctx, sqAnyUnindexed).Scan(&any); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if !any {
		return nil
	}
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if err := indexQueued(ctx, s.in(tx).sqlite); err != nil {
		return rollback(tx, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return nil
}

// rebuildIndex makes the search index anew from the releases (after they
// were copied in).
func rebuildIndex(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO releases_fts (releases_fts) VALUES ('rebuild'); DELETE FROM releases_unindexed`); err != nil {
		return fmt.Errorf("rebuild index: %w", err)
	}
	return nil
}
