package logsink

import (
	"context"
	"log/slog"
	"sort"

	"go.uber.org/zap/zapcore"
)

// ZapCore is a zapcore.Core that writes zap's entries (client-go's and
// the TiDB libraries', through pingcap/log) as records of slog's default
// logger at the time of writing, so that they follow -L, --log-file and
// --log-format like lightstream's own. enab says which entries are passed
// on at all; slog's handler then filters by its own level. attrs (key,
// value pairs) are added to every record.
func ZapCore(enab zapcore.LevelEnabler, attrs ...any) zapcore.Core {
	r := slog.Record{}
	r.Add(attrs...)
	c := &zapCore{LevelEnabler: enab}
	r.Attrs(func(a slog.Attr) bool { c.attrs = append(c.attrs, a); return true })
	return c
}

type zapCore struct {
	zapcore.LevelEnabler
	attrs []slog.Attr
}

func (c *zapCore) With(fields []zapcore.Field) zapcore.Core {
	n := *c
	n.attrs = append(append([]slog.Attr(nil), c.attrs...), zapAttrs(fields)...)
	return &n
}

func (c *zapCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *zapCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	ctx := context.Background()
	l := slog.Default()
	level := slogLevel(e.Level)
	if !l.Enabled(ctx, level) {
		return nil
	}
	r := slog.NewRecord(e.Time, level, e.Message, 0)
	r.AddAttrs(c.attrs...)
	if e.LoggerName != "" {
		r.AddAttrs(slog.String("logger", e.LoggerName))
	}
	r.AddAttrs(zapAttrs(fields)...)
	return l.Handler().Handle(ctx, r)
}

func (c *zapCore) Sync() error { return nil }

// slogLevel maps zap's levels onto slog's (DPanic and above are errors).
func slogLevel(l zapcore.Level) slog.Level {
	switch {
	case l <= zapcore.DebugLevel:
		return slog.LevelDebug
	case l == zapcore.InfoLevel:
		return slog.LevelInfo
	case l == zapcore.WarnLevel:
		return slog.LevelWarn
	}
	return slog.LevelError
}

// zapAttrs encodes zap fields as slog attributes, by key.
func zapAttrs(fields []zapcore.Field) []slog.Attr {
	if len(fields) == 0 {
		return nil
	}
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fields {
		f.AddTo(enc)
	}
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]slog.Attr, 0, len(keys))
	for _, k := range keys {
		attrs = append(attrs, slog.Any(k, enc.Fields[k]))
	}
	return attrs
}
