package store

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ErrUnavailable marks a store request that did not reach the store or
// whose answer was lost: the connection was refused or dropped (a store
// restarting), PD could not be reached. Whether the request took effect is
// unknown; a physical ingest is idempotent (the same pairs at a newer
// commit TS), so it is written again, as Lightning's local backend retries
// a region job after such errors. IsRetriable accepts it; ingest retries
// it for a longer time than other retriable errors (UnavailableRetryTime).
var ErrUnavailable = errors.New("store unavailable")

// unavailable wraps err with ErrUnavailable when it is a transport
// failure (gRPC Unavailable, or a deadline or cancellation that ctx did
// not cause); other errors are returned as they are.
func unavailable(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled, codes.Aborted:
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
	return err
}

// pdUnavailable wraps a PD client error with ErrUnavailable unless ctx
// ended: the PD client has already retried its members, so an error left
// means PD did not answer (it says so only in its own error kinds).
func pdUnavailable(ctx context.Context, err error) error {
	if err == nil || ctx.Err() != nil {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}
