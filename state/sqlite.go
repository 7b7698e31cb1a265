package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	_ "modernc.org/sqlite" // the embedded, cgo-free SQLite driver
)

// applicationID marks a SQLite file as natowatch's ("NATW").
const applicationID = 0x4e415457

// migrations are applied in order; user_version counts those applied.
var migrations = []string{
	`CREATE TABLE sources (
		name TEXT PRIMARY KEY,
		first_check INTEGER NOT NULL DEFAULT 0,
		last_check INTEGER NOT NULL DEFAULT 0,
		last_success INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '',
		failing_since INTEGER NOT NULL DEFAULT 0,
		consecutive_ko INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE http_cache (
		url TEXT PRIMARY KEY,
		etag TEXT NOT NULL,
		last_modified TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	);
	CREATE TABLE releases (
		id INTEGER PRIMARY KEY,
		source TEXT NOT NULL,
		url TEXT NOT NULL UNIQUE,
		published INTEGER NOT NULL,
		fingerprint TEXT NOT NULL,
		version INTEGER NOT NULL,
		data TEXT NOT NULL,
		first_seen INTEGER NOT NULL,
		checked_at INTEGER NOT NULL,
		lastmod INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX releases_recent ON releases(source, published);
	CREATE TABLE release_keys (
		key TEXT PRIMARY KEY,
		release_id INTEGER NOT NULL REFERENCES releases(id)
	);
	CREATE TABLE outbox (
		id INTEGER PRIMARY KEY,
		release_id INTEGER NOT NULL REFERENCES releases(id),
		version INTEGER NOT NULL,
		target TEXT NOT NULL,
		kind TEXT NOT NULL,
		alert TEXT NOT NULL,
		nonce TEXT NOT NULL,
		status TEXT NOT NULL DEFAULT 'pending',
		attempts INTEGER NOT NULL DEFAULT 0,
		next_at INTEGER NOT NULL,
		last_error TEXT NOT NULL DEFAULT '',
		message_id TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL,
		sent_at INTEGER NOT NULL DEFAULT 0,
		UNIQUE(release_id, version, target)
	);
	CREATE INDEX outbox_due ON outbox(status, next_at);`,
	// 2: a fingerprint seen once that shrank the text too much to trust yet.
	`ALTER TABLE releases ADD COLUMN suspect TEXT NOT NULL DEFAULT '';`,
	// 3: listed items whose page is missing (404), until they appear or are given up.
	`CREATE TABLE missing_items (
		url TEXT PRIMARY KEY,
		first_at INTEGER NOT NULL,
		count INTEGER NOT NULL
	);`,
	// 4: what Discord servers set up by slash command, and full-text search.
	`CREATE TABLE subscriptions (
		id INTEGER PRIMARY KEY,
		guild_id TEXT NOT NULL,
		channel_id TEXT NOT NULL,
		types TEXT NOT NULL DEFAULT '',
		watch TEXT NOT NULL DEFAULT '',
		created_by TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL,
		UNIQUE(channel_id, types, watch)
	);
	CREATE INDEX subscriptions_guild ON subscriptions(guild_id);
	CREATE TABLE watches (
		guild_id TEXT NOT NULL,
		name TEXT NOT NULL,
		terms TEXT NOT NULL,
		exclude TEXT NOT NULL DEFAULT '[]',
		role TEXT NOT NULL DEFAULT '',
		created_by TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL,
		PRIMARY KEY (guild_id, name)
	);
	CREATE TABLE follows (
		user_id TEXT PRIMARY KEY,
		terms TEXT NOT NULL,
		created_at INTEGER NOT NULL
	);
	CREATE VIRTUAL TABLE releases_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
	INSERT INTO releases_fts (rowid, title, body)
		SELECT id, json_extract(data, '$.title'), (SELECT group_concat(value, char(10)) FROM json_each(data, '$.body'))
		FROM releases WHERE fingerprint != '';`,
	// 5: several replicas: who schedules checks, who sends which alert.
	`CREATE TABLE leases (
		name TEXT PRIMARY KEY,
		holder TEXT NOT NULL,
		until INTEGER NOT NULL
	);
	ALTER TABLE outbox ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
	ALTER TABLE outbox ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;`,
	// 6: the search index keeps no copy of the text: it reads it from the
	// releases (releases_text: the body's paragraphs joined by newlines,
	// without json_each, a virtual table, which FTS5 may not read through);
	// and it is brought up to date in batches (releases_unindexed), since
	// each commit to it writes and merges segments.
	`DROP TABLE releases_fts;
	CREATE VIEW releases_text AS SELECT id, coalesce(json_extract(data, '$.title'), '') AS title,
		coalesce((WITH RECURSIVE p (i, t) AS (SELECT 0, json_extract(data, '$.body[0]')
				UNION ALL SELECT i + 1, json_extract(data, '$.body[' || (i + 1) || ']') FROM p WHERE t IS NOT NULL)
			SELECT group_concat(t, char(10) ORDER BY i) FROM p WHERE t IS NOT NULL), '') AS body
		FROM releases WHERE fingerprint != '';
	CREATE VIRTUAL TABLE releases_fts USING fts5(title, body, content = 'releases_text', content_rowid = 'id',
		tokenize = 'unicode61 remove_diacritics 2');
	INSERT INTO releases_fts (releases_fts) VALUES ('rebuild');
	CREATE TABLE releases_unindexed (id INTEGER PRIMARY KEY);`,
	// 7: tables looked up by a text key keep their rows in the key's index
	// (WITHOUT ROWID): one b-tree, not a table and an index with the key
	// twice.
	`CREATE TABLE release_keys_7 (
		key TEXT PRIMARY KEY,
		release_id INTEGER NOT NULL REFERENCES releases(id)
	) WITHOUT ROWID;
	INSERT INTO release_keys_7 (key, release_id) SELECT key, release_id FROM release_keys;
	DROP TABLE release_keys;
	ALTER TABLE release_keys_7 RENAME TO release_keys;
	CREATE TABLE http_cache_7 (
		url TEXT PRIMARY KEY,
		etag TEXT NOT NULL,
		last_modified TEXT NOT NULL,
		updated_at INTEGER NOT NULL
	) WITHOUT ROWID;
	INSERT INTO http_cache_7 (url, etag, last_modified, updated_at) SELECT url, etag, last_modified, updated_at FROM http_cache;
	DROP TABLE http_cache;
	ALTER TABLE http_cache_7 RENAME TO http_cache;
	CREATE TABLE missing_items_7 (
		url TEXT PRIMARY KEY,
		first_at INTEGER NOT NULL,
		count INTEGER NOT NULL
	) WITHOUT ROWID;
	INSERT INTO missing_items_7 (url, first_at, count) SELECT url, first_at, count FROM missing_items;
	DROP TABLE missing_items;
	ALTER TABLE missing_items_7 RENAME TO missing_items;`,
	// 8: an alert queued for many targets is kept once (alerts; queue.go),
	// each outbox row holding its target's matches; a delivered row keeps
	// no alert, and an alert goes with the delivery of its last row.
	// outbox.alert_id is no foreign key: nothing looks rows up by it.
	`CREATE TABLE alerts (
		id INTEGER PRIMARY KEY,
		release_id INTEGER NOT NULL REFERENCES releases(id),
		alert TEXT NOT NULL,
		waiting INTEGER NOT NULL
	);
	ALTER TABLE outbox ADD COLUMN alert_id INTEGER;
	ALTER TABLE outbox ADD COLUMN matches TEXT NOT NULL DEFAULT '';
	INSERT INTO alerts (id, release_id, alert, waiting)
		SELECT id, release_id, json_remove(alert, '$.matches'), 1 FROM outbox WHERE status != 'sent';
	UPDATE outbox SET alert_id = id, matches = coalesce(json_extract(alert, '$.matches'), '') WHERE status != 'sent';
	ALTER TABLE outbox DROP COLUMN alert;
	CREATE TRIGGER outbox_sent AFTER UPDATE OF status ON outbox
		WHEN old.status != 'sent' AND new.status = 'sent' AND old.alert_id IS NOT NULL
	BEGIN
		UPDATE alerts SET waiting = waiting - 1 WHERE id = old.alert_id;
		DELETE FROM alerts WHERE id = old.alert_id AND waiting <= 0;
	END;`,
	// 9: the search index merges its segments 8 at a time, not 4: about
	// 10% less CPU per saved release, a few more segments to read per
	// search.
	`INSERT INTO releases_fts (releases_fts, rank) VALUES ('automerge', 8);`,
	// 10: the releases first seen lately are found by an index: Recent
	// read first_seen, which lies past the release's text (overflow
	// pages), in every row of the source.
	`CREATE INDEX releases_first_seen ON releases(source, first_seen);`,
	// 11: old deliveries are pruned (prune.go): a deleted outbox row that
	// still holds its alert (a failed one) lets go of it as a delivered one
	// does (outbox_sent), and the alert goes with the last.
	`CREATE TRIGGER outbox_deleted AFTER DELETE ON outbox
		WHEN old.alert_id IS NOT NULL
	BEGIN
		UPDATE alerts SET waiting = waiting - 1 WHERE id = old.alert_id;
		DELETE FROM alerts WHERE id = old.alert_id AND waiting <= 0;
	END;`,
	// 12: releases_text without group_concat(… ORDER BY …), which needs
	// SQLite 3.44: the sqlite3 CLI of Debian 12 (3.40) refused the whole
	// schema. The paragraphs come in order from a subselect ordered by
	// their index, which group_concat keeps.
	`DROP VIEW releases_text;
	CREATE VIEW releases_text AS SELECT id, coalesce(json_extract(data, '$.title'), '') AS title,
		coalesce((SELECT group_concat(t, char(10)) FROM (WITH RECURSIVE p (i, t) AS (SELECT 0, json_extract(data, '$.body[0]')
				UNION ALL SELECT i + 1, json_extract(data, '$.body[' || (i + 1) || ']') FROM p WHERE t IS NOT NULL)
			SELECT t FROM p WHERE t IS NOT NULL ORDER BY i)), '') AS body
		FROM releases WHERE fingerprint != '';`,
}

// compactAfter is the last migration that leaves much of the file free:
// a file migrated past it is vacuumed once.
const compactAfter = 8

// SQLite is the embedded store: one file, WAL, numbered migrations.
// Its hot queries are prepared once, on first use (sqlite_stmts.go):
// database/sql prepares every other query anew at each call, and SQLite's
// parser costs more than running most of them.
type SQLite struct {
	sqlStore
	lock *os.File    // held while open (lock.go); nil in memory
	path string      // the file, for CheckFile
	file os.FileInfo // the file as opened; nil in memory
}

// OpenSQLite opens (creating if needed) the state file at path. ":memory:"
// gives a private in-memory store. A file that is not natowatch's, or not a
// database at all, is an error; it is never reset. A file that another
// process has open is waited for (lockWait), then ErrBusy.
func OpenSQLite(ctx context.Context, path string) (*SQLite, error) {
	if path == ":memory:" {
		return openSQLiteDSN(ctx, "file::memory:", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("state: %s is a directory", path)
	}
	lock, err := lockState(ctx, path, lockWait)
	if errors.Is(err, ErrBusy) {
		return nil, err // "state busy: …" names the file
	}
	if err != nil {
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath()
	checked, err := probe(ctx, path, dsn, time.Now())
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	s, err := openSQLiteDSN(ctx, dsn, path)
	if err != nil {
		lock.Close()
		return nil, err
	}
	s.lock, s.path = lock, path
	if s.file, err = os.Stat(path); err != nil {
		s.Close()
		return nil, fmt.Errorf("state: %w", err)
	}
	if checked {
		if _, err := s.Turn(ctx, quickCheckTurn, "open", time.Now(), quickCheckEvery); err != nil {
			s.Close()
			return nil, fmt.Errorf("state: %s: %w", path, err)
		}
	}
	if err := s.freeDeadClaims(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	return s, nil
}

// freeDeadClaims lets go of every claim in the file. With the lock held,
// no other process uses it: the claims are those of a process that died
// (SIGKILL, a crash), and their alerts go out now (same nonces), not when
// the claims run out.
func (s *SQLite) freeDeadClaims(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "UPDATE outbox SET claimed_by = '', claim_until = 0 WHERE status = 'pending' AND claimed_by != ''")
	if err != nil {
		return fmt.Errorf("free dead claims: %w", err)
	}
	return nil
}

func openSQLiteDSN(ctx context.Context, dsn, path string) (*SQLite, error) {
	q := "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn+q)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	// One connection: SQLite has one writer anyway, and this keeps an
	// in-memory database one database.
	db.SetMaxOpenConns(1)
	s := &SQLite{}
	s.init(db, false)
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database and lets go of its lock.
func (s *SQLite) Close() error {
	s.mu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	s.mu.Unlock()
	err := s.db.Close()
	if s.lock != nil {
		s.lock.Close() // the flock goes with the descriptor
	}
	return err
}

func (s *SQLite) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, len(migrations))
}

// migrateTo applies the migrations up to version to (tests make files of
// earlier versions with it).
func (s *SQLite) migrateTo(ctx context.Context, to int) error {
	version, err := checkOurs(ctx, s.db)
	if err != nil {
		return err
	}
	for v := version; v < to; v++ {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		// PRAGMA takes no parameters; both values are integers from this file.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d; PRAGMA application_id = %d", v+1, applicationID)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	if version > 0 && version < compactAfter && to >= compactAfter {
		// Give the space back once. Should it fail (a full disk), nothing
		// is lost: SQLite reuses the free pages.
		_, _ = s.db.ExecContext(ctx, "VACUUM")
	}
	return nil
}

// Backup writes a consistent copy of the database to path (VACUUM INTO).
func (s *SQLite) Backup(ctx context.Context, path string) error {
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	return nil
}

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func rollback(tx *sql.Tx, err error) error {
	if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
		return errors.Join(err, rerr)
	}
	return err
}
