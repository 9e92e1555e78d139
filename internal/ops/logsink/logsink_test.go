package logsink

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestFuncRendersMessageAndFields(t *testing.T) {
	var lines []string
	var levels []slog.Level
	log := slog.New(New(slog.LevelWarn, func(l slog.Level, s string) {
		levels = append(levels, l)
		lines = append(lines, s)
	})).With("role", "coordinator")
	log.Info("not kept")
	log.Warn("analyze failed", "table", "shop.orders", "err", errors.New("no such table"))
	log.WithGroup("engine").Error("full", "dir", "/tmp/e", slog.Group("quota", "bytes", 10))
	want := []string{
		`analyze failed role=coordinator table=shop.orders err="no such table"`,
		`full role=coordinator engine.dir=/tmp/e engine.quota.bytes=10`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if levels[0] != slog.LevelWarn || levels[1] != slog.LevelError {
		t.Errorf("levels %v", levels)
	}
}

func TestTeeSendsToEachEnabledHandler(t *testing.T) {
	var buf bytes.Buffer
	var warned []string
	log := slog.New(Tee{
		slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}),
		New(slog.LevelWarn, func(_ slog.Level, s string) { warned = append(warned, s) }),
	}).With("table", "d.t")
	log.Debug("dropped by both")
	log.Info("only the text handler")
	log.Warn("both")
	if got := strings.Count(buf.String(), "\n"); got != 2 || !strings.Contains(buf.String(), "table=d.t") {
		t.Errorf("text handler got %q", buf.String())
	}
	if len(warned) != 1 || warned[0] != "both table=d.t" {
		t.Errorf("func handler got %q", warned)
	}
}
