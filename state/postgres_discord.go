package state

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// This file holds the PostgreSQL twins of discord.go. Text is sorted with
// COLLATE "C", byte by byte, as SQLite sorts it.

// Subscribe adds a subscription; the same one twice is one.
func (s *Postgres) Subscribe(ctx context.Context, sub Subscription, now time.Time) error {
	_, err := pgExec(ctx, s.db, `INSERT INTO subscriptions (guild_id, channel_id, types, watch, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel_id, types, watch) DO NOTHING`,
		sub.GuildID, sub.ChannelID, strings.Join(sub.Types, ","), sub.Watch, sub.CreatedBy, ms(now))
	if err != nil {
		return fmt.Errorf("state: subscribe: %w", err)
	}
	return nil
}

// Unsubscribe removes every subscription of a channel and says how many.
func (s *Postgres) Unsubscribe(ctx context.Context, channelID string) (int, error) {
	res, err := pgExec(ctx, s.db, `DELETE FROM subscriptions WHERE channel_id = $1`, channelID)
	if err != nil {
		return 0, fmt.Errorf("state: unsubscribe: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// Subscriptions lists a guild's subscriptions ("" for every guild's).
func (s *Postgres) Subscriptions(ctx context.Context, guildID string) ([]Subscription, error) {
	rows, err := pgQuery(ctx, s.db, `SELECT id, guild_id, channel_id, types, watch, created_by, created_at
		FROM subscriptions WHERE $1::text = '' OR guild_id = $1 ORDER BY id`, guildID)
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
func (s *Postgres) PutWatch(ctx context.Context, w Watch, now time.Time) error {
	terms, _ := json.Marshal(w.Terms)
	exclude, _ := json.Marshal(w.Exclude)
	_, err := pgExec(ctx, s.db, `INSERT INTO watches (guild_id, name, terms, exclude, role, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (guild_id, name) DO UPDATE SET terms = excluded.terms,
		exclude = excluded.exclude, role = excluded.role, created_by = excluded.created_by`,
		w.GuildID, w.Name, string(terms), string(exclude), w.Role, w.CreatedBy, ms(now))
	if err != nil {
		return fmt.Errorf("state: put watch: %w", err)
	}
	return nil
}

// DeleteWatch removes a server's watch, and the subscriptions filtered by
// it; it reports whether the watch existed.
func (s *Postgres) DeleteWatch(ctx context.Context, guildID, name string) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("state: delete watch: %w", err)
	}
	res, err := pgExec(ctx, tx, `DELETE FROM watches WHERE guild_id = $1 AND name = $2`, guildID, name)
	if err != nil {
		return false, rollback(tx, fmt.Errorf("state: delete watch: %w", err))
	}
	if _, err := pgExec(ctx, tx, `DELETE FROM subscriptions WHERE guild_id = $1 AND watch = $2`, guildID, name); err != nil {
		return false, rollback(tx, fmt.Errorf("state: delete watch: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("state: delete watch: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Watches lists a guild's watches ("" for every guild's).
func (s *Postgres) Watches(ctx context.Context, guildID string) ([]Watch, error) {
	rows, err := pgQuery(ctx, s.db, `SELECT guild_id, name, terms, exclude, role, created_by FROM watches
		WHERE $1::text = '' OR guild_id = $1 ORDER BY guild_id COLLATE "C", name COLLATE "C"`, guildID)
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
func (s *Postgres) PutFollow(ctx context.Context, f Follow, now time.Time) error {
	terms, _ := json.Marshal(f.Terms)
	_, err := pgExec(ctx, s.db, `INSERT INTO follows (user_id, terms, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET terms = excluded.terms`, f.UserID, string(terms), ms(now))
	if err != nil {
		return fmt.Errorf("state: follow: %w", err)
	}
	return nil
}

// DeleteFollow removes a member's follow; it reports whether there was one.
func (s *Postgres) DeleteFollow(ctx context.Context, userID string) (bool, error) {
	res, err := pgExec(ctx, s.db, `DELETE FROM follows WHERE user_id = $1`, userID)
	if err != nil {
		return false, fmt.Errorf("state: unfollow: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Follows lists every follow.
func (s *Postgres) Follows(ctx context.Context) ([]Follow, error) {
	rows, err := pgQuery(ctx, s.db, `SELECT user_id, terms FROM follows ORDER BY user_id COLLATE "C"`)
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
func (s *Postgres) ForgetGuild(ctx context.Context, guildID string) error {
	for _, q := range []string{`DELETE FROM subscriptions WHERE guild_id = $1`, `DELETE FROM watches WHERE guild_id = $1`} {
		if _, err := pgExec(ctx, s.db, q, guildID); err != nil {
			return fmt.Errorf("state: forget guild: %w", err)
		}
	}
	return nil
}

// ForgetChannel removes a deleted channel's subscriptions.
func (s *Postgres) ForgetChannel(ctx context.Context, channelID string) error {
	if _, err := pgExec(ctx, s.db, `DELETE FROM subscriptions WHERE channel_id = $1`, channelID); err != nil {
		return fmt.Errorf("state: forget channel: %w", err)
	}
	return nil
}

// pgHeadline marks the terms as SQLite's snippet() does, in at most 24
// words of the body.
const pgHeadline = `StartSel=**, StopSel=**, MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=1, FragmentDelimiter=" … "`

// Search finds stored releases by full text, best matches first. The query
// is taken as words (each must appear) and "quoted phrases", never as
// operators: the SQLite store's ftsQuery quotes every word, and
// websearch_to_tsquery reads quoted text as words only and never fails.
// Matches in the title weigh five times those in the body, as in SQLite.
func (s *Postgres) Search(ctx context.Context, query string, limit int) ([]SearchHit, error) {
	match, headline := pgSearchQueries(query)
	if match == "" {
		return nil, nil
	}
	rows, err := pgQuery(ctx, s.db, `SELECT `+pgStoredCols+`
		FROM releases_fts f JOIN releases r ON r.id = f.id,
			websearch_to_tsquery('natowatch_search', natowatch_fold($1)) AS q (q)
		WHERE f.doc @@ q.q
		ORDER BY ts_rank('{0, 0, 0.2, 1}', f.doc, q.q, 1) DESC, r.published DESC, r.id DESC LIMIT $2`, match, pgLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	stored, err := scanStoredRows(rows)
	if err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	if len(stored) == 0 {
		return nil, nil
	}
	out := make([]SearchHit, len(stored))
	for i, st := range stored {
		out[i].Stored = st
	}
	// Headlines of the hits' bodies, from the text as saved (the index
	// keeps none).
	bodies := make([]string, len(out))
	for i, h := range out {
		bodies[i] = strings.Join(h.Release.Body, "\n")
	}
	hl, err := pgQuery(ctx, s.db, `SELECT ts_headline('natowatch_search', natowatch_fold(t.b),
			websearch_to_tsquery('natowatch_search', natowatch_fold($2)), '`+pgHeadline+`')
		FROM unnest($1::text[]) WITH ORDINALITY AS t (b, n) ORDER BY t.n`, bodies, headline)
	if err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	defer hl.Close()
	for i := 0; hl.Next(); i++ {
		if i < len(out) {
			if err := hl.Scan(&out[i].Snippet); err != nil {
				return nil, fmt.Errorf("state: search: %w", err)
			}
		}
	}
	if err := hl.Err(); err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	return out, nil
}

// headlineWords bounds the query given to ts_headline, whose cost grows
// fast with the query's size (a thousand words: seconds, whatever the text).
const headlineWords = 16

// pgSearchQueries turns what a user typed into websearch_to_tsquery input:
// match is ftsQuery's quoted words and phrases, each once (a repeated word
// changes nothing but the cost); headline is match when it has at most
// headlineWords words, else any of its first headlineWords distinct words,
// which is enough to mark a snippet.
func pgSearchQueries(query string) (match, headline string) {
	var parts []string
	seen := map[string]bool{}
	for i, p := range strings.Split(ftsQuery(query), `"`) {
		if i%2 == 1 && !seen[p] {
			seen[p] = true
			parts = append(parts, `"`+p+`"`)
		}
	}
	match = strings.Join(parts, " ")
	words := strings.FieldsFunc(match, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
	if len(words) <= headlineWords {
		return match, match
	}
	var some []string
	seen = map[string]bool{}
	for _, w := range words {
		if w = strings.ToLower(w); !seen[w] && len(some) < headlineWords {
			seen[w] = true
			some = append(some, `"`+w+`"`)
		}
	}
	return match, strings.Join(some, " or ")
}
