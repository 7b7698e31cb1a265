package state

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FeedHead is what a feed's version is made of: a fetched release's id
// and version, and when that version was stored, without its text (which
// lies past the columns read here, on pages of its own).
type FeedHead struct {
	ID        int64
	Version   int
	Published time.Time // zero when unknown
	// Changed is when the current version was stored: when the release
	// was first seen, or when its latest correction was saved (then a
	// page read since that found the same text may have moved it later).
	Changed time.Time
}

var (
	// Walks the (source, published) index from its newest end: a feed's
	// version costs a few rows per entry, whatever the number of releases.
	sqFeedHeads = shared(feedHeadsRows).hot()
	// A feed's version, in one row per source: the same rows as
	// sqFeedHeads, folded inside the database (no row crosses database/sql).
	sqFeedVersion = query{
		sqlite: `SELECT coalesce(group_concat(id || ':' || version || ':' || changed, ','), ''), coalesce(max(changed), 0) FROM (` + placeholders(feedHeadsRows, "?") + `)`,
		pg:     `SELECT coalesce(string_agg(id || ':' || version || ':' || changed, ','), ''), coalesce(max(changed), 0) FROM (` + placeholders(feedHeadsRows, "$") + `) h`,
	}.hot()
	sqCountSince = shared(`SELECT count(*) FROM releases WHERE source = P1 AND published >= P2`).hot()
)

const feedHeadsRows = `SELECT id, version, published, CASE WHEN version > 1 THEN checked_at ELSE first_seen END AS changed
	FROM releases WHERE source = P1 AND fingerprint <> '' ORDER BY published DESC, id DESC LIMIT P2`

// maxFeedSources bounds how many sources one FeedHeads call reads.
const maxFeedSources = 100

// FeedHeads returns the newest n fetched releases of the named sources
// (by published time, then id), merged, without their text: one indexed
// query per source.
func (s *releaseStore) FeedHeads(ctx context.Context, sources []string, n int) ([]FeedHead, error) {
	if len(sources) > maxFeedSources {
		return nil, fmt.Errorf("state: feed heads: %d sources, at most %d", len(sources), maxFeedSources)
	}
	var out []FeedHead
	for _, src := range sources {
		rows, err := s.conn.rows(ctx, sqFeedHeads, src, n)
		if err != nil {
			return nil, fmt.Errorf("state: feed heads: %w", err)
		}
		for rows.Next() {
			var h FeedHead
			var pub, changed int64
			if err := rows.Scan(&h.ID, &h.Version, &pub, &changed); err != nil {
				rows.Close()
				return nil, fmt.Errorf("state: feed heads: %w", err)
			}
			h.Published, h.Changed = fromMS(pub), fromMS(changed)
			out = append(out, h)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("state: feed heads: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b FeedHead) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return out[:min(len(out), max(n, 0))], nil
}

// FeedVersion is what a 304 reads: a token that changes whenever the
// newest n fetched releases of any of the sources change (one is added, or
// corrected), and the latest time one of them was stored. It reads the
// rows FeedHeads reads, but returns one row per source.
func (s *releaseStore) FeedVersion(ctx context.Context, sources []string, n int) (string, time.Time, error) {
	if len(sources) > maxFeedSources {
		return "", time.Time{}, fmt.Errorf("state: feed version: %d sources, at most %d", len(sources), maxFeedSources)
	}
	var b strings.Builder
	var latest int64
	for _, src := range sources {
		var token string
		var changed int64
		if err := s.conn.row(ctx, sqFeedVersion, src, n).Scan(&token, &changed); err != nil {
			return "", time.Time{}, fmt.Errorf("state: feed version: %w", err)
		}
		b.WriteString(token)
		b.WriteByte(';')
		latest = max(latest, changed)
	}
	return b.String(), fromMS(latest), nil
}

// CountSince counts a source's releases published since t (from the
// index alone).
func (s *releaseStore) CountSince(ctx context.Context, source string, t time.Time) (int, error) {
	var n int
	if err := s.conn.row(ctx, sqCountSince, source, ms(t)).Scan(&n); err != nil {
		return 0, fmt.Errorf("state: count since: %w", err)
	}
	return n, nil
}
