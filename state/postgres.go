package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Postgres is the store on a PostgreSQL database. It has the SQLite file's
// tables and semantics (times as BIGINT Unix milliseconds, the same unique
// keys and ON CONFLICT rules), its own numbered migrations recorded in
// natowatch_schema, and full-text search with PostgreSQL's text search.
type Postgres struct {
	sqlStore
}

// pgOptions are knobs for tests.
type pgOptions struct {
	noUnaccent bool // fold accents with translate() even where unaccent exists
	schema     int  // apply the migrations up to this one only (0: all)
}

// OpenPostgres connects to the PostgreSQL database that dsn names (a
// postgres:// URL or key=value pairs, as libpq takes them) and brings its
// schema up to date. natowatch's tables go in the current schema (the first
// of search_path: ?search_path=natowatch in the URL picks another); a schema
// that has tables but not natowatch's is ErrNotNatowatch, and is never
// changed.
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	return openPostgres(ctx, dsn, pgOptions{})
}

func openPostgres(ctx context.Context, dsn string, o pgOptions) (*Postgres, error) {
	cfg, err := pgx.ParseConfig(dsn) // its errors never show the password
	if err != nil {
		return nil, fmt.Errorf("state: postgres: %w", err)
	}
	where := fmt.Sprintf("postgres %s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Postgres{}
	s.init(db, true)
	if err := s.migrate(ctx, o); err != nil {
		db.Close()
		return nil, fmt.Errorf("state: %s: %w", where, err)
	}
	return s, nil
}

// Close closes the connections.
func (s *Postgres) Close() error { return s.db.Close() }

func (s *Postgres) migrate(ctx context.Context, o pgOptions) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := pgMigrate(ctx, tx, o); err != nil {
		return rollback(tx, err)
	}
	return tx.Commit()
}

// pgMigrate checks that the current schema is natowatch's (or empty) and
// applies the missing migrations, all in one transaction under an advisory
// lock, so two processes starting at once migrate once.
func pgMigrate(ctx context.Context, tx *sql.Tx, o pgOptions) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(applicationID)); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	var enc string
	if err := tx.QueryRowContext(ctx, `SHOW server_encoding`).Scan(&enc); err != nil {
		return fmt.Errorf("read encoding: %w", err)
	}
	if enc != "UTF8" {
		return fmt.Errorf("the database's encoding is %s; natowatch needs UTF8", enc)
	}
	var schema sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	if !schema.Valid {
		return errors.New("no schema to use: no schema of search_path exists")
	}
	var (
		has     bool
		tables  int
		comment string
	)
	err := tx.QueryRowContext(ctx, `SELECT to_regclass(quote_ident($1) || '.natowatch_schema') IS NOT NULL,
		coalesce(obj_description(to_regclass(quote_ident($1) || '.natowatch_schema'), 'pg_class'), ''),
		(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))`, schema.String).Scan(&has, &comment, &tables)
	if err != nil {
		return fmt.Errorf("read schema: %w", err)
	}
	version := 0
	switch {
	case !has && tables > 0:
		return fmt.Errorf("%w (schema %s has %d tables and no natowatch_schema)", ErrNotNatowatch, schema.String, tables)
	case !has: // a new database
		if _, err := tx.ExecContext(ctx, `CREATE TABLE natowatch_schema (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);
			COMMENT ON TABLE natowatch_schema IS '`+pgMarker+`'`); err != nil {
			return fmt.Errorf("create natowatch_schema: %w", err)
		}
	case comment != pgMarker:
		return fmt.Errorf("%w (schema %s has a natowatch_schema table that natowatch did not make)", ErrNotNatowatch, schema.String)
	default:
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM natowatch_schema`).Scan(&version); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
	}
	if version > len(pgMigrations) {
		return fmt.Errorf("database is from a newer natowatch (schema %d, this build knows %d)", version, len(pgMigrations))
	}
	to := len(pgMigrations)
	if o.schema > 0 {
		to = o.schema
	}
	for v := version; v < to; v++ {
		if err := pgMigrations[v](ctx, tx, o); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO natowatch_schema (version, applied_at) VALUES ($1, $2)`, v+1, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
	}
	return nil
}

// pgBackupTables are copied by Backup and Migrate, parents first; the
// search index, releases_fts, is made anew from the releases (SQLite) or
// from their text (PostgreSQL): see Migrate.
var pgBackupTables = []struct{ table, cols string }{
	{"sources", "name, first_check, last_check, last_success, last_error, failing_since, consecutive_ko"},
	{"http_cache", "url, etag, last_modified, updated_at"},
	{"releases", "id, source, url, published, fingerprint, version, data, first_seen, checked_at, lastmod, suspect"},
	{"release_keys", "key, release_id"},
	{"alerts", "id, release_id, alert, waiting"},
	{"outbox", "id, release_id, version, target, kind, alert_id, matches, nonce, status, attempts, next_at, last_error, message_id, created_at, sent_at"},
	{"missing_items", "url, first_at, count"},
	{"subscriptions", "id, guild_id, channel_id, types, watch, created_by, created_at"},
	{"watches", "guild_id, name, terms, exclude, role, created_by, created_at"},
	{"follows", "user_id, terms, created_at"},
	{"releases_fts", ""},
}

// Backup writes a consistent copy of the database to a new SQLite state
// file at path, which must not exist (as SQLite's VACUUM INTO): the copy
// opens with OpenSQLite, so a dry run can work on it.
func (s *Postgres) Backup(ctx context.Context, path string) (err error) {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("state: backup: %s already exists", path)
	}
	src, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	defer src.Rollback()
	dst, err := OpenSQLite(ctx, path)
	if err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	defer func() {
		if cerr := dst.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("state: backup: %w", cerr)
		}
		if err != nil {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(path + suffix)
			}
		}
	}()
	tx, err := dst.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	for _, t := range pgBackupTables {
		if t.table == "releases_fts" {
			// SQLite's index reads the text from the releases.
			if err := rebuildIndex(ctx, tx); err != nil {
				return rollback(tx, fmt.Errorf("state: backup: %w", err))
			}
			continue
		}
		if err := copyRows(ctx, src, tx, t.table, t.cols, t.cols, "", false); err != nil {
			return rollback(tx, fmt.Errorf("state: backup %s: %w", t.table, err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: backup: %w", err)
	}
	return nil
}

// pgConn is a database or a transaction.
type pgConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func pgExec(ctx context.Context, c pgConn, query string, args ...any) (sql.Result, error) {
	return c.ExecContext(ctx, query, pgArgs(args)...)
}

func pgQuery(ctx context.Context, c pgConn, query string, args ...any) (*sql.Rows, error) {
	return c.QueryContext(ctx, query, pgArgs(args)...)
}

func pgQueryRow(ctx context.Context, c pgConn, query string, args ...any) *sql.Row {
	return c.QueryRowContext(ctx, query, pgArgs(args)...)
}

// pgArgs makes strings acceptable to PostgreSQL, whose text can hold
// neither NUL nor invalid UTF-8 (SQLite keeps both as given): NUL is
// dropped and invalid bytes become U+FFFD, the same way on every write and
// lookup, so a key still finds what it saved.
func pgArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = pgText(v)
		case []string:
			c := make([]string, len(v))
			for j, s := range v {
				c[j] = pgText(s)
			}
			args[i] = c
		}
	}
	return args
}

func pgText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// pgLimit is a LIMIT with SQLite's meaning: a negative limit is none.
func pgLimit(n int) any {
	if n < 0 {
		return nil
	}
	return n
}
