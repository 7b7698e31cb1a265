package state

import (
	"context"
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
	_, err := s.conn.exec(ctx, sqSubscribe, sub.GuildID, sub.ChannelID, strings.Join(sub.Types, ","), sub.Watch, sub.CreatedBy, ms(now))
	if err != nil {
		return fmt.Errorf("state: subscribe: %w", err)
	}
	return nil
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
	rows, err := s.conn.rows(ctx, sqSubscriptions, guildID)
	if err != nil {
		return nil, fmt.Errorf("state: subscriptions: %w", err)
	}
	defer rows.Close()
	var out []Subscription
	for rows.Next() {
		var (
			sub     Subscription
			types   string
			created int64
		)
		if err := rows.Scan(&sub.ID, &sub.GuildID, &sub.ChannelID, &types, &sub.Watch, &sub.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("state: subscriptions: %w", err)
		}
		if types != "" {
			sub.Types = strings.Split(types, ",")
		}
		sub.CreatedAt = fromMS(created)
		out = append(out, sub)
	}
	return out, rows.Err()
}

// PutWatch adds or replaces a server's watch.
func (s *directoryStore) PutWatch(ctx context.Context, w Watch, now time.Time) error {
	terms, _ := json.Marshal(w.Terms)
	exclude, _ := json.Marshal(w.Exclude)
	_, err := s.conn.exec(ctx, sqPutWatch, w.GuildID, w.Name, string(terms), string(exclude), w.Role, w.CreatedBy, ms(now))
	if err != nil {
		return fmt.Errorf("state: put watch: %w", err)
	}
	return nil
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
	rows, err := s.conn.rows(ctx, sqWatches, guildID)
	if err != nil {
		return nil, fmt.Errorf("state: watches: %w", err)
	}
	defer rows.Close()
	var out []Watch
	for rows.Next() {
		var (
			w              Watch
			terms, exclude string
		)
		if err := rows.Scan(&w.GuildID, &w.Name, &terms, &exclude, &w.Role, &w.CreatedBy); err != nil {
			return nil, fmt.Errorf("state: watches: %w", err)
		}
		if err := json.Unmarshal([]byte(terms), &w.Terms); err != nil {
			return nil, fmt.Errorf("state: watch %s/%s: corrupt terms: %w", w.GuildID, w.Name, err)
		}
		_ = json.Unmarshal([]byte(exclude), &w.Exclude)
		out = append(out, w)
	}
	return out, rows.Err()
}

// PutFollow sets a member's follow.
func (s *directoryStore) PutFollow(ctx context.Context, f Follow, now time.Time) error {
	terms, _ := json.Marshal(f.Terms)
	_, err := s.conn.exec(ctx, sqPutFollow, f.UserID, string(terms), ms(now))
	if err != nil {
		return fmt.Errorf("state: follow: %w", err)
	}
	return nil
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
	rows, err := s.conn.rows(ctx, sqFollows)
	if err != nil {
		return nil, fmt.Errorf("state: follows: %w", err)
	}
	defer rows.Close()
	var out []Follow
	for rows.Next() {
		var (
			f     Follow
			terms string
		)
		if err := rows.Scan(&f.UserID, &terms); err != nil {
			return nil, fmt.Errorf("state: follows: %w", err)
		}
		if err := json.Unmarshal([]byte(terms), &f.Terms); err != nil {
			return nil, fmt.Errorf("state: follow %s: corrupt terms: %w", f.UserID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ForgetGuild removes everything a guild set up (the bot was removed).
func (s *directoryStore) ForgetGuild(ctx context.Context, guildID string) error {
	for _, q := range sqForgetGuild {
		if _, err := s.conn.exec(ctx, q, guildID); err != nil {
			return fmt.Errorf("state: forget guild: %w", err)
		}
	}
	return nil
}

// ForgetChannel removes a deleted channel's subscriptions.
func (s *directoryStore) ForgetChannel(ctx context.Context, channelID string) error {
	if _, err := s.conn.exec(ctx, sqUnsubscribe, channelID); err != nil {
		return fmt.Errorf("state: forget channel: %w", err)
	}
	return nil
}
