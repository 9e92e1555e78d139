package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestUnavailable: transport failures of a store request (the store
// killed or restarting) are marked ErrUnavailable and retriable; answers
// of a live store and the caller's own cancellation are not.
func TestUnavailable(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct {
		ctx  context.Context
		err  error
		want bool
	}{
		{live, status.Error(codes.Unavailable, "error reading from server: EOF"), true},
		{live, fmt.Errorf("close write stream: %w", status.Error(codes.Unavailable, "connection refused")), true},
		{live, status.Error(codes.DeadlineExceeded, "deadline"), true},
		{done, status.Error(codes.Canceled, "context canceled"), false},
		{live, status.Error(codes.InvalidArgument, "bad"), false},
		{live, errors.New("write: keys not sorted"), false},
	} {
		err := unavailable(c.ctx, c.err)
		if got := errors.Is(err, ErrUnavailable); got != c.want {
			t.Errorf("unavailable(%v) marked %v, want %v", c.err, got, c.want)
		}
		if got := IsRetriable(err); got != c.want {
			t.Errorf("IsRetriable(unavailable(%v)) = %v, want %v", c.err, got, c.want)
		}
	}
}
