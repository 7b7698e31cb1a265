package state

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// This file holds PostgreSQL's Search (SQLite's is in sqlite_search.go).

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
	rows, err := pgQuery(ctx, s.db, `SELECT `+storedCols+`
		FROM releases_fts f JOIN releases r ON r.id = f.id,
			websearch_to_tsquery('natowatch_search', natowatch_fold($1)) AS q (q)
		WHERE f.doc @@ q.q
		ORDER BY ts_rank('{0, 0, 0.2, 1}', f.doc, q.q, 1) DESC, r.published DESC, r.id DESC LIMIT $2`, match, pgLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("state: search: %w", err)
	}
	stored, err := scanAll("search", rows, storedRow)
	if err != nil {
		return nil, err
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
