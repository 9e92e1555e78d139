package logsink

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// TestZapCoreWritesToSlog: zap entries become records of slog's default
// logger, with the core's attributes, the logger's fields and the entry's
// own; zap's level and slog's both filter.
func TestZapCoreWritesToSlog(t *testing.T) {
	var lines []string
	old := slog.Default()
	defer slog.SetDefault(old)
	slog.SetDefault(slog.New(New(slog.LevelInfo, func(l slog.Level, s string) { lines = append(lines, l.String()+" "+s) })))

	level := zap.NewAtomicLevelAt(zapcore.InfoLevel)
	z := zap.New(ZapCore(level, "component", "client-go")).With(zap.String("store", "tikv-1"))
	z.Debug("dropped by zap's level")
	z.Info("region cache", zap.Uint64("region", 7))
	z.Warn("slow tso", zap.Duration("took", 0))
	z.Error("send request", zap.Error(errors.New("connection refused")))
	level.SetLevel(zapcore.ErrorLevel)
	z.Warn("dropped once the level is raised")

	want := []string{
		"INFO region cache component=client-go store=tikv-1 region=7",
		"WARN slow tso component=client-go store=tikv-1 took=0s",
		`ERROR send request component=client-go store=tikv-1 error="connection refused"`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
