package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/natowatch/natowatch/notifier"
	"github.com/natowatch/natowatch/release"
)

const dryRunTarget = "dry-run"

// printer is the notifier of a dry run: each alert becomes one JSON line.
type printer struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (p *printer) Send(_ context.Context, _ notifier.Target, a release.Alert, _ string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b, err := json.Marshal(a)
	if err != nil {
		return "", err
	}
	if _, err := fmt.Fprintf(p.w, "%s\n", b); err != nil {
		return "", err
	}
	p.n++
	return fmt.Sprintf("dry-run-%d", p.n), nil
}

func (p *printer) Edit(context.Context, notifier.Target, string, release.Alert) error { return nil }

func (p *printer) Notice(context.Context, notifier.Target, string) error { return nil }
