// Package logsink holds slog handlers beside the text and JSON ones: a
// handler that hands each record as one line of text to a function (the
// status page's warnings, tests that assert what was logged) and a tee that
// sends records to several handlers.
package logsink

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// Func is a slog.Handler that renders each record of at least its level as
// "message key=value ..." and passes the line to its function.
type Func struct {
	level slog.Leveler
	fn    func(slog.Level, string)
	attrs []slog.Attr
	group string // prefix of the keys of later attributes ("a.b.")
}

// New returns a handler that passes records of level or above to fn.
func New(level slog.Leveler, fn func(level slog.Level, line string)) *Func {
	return &Func{level: level, fn: fn}
}

// Enabled implements slog.Handler.
func (h *Func) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle implements slog.Handler.
func (h *Func) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range h.attrs {
		writeAttr(&b, "", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	h.fn(r.Level, b.String())
	return nil
}

// WithAttrs implements slog.Handler.
func (h *Func) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		a.Key = h.group + a.Key
		n.attrs = append(n.attrs, a)
	}
	return &n
}

// WithGroup implements slog.Handler.
func (h *Func) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.group = h.group + name + "."
	return &n
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			writeAttr(b, p, g)
		}
		return
	}
	v := fmt.Sprint(a.Value.Any())
	if strings.ContainsAny(v, " =\"") || v == "" {
		v = fmt.Sprintf("%q", v)
	}
	fmt.Fprintf(b, " %s%s=%s", prefix, a.Key, v)
}

// Tee sends every record to each handler that is enabled for its level.
type Tee []slog.Handler

// Enabled implements slog.Handler.
func (t Tee) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

// Handle implements slog.Handler: the first error is returned, after every
// handler had the record.
func (t Tee) Handle(ctx context.Context, r slog.Record) error {
	var first error
	for _, h := range t {
		if !h.Enabled(ctx, r.Level) {
			continue
		}
		if err := h.Handle(ctx, r.Clone()); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// WithAttrs implements slog.Handler.
func (t Tee) WithAttrs(attrs []slog.Attr) slog.Handler {
	n := make(Tee, len(t))
	for i, h := range t {
		n[i] = h.WithAttrs(attrs)
	}
	return n
}

// WithGroup implements slog.Handler.
func (t Tee) WithGroup(name string) slog.Handler {
	n := make(Tee, len(t))
	for i, h := range t {
		n[i] = h.WithGroup(name)
	}
	return n
}
