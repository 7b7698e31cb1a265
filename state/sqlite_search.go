package state

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// This file holds SQLite's Search (PostgreSQL's is in postgres_search.go).

// Search finds stored releases by full text, best matches first. The query
// is taken as words (each must appear), not as FTS syntax, so no input can
// break it.
func (s *SQLite) Search(ctx context.Context, query string, limit int) ([]SearchHit, error) {
	match := ftsQuery(query)
	if match == "" {
		return nil, nil
	}
	if err := s.catchUpIndex(ctx); err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, r.data, r.fingerprint, r.version, r.first_seen, r.checked_at, r.lastmod, r.suspect,
		snippet(releases_fts, 1, '**', '**', '…', 24)
		FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid
		WHERE releases_fts MATCH ? ORDER BY bm25(releases_fts, 5.0, 1.0), r.published DESC LIMIT ?`, match, limit)
	if err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var (
			h                          SearchHit
			data                       string
			firstSeen, checked, lastmo int64
		)
		if err := rows.Scan(&h.ID, &data, &h.Fingerprint, &h.Version, &firstSeen, &checked, &lastmo, &h.Suspect, &h.Snippet); err != nil {
			return nil, fmt.Errorf("state: search: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &h.Release); err != nil {
			return nil, fmt.Errorf("state: search: release %d: %w", h.ID, err)
		}
		h.FirstSeen, h.CheckedAt, h.LastMod = fromMS(firstSeen), fromMS(checked), fromMS(lastmo)
		out = append(out, h)
	}
	return out, rows.Err()
}

// ftsQuery turns free text into an FTS5 query of quoted words; a phrase in
// double quotes stays a phrase.
func ftsQuery(q string) string {
	var parts []string
	for i, chunk := range strings.Split(q, `"`) {
		chunk = strings.TrimSpace(chunk)
		if chunk == "" {
			continue
		}
		if i%2 == 1 { // inside quotes: a phrase
			parts = append(parts, `"`+strings.Join(strings.Fields(chunk), " ")+`"`)
			continue
		}
		for _, w := range strings.FieldsFunc(chunk, func(r rune) bool {
			return !(r == '-' || r == '\'' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r > 127)
		}) {
			parts = append(parts, `"`+w+`"`)
		}
	}
	return strings.Join(parts, " ")
}
