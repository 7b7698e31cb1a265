package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Subscription is a channel that asked for alerts, with optional filters.
type Subscription struct {
	ID        int64
	GuildID   string
	ChannelID string
	Types     []string // release types; empty: all
	Watch     string   // a watch name; empty: every release
	CreatedBy string
	CreatedAt time.Time
}

// Watch is a server's watch: terms that mark matching alerts.
type Watch struct {
	GuildID   string
	Name      string
	Terms     []string
	Exclude   []string
	Role      string
	CreatedBy string
}

// Follow is a member's own watch, delivered by direct message.
type Follow struct {
	UserID string
	Terms  []string
}

// SearchHit is a release found by full-text search.
type SearchHit struct {
	Stored
	Snippet string // the best matching passage, terms in **bold**
}

var (
	sqSubscribe = shared(`INSERT INTO subscriptions (guild_id, channel_id, types, watch, created_by, created_at)
		VALUES (P1, P2, P3, P4, P5, P6) ON CONFLICT (channel_id, types, watch) DO NOTHING`)
	sqUnsubscribe   = shared(`DELETE FROM subscriptions WHERE channel_id = P1`)
	sqSubscriptions = query{
		sqlite: `SELECT id, guild_id, channel_id, types, watch, created_by, created_at
			FROM subscriptions WHERE ?1 = '' OR guild_id = ?1 ORDER BY id`,
		pg: `SELECT id, guild_id, channel_id, types, watch, created_by, created_at
			FROM subscriptions WHERE $1::text = '' OR guild_id = $1 ORDER BY id`,
	}.hot()
	sqPutWatch = shared(`INSERT INTO watches (guild_id, name, terms, exclude, role, created_by, created_at)
		VALUES (P1, P2, P3, P4, P5, P6, P7) ON CONFLICT (guild_id, name) DO UPDATE SET terms = excluded.terms,
		exclude = excluded.exclude, role = excluded.role, created_by = excluded.created_by`)
	sqDeleteWatch       = shared(`DELETE FROM watches WHERE guild_id = P1 AND name = P2`)
	sqDeleteWatchedSubs = shared(`DELETE FROM subscriptions WHERE guild_id = P1 AND watch = P2`)
	// Text is sorted byte by byte: SQLite's BINARY, PostgreSQL's "C".
	sqWatches = query{
		sqlite: `SELECT guild_id, name, terms, exclude, role, created_by FROM watches
			WHERE ?1 = '' OR guild_id = ?1 ORDER BY guild_id, name`,
		pg: `SELECT guild_id, name, terms, exclude, role, created_by FROM watches
			WHERE $1::text = '' OR guild_id = $1 ORDER BY guild_id COLLATE "C", name COLLATE "C"`,
	}.hot()
	sqPutFollow = shared(`INSERT INTO follows (user_id, terms, created_at) VALUES (P1, P2, P3)
		ON CONFLICT (user_id) DO UPDATE SET terms = excluded.terms`)
	sqDeleteFollow = shared(`DELETE FROM follows WHERE user_id = P1`)
	sqFollows      = query{
		sqlite: `SELECT user_id, terms FROM follows ORDER BY user_id`,
		pg:     `SELECT user_id, terms FROM follows ORDER BY user_id COLLATE "C"`,
	}.hot()
	sqForgetGuild = []query{
		shared(`DELETE FROM subscriptions WHERE guild_id = P1`),
		shared(`DELETE FROM watches WHERE guild_id = P1`),
	}
)

// Subscribe adds a subscription; the same one twice is one.
func (s *directoryStore) Subscribe(ctx context.Context, sub Subscription, now time.Time) error {
	return s.conn.do(ctx, "subscribe", sqSubscribe, sub.GuildID, sub.ChannelID, strings.Join(sub.Types, ","), sub.Watch, sub.CreatedBy, ms(now))
}

// Unsubscribe removes every subscription of a channel and says how many.
func (s *directoryStore) Unsubscribe(ctx context.Context, channelID string) (int, error) {
	res, err := s.conn.exec(ctx, sqUnsubscribe, channelID)
	if err != nil {
		return 0, fmt.Errorf("state: unsubscribe: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Subscriptions lists a guild's subscriptions ("" for every guild's).
func (s *directoryStore) Subscriptions(ctx context.Context, guildID string) ([]Subscription, error) {
	return queryAll(ctx, s.conn, "subscriptions", scanSubscription, sqSubscriptions, guildID)
}

func scanSubscription(rows *sql.Rows) (Subscription, error) {
	var (
		sub     Subscription
		types   string
		created int64
	)
	err := rows.Scan(&sub.ID, &sub.GuildID, &sub.ChannelID, &types, &sub.Watch, &sub.CreatedBy, &created)
	if types != "" {
		sub.Types = strings.Split(types, ",")
	}
	sub.CreatedAt = fromMS(created)
	return sub, err
}

// PutWatch adds or replaces a server's watch.
func (s *directoryStore) PutWatch(ctx context.Context, w Watch, now time.Time) error {
	terms, _ := json.Marshal(w.Terms)
	exclude, _ := json.Marshal(w.Exclude)
	return s.conn.do(ctx, "put watch", sqPutWatch, w.GuildID, w.Name, string(terms), string(exclude), w.Role, w.CreatedBy, ms(now))
}

// DeleteWatch removes a server's watch, and the subscriptions filtered by
// it; it reports whether the watch existed.
func (s *directoryStore) DeleteWatch(ctx context.Context, guildID, name string) (bool, error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return false, fmt.Errorf("state: delete watch: %w", err)
	}
	c := s.in(tx)
	res, err := c.exec(ctx, sqDeleteWatch, guildID, name)
	if err != nil {
		return false, rollback(tx, fmt.Errorf("state: delete watch: %w", err))
	}
	if _, err := c.exec(ctx, sqDeleteWatchedSubs, guildID, name); err != nil {
		return false, rollback(tx, fmt.Errorf("state: delete watch: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("state: delete watch: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Watches lists a guild's watches ("" for every guild's).
func (s *directoryStore) Watches(ctx context.Context, guildID string) ([]Watch, error) {
	return queryAll(ctx, s.conn, "watches", scanWatch, sqWatches, guildID)
}

func scanWatch(rows *sql.Rows) (Watch, error) {
	var (
		w              Watch
		terms, exclude string
	)
	if err := rows.Scan(&w.GuildID, &w.Name, &terms, &exclude, &w.Role, &w.CreatedBy); err != nil {
		return w, err
	}
	if err := json.Unmarshal([]byte(terms), &w.Terms); err != nil {
		return w, fmt.Errorf("watch %s/%s: corrupt terms: %w", w.GuildID, w.Name, err)
	}
	_ = json.Unmarshal([]byte(exclude), &w.Exclude)
	return w, nil
}

// PutFollow sets a member's follow.
func (s *directoryStore) PutFollow(ctx context.Context, f Follow, now time.Time) error {
	terms, _ := json.Marshal(f.Terms)
	return s.conn.do(ctx, "follow", sqPutFollow, f.UserID, string(terms), ms(now))
}

// DeleteFollow removes a member's follow; it reports whether there was one.
func (s *directoryStore) DeleteFollow(ctx context.Context, userID string) (bool, error) {
	res, err := s.conn.exec(ctx, sqDeleteFollow, userID)
	if err != nil {
		return false, fmt.Errorf("state: unfollow: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Follows lists every follow.
func (s *directoryStore) Follows(ctx context.Context) ([]Follow, error) {
	return queryAll(ctx, s.conn, "follows", func(rows *sql.Rows) (Follow, error) {
		var (
			f     Follow
			terms string
		)
		if err := rows.Scan(&f.UserID, &terms); err != nil {
			return f, err
		}
		if err := json.Unmarshal([]byte(terms), &f.Terms); err != nil {
			return f, fmt.Errorf("follow %s: corrupt terms: %w", f.UserID, err)
		}
		return f, nil
	}, sqFollows)
}

// ForgetGuild removes everything a guild set up (the bot was removed).
func (s *directoryStore) ForgetGuild(ctx context.Context, guildID string) error {
	for _, q := range sqForgetGuild {
		if err := s.conn.do(ctx, "forget guild", q, guildID); err != nil {
			return err
		}
	}
	return nil
}

// ForgetChannel removes a deleted channel's subscriptions.
func (s *directoryStore) ForgetChannel(ctx context.Context, channelID string) error {
	return s.conn.do(ctx, "forget channel", sqUnsubscribe, channelID)
}
