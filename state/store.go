package state

import (
	"context"
	"strings"
	"time"
)

// Store is what both backends, SQLite and PostgreSQL, implement, with the
// same semantics: callers can hold either.
type Store interface {
	Lookup(ctx context.Context, keys []string) (*Stored, error)
	Recent(ctx context.Context, source string, since time.Time) ([]Page, error)
	Get(ctx context.Context, id int64) (*Stored, error)
	Latest(ctx context.Context, n int) ([]Stored, error)
	Save(ctx context.Context, p Put, now time.Time) (int64, error)
	Touch(ctx context.Context, id int64, pageURL string, v Validators, lastMod, now time.Time) error
	MarkSuspect(ctx context.Context, id int64, fingerprint string) error

	Validators(ctx context.Context, url string) (Validators, error)
	SaveValidators(ctx context.Context, url string, v Validators, now time.Time) error
	NoteMissing(ctx context.Context, url string, now time.Time) (first time.Time, count int, err error)
	ForgetMissing(ctx context.Context, url string) error

	Health(ctx context.Context, name string) (SourceHealth, error)
	RecordCheck(ctx context.Context, name string, now time.Time, cause string) (before SourceHealth, err error)

	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	Claim(ctx context.Context, holder string, now time.Time, limit int, lease time.Duration) ([]Delivery, error)
	Lead(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error)
	PendingBefore(ctx context.Context, target string, id int64) (bool, error)
	MarkSent(ctx context.Context, id int64, messageID string, now time.Time) error
	MarkRetry(ctx context.Context, id int64, cause string, next time.Time) error
	MarkFailed(ctx context.Context, id int64, cause string) error
	FirstMessage(ctx context.Context, releaseID int64, target string) (string, error)
	Outbox(ctx context.Context) (Counts, error)
	FailedDeliveries(ctx context.Context, limit int) ([]string, error)
	Targets(ctx context.Context, releaseID int64) ([]string, error)
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
