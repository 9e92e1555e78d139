package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
)

// shutdownLogger forwards kfake's log lines to slog and, during Close,
// collects error lines: kfake's Close reports a failed final save only by
// logging it, and Close must return it.
type shutdownLogger struct {
	out *slog.Logger

	mu        sync.Mutex
	capturing bool
	errs      []error
}

func (l *shutdownLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	var sl slog.Level
	switch level {
	case kfake.LogLevelError:
		sl = slog.LevelError
	case kfake.LogLevelWarn:
		sl = slog.LevelWarn
	case kfake.LogLevelInfo:
		sl = slog.LevelInfo
	case kfake.LogLevelDebug:
		sl = slog.LevelDebug
	default:
		return
	}
	if sl == slog.LevelError {
		l.mu.Lock()
		if l.capturing {
			l.errs = append(l.errs, fmt.Errorf(format, args...))
		}
		l.mu.Unlock()
	}
	if l.out == nil || !l.out.Enabled(context.Background(), sl) {
		return
	}
	l.out.Log(context.Background(), sl, fmt.Sprintf(format, args...), "component", "broker")
}

func (l *shutdownLogger) startCapture() {
	l.mu.Lock()
	l.capturing = true
	l.mu.Unlock()
}

func (l *shutdownLogger) captured() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return nil
	}
	return fmt.Errorf("broker: close: %w", errors.Join(l.errs...))
}
