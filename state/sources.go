package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

var (
	sqHealth  = shared(`SELECT first_check, last_check, last_success, last_error, failing_since, consecutive_ko FROM sources WHERE name = P1`).hot()
	sqCheckOK = shared(`INSERT INTO sources (name, first_check, last_check, last_success) VALUES (P1, P2, P2, P2)
		ON CONFLICT (name) DO UPDATE SET first_check = CASE WHEN sources.first_check = 0 THEN excluded.first_check ELSE sources.first_check END,
		last_check = excluded.last_check, last_success = excluded.last_success, last_error = '', failing_since = 0, consecutive_ko = 0`).hot()
	sqCheckKO = shared(`INSERT INTO sources (name, last_check, last_error, failing_since, consecutive_ko) VALUES (P1, P2, P3, P2, 1)
		ON CONFLICT (name) DO UPDATE SET last_check = excluded.last_check, last_error = excluded.last_error,
		failing_since = CASE WHEN sources.failing_since = 0 THEN excluded.failing_since ELSE sources.failing_since END,
		consecutive_ko = sources.consecutive_ko + 1`).hot()
)

// Health returns what is known of a source (zero values if never checked).
func (s *healthStore) Health(ctx context.Context, name string) (SourceHealth, error) {
	h := SourceHealth{Name: name}
	var first, last, ok, failing int64
	err := s.conn.row(ctx, sqHealth, name).
		Scan(&first, &last, &ok, &h.LastError, &failing, &h.ConsecutiveKO)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil
	}
	if err != nil {
		return h, fmt.Errorf("state: health: %w", err)
	}
	h.FirstCheck, h.LastCheck, h.LastSuccess, h.FailingSince = fromMS(first), fromMS(last), fromMS(ok), fromMS(failing)
	return h, nil
}

// RecordCheck records the outcome of a check (cause "" for success) and
// returns the source's health before it, so callers can report transitions.
func (s *healthStore) RecordCheck(ctx context.Context, name string, now time.Time, cause string) (before SourceHealth, err error) {
	before, err = s.Health(ctx, name)
	if err != nil {
		return before, err
	}
	if cause == "" {
		_, err = s.conn.exec(ctx, sqCheckOK, name, ms(now))
	} else {
		_, err = s.conn.exec(ctx, sqCheckKO, name, ms(now), cause)
	}
	if err != nil {
		return before, fmt.Errorf("state: record check: %w", err)
	}
	return before, nil
}
