package state

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/natowatch/natowatch/release"
)

// An alert queued for several targets (a release's fan-out) is stored
// once, in alerts, without its watch matches; each outbox row names its
// alert and holds its target's matches. alerts.waiting counts the rows not
// yet sent; a trigger on outbox (outbox_sent) counts down as rows are sent
// and deletes the alert after the last, so a delivered row keeps only what
// is read of it later (target, message id, status), and the store only the
// alerts of rows waiting or failed (FailedDeliveries shows their URL).

// The queue's statements: insert an alert returning its id (release_id,
// alert, waiting); insert an outbox row (release_id, version, target, kind,
// alert_id, matches, nonce, now) doing nothing on conflict; set an alert's
// waiting rows (id, waiting); delete an alert (id).
var (
	sqQueueAlert = shared(`INSERT INTO alerts (release_id, alert, waiting) VALUES (P1, P2, P3) RETURNING id`).hot()
	sqQueueRow   = shared(`INSERT INTO outbox (release_id, version, target, kind, alert_id, matches, nonce, next_at, created_at)
		VALUES (P1, P2, P3, P4, P5, P6, P7, P8, P8) ON CONFLICT (release_id, version, target) DO NOTHING`).hot()
	sqQueueWaiting = shared(`UPDATE alerts SET waiting = P2 WHERE id = P1`)
	sqQueueDrop    = shared(`DELETE FROM alerts WHERE id = P1`)
)

// queueAlert queues alert for release id and its recipients, in the
// release's transaction: the alert once, and an outbox row per recipient
// with its matches.
func queueAlert(ctx context.Context, c conn, id int64, alert *release.Alert, to []Recipient, now time.Time) error {
	if alert == nil || len(to) == 0 {
		return nil
	}
	common := *alert
	common.Matches = nil
	b, err := json.Marshal(common)
	if err != nil {
		return fmt.Errorf("state: save alert: %w", err)
	}
	var alertID int64
	if err := c.row(ctx, sqQueueAlert, id, string(b), len(to)).Scan(&alertID); err != nil {
		return fmt.Errorf("state: queue alert: %w", err)
	}
	queued := 0
	for _, r := range to {
		var matches string // "" for none
		if len(r.Matches) > 0 {
			m, err := json.Marshal(r.Matches)
			if err != nil {
				return fmt.Errorf("state: save alert: %w", err)
			}
			matches = string(m)
		}
		res, err := c.exec(ctx, sqQueueRow, id, alert.Version, r.Target.Key(), string(alert.Kind), alertID, matches, newNonce(), ms(now))
		if err != nil {
			return fmt.Errorf("state: queue alert: %w", err)
		}
		if k, err := res.RowsAffected(); err != nil || k > 0 {
			queued++
		}
	}
	// Rows queued already (a save done again) do not wait for it.
	switch {
	case queued == 0:
		_, err = c.exec(ctx, sqQueueDrop, alertID)
	case queued < len(to):
		_, err = c.exec(ctx, sqQueueWaiting, alertID, queued)
	}
	if err != nil {
		return fmt.Errorf("state: queue alert: %w", err)
	}
	return nil
}

// deliveryCols are the columns every delivery query selects of outbox (not
// aliased: SQLite's RETURNING takes no alias), for scanDeliveries.
const deliveryCols = `outbox.id, outbox.release_id, outbox.target, (SELECT alert FROM alerts WHERE alerts.id = outbox.alert_id),
	outbox.matches, outbox.nonce, outbox.attempts, outbox.created_at`

// scanDeliveries reads rows of deliveryCols.
func scanDeliveries(what string, rows *sql.Rows) ([]Delivery, error) {
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var (
			d       Delivery
			target  string
			alert   sql.NullString
			matches string
			created int64
		)
		if err := rows.Scan(&d.ID, &d.ReleaseID, &target, &alert, &matches, &d.Nonce, &d.Attempts, &created); err != nil {
			return nil, fmt.Errorf("state: %s: %w", what, err)
		}
		var err error
		if d.Target, err = release.ParseTarget(target); err != nil {
			return nil, fmt.Errorf("state: %s: delivery %d: %w", what, d.ID, err)
		}
		if err := json.Unmarshal([]byte(alert.String), &d.Alert); err != nil {
			return nil, fmt.Errorf("state: %s: delivery %d: corrupt alert: %w", what, d.ID, err)
		}
		if matches != "" {
			if err := json.Unmarshal([]byte(matches), &d.Alert.Matches); err != nil {
				return nil, fmt.Errorf("state: %s: delivery %d: corrupt matches: %w", what, d.ID, err)
			}
		}
		d.CreatedAt = fromMS(created)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: %s: %w", what, err)
	}
	return out, nil
}
