package state

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/natowatch/natowatch/release"
)

// Store is what both backends, SQLite and PostgreSQL, implement, with the
// same semantics: callers can hold either.
type Store interface {
	Lookup(ctx context.Context, keys []string) (*Stored, error)
	Recent(ctx context.Context, source string, since time.Time) ([]Page, error)
	Get(ctx context.Context, id int64) (*Stored, error)
	Latest(ctx context.Context, n int) ([]Stored, error)
	Save(ctx context.Context, p Put, now time.Time) (int64, error)
	Touch(ctx context.Context, id int64, pageURL string, v release.Validators, lastMod, now time.Time) error
	MarkSuspect(ctx context.Context, id int64, fingerprint string) error

	Validators(ctx context.Context, url string) (release.Validators, error)
	SaveValidators(ctx context.Context, url string, v release.Validators, now time.Time) error
	NoteMissing(ctx context.Context, url string, now time.Time) (first time.Time, count int, err error)
	ForgetMissing(ctx context.Context, url string) error

	Health(ctx context.Context, name string) (SourceHealth, error)
	RecordCheck(ctx context.Context, name string, now time.Time, cause string) (before SourceHealth, err error)

	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	Claim(ctx context.Context, holder string, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	Unclaim(ctx context.Context, holder string, ids []int64) error
	Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	PendingBefore(ctx context.Context, target release.Target, id int64) (bool, error)
	MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error
	MarkRetry(ctx context.Context, id int64, cause string, next time.Time) error
	MarkFailed(ctx context.Context, id int64, cause string) error
	FirstMessage(ctx context.Context, releaseID int64, target release.Target) (string, error)
	Outbox(ctx context.Context) (Counts, error)
	FailedDeliveries(ctx context.Context, limit int) ([]string, error)
	Targets(ctx context.Context, releaseID int64) ([]release.Target, error)
	Prune(ctx context.Context, before time.Time) (Pruned, error)
	Turn(ctx context.Context, name, holder string, now time.Time, every time.Duration) (bool, error)

	Subscribe(ctx context.Context, sub Subscription, now time.Time) error
	Unsubscribe(ctx context.Context, channelID string) (int, error)
	Subscriptions(ctx context.Context, guildID string) ([]Subscription, error)
	PutWatch(ctx context.Context, w Watch, now time.Time) error
	DeleteWatch(ctx context.Context, guildID, name string) (bool, error)
	Watches(ctx context.Context, guildID string) ([]Watch, error)
	PutFollow(ctx context.Context, f Follow, now time.Time) error
	DeleteFollow(ctx context.Context, userID string) (bool, error)
	Follows(ctx context.Context) ([]Follow, error)
	ForgetGuild(ctx context.Context, guildID string) error
	ForgetChannel(ctx context.Context, channelID string) error
	Search(ctx context.Context, query string, limit int) ([]SearchHit, error)

	// Backup writes a consistent copy of the state to a new SQLite file
	// at path (which must not exist), whichever the backend.
	Backup(ctx context.Context, path string) error
	Close() error
}

var (
	_ Store = (*SQLite)(nil)
	_ Store = (*Postgres)(nil)
)

// Open opens the store that spec names: a postgres:// or postgresql:// URL
// selects PostgreSQL (OpenPostgres), anything else is a SQLite file path or
// ":memory:" (OpenSQLite).
func Open(ctx context.Context, spec string) (Store, error) {
	// Each branch returns a nil Store on error, not a nil pointer in one.
	if IsPostgres(spec) {
		s, err := OpenPostgres(ctx, spec)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	s, err := OpenSQLite(ctx, spec)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// IsPostgres reports whether spec names a PostgreSQL database rather than a
// SQLite file.
func IsPostgres(spec string) bool {
	for _, p := range []string{"postgres://", "postgresql://"} {
		if len(spec) >= len(p) && strings.EqualFold(spec[:len(p)], p) {
			return true
		}
	}
	return false
}

// Most Store methods differ between the backends only in the dialect of
// their statements: they are written once, as methods of sqlStore's parts,
// which both backends embed, and each statement is a query in both
// dialects. What a backend does its own way (Lookup, the search index in
// Save, Search, Prune, migrations, Backup) is a method of its own.

// sqlStore is the Store methods both backends share, by concern, each
// part on the same database.
type sqlStore struct {
	*database
	releaseStore   // releases.go, feeds.go
	validatorStore // validators.go
	healthStore    // sources.go
	outboxStore    // outbox.go
	directoryStore // subscriptions.go
	leaseStore     // replicas.go
}

type (
	releaseStore   struct{ *database }
	validatorStore struct{ *database }
	healthStore    struct{ *database }
	outboxStore    struct{ *database }
	directoryStore struct{ *database }
	leaseStore     struct{ *database }
)

func (s *sqlStore) init(db *sql.DB, pg bool) {
	d := &database{db: db, pg: pg}
	d.conn = d.in(nil)
	*s = sqlStore{d, releaseStore{d}, validatorStore{d}, healthStore{d}, outboxStore{d}, directoryStore{d}, leaseStore{d}}
}

// database is a backend's database and how to run statements on it.
type database struct {
	db   *sql.DB
	pg   bool // PostgreSQL, not SQLite
	conn conn // the database: in(nil)
	// stmts are SQLite's hot statements (sqlite_stmts.go), each prepared
	// on its first use; nil on PostgreSQL. Guarded by mu.
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// in runs statements in tx, or on the database when tx is nil.
func (s *database) in(tx *sql.Tx) conn {
	switch {
	case !s.pg:
		return conn{sqlite: sqliteConn{s: s, tx: tx}}
	case tx != nil:
		return conn{pg: tx}
	}
	return conn{pg: s.db}
}

// query is a statement in each backend's dialect.
type query struct{ sqlite, pg string }

// shared is a statement both backends write alike, with placeholders
// P1…P9 (see placeholders).
func shared(q string) query { return query{placeholders(q, "?"), placeholders(q, "$")} }

// placeholders writes P1…P9 as $1… (PostgreSQL) or ?1… (SQLite); or, for
// SQLite, as bare ? where P1, P2… come once each and in order: its driver
// binds those by position, without reading each parameter's name (a
// string per parameter and execution).
func placeholders(q, ph string) string {
	bare := ph == "?"
	next := byte('1')
	for i := 0; i+1 < len(q); i++ {
		if q[i] == 'P' && '1' <= q[i+1] && q[i+1] <= '9' {
			bare = bare && q[i+1] == next
			next++
			i++
		}
	}
	var b strings.Builder
	b.Grow(len(q))
	for i := 0; i < len(q); i++ {
		if q[i] == 'P' && i+1 < len(q) && '1' <= q[i+1] && q[i+1] <= '9' {
			b.WriteString(ph)
			if !bare {
				b.WriteByte(q[i+1])
			}
			i++
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// hot has SQLite prepare the statement once per store (see hot). Call it
// only in package-level variable declarations.
func (q query) hot() query {
	hot(q.sqlite)
	return q
}

// conn runs queries, in its backend's dialect, on a store's database or
// in a transaction of it: SQLite's hot statements prepared, PostgreSQL's
// text arguments made acceptable to it (pgArgs).
type conn struct {
	sqlite sqliteConn // on SQLite, also for its own statements
	pg     pgConn     // on PostgreSQL: the *sql.DB or *sql.Tx; nil on SQLite
}

// SQLite's calls stay concrete and PostgreSQL's get a copy of args, so
// that args does not escape: a caller's arguments stay on its stack (the
// values they box go to the driver, and to the heap, either way).

func (c conn) exec(ctx context.Context, q query, args ...any) (sql.Result, error) {
	if c.pg != nil {
		return c.pg.ExecContext(ctx, q.pg, pgArgs(slices.Clone(args))...)
	}
	return c.sqlite.ExecContext(ctx, q.sqlite, args...)
}

func (c conn) rows(ctx context.Context, q query, args ...any) (*sql.Rows, error) {
	if c.pg != nil {
		return c.pg.QueryContext(ctx, q.pg, pgArgs(slices.Clone(args))...)
	}
	return c.sqlite.QueryContext(ctx, q.sqlite, args...)
}

func (c conn) row(ctx context.Context, q query, args ...any) *sql.Row {
	if c.pg != nil {
		return c.pg.QueryRowContext(ctx, q.pg, pgArgs(slices.Clone(args))...)
	}
	return c.sqlite.QueryRowContext(ctx, q.sqlite, args...)
}

// do runs a statement that returns no rows; its error says what failed.
func (c conn) do(ctx context.Context, what string, q query, args ...any) error {
	if _, err := c.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("state: %s: %w", what, err)
	}
	return nil
}

// queryAll runs q and reads each row it returns with scan.
func queryAll[T any](ctx context.Context, c conn, what string, scan func(*sql.Rows) (T, error), q query, args ...any) ([]T, error) {
	rows, err := c.rows(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("state: %s: %w", what, err)
	}
	return scanAll(what, rows, scan)
}

// scanAll reads each row with scan, and closes rows; its errors say what
// was read.
func scanAll[T any](what string, rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("state: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: %s: %w", what, err)
	}
	return out, nil
}

// limit is a LIMIT's argument: a negative n is no limit, as in SQLite.
func (c conn) limit(n int) any {
	if c.pg != nil {
		return pgLimit(n)
	}
	return n
}
