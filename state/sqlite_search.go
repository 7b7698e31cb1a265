package state

import (
	"context"
	"database/sql"
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
	rows, err := s.db.QueryContext(ctx, `SELECT `+storedCols+`,
		snippet(releases_fts, 1, '**', '**', '…', 24)
		FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid
		WHERE releases_fts MATCH ? ORDER BY bm25(releases_fts, 5.0, 1.0), r.published DESC LIMIT ?`, match, limit)
	if err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	return scanAll("search", rows, func(rows *sql.Rows) (SearchHit, error) {
		var h SearchHit
		st, err := scanStored(rows, &h.Snippet)
		if err != nil {
			return h, err
		}
		h.Stored = *st
		return h, nil
	})
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
