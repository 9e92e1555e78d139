package kafkaio

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/segmentio/kafka-go"
)

// IsRetriable reports whether an operation that failed with err may succeed
// if retried unchanged: transient Kafka error codes (leader moves, request
// timeouts, coordinator loading, rebalances), dropped or refused
// connections and network timeouts. Cancellation, caller deadlines,
// authentication/authorization failures, oversized messages and closed
// clients (io.EOF from a closed Reader) are not retriable. kafka.WriteErrors is retriable when every
// failed message is.
func IsRetriable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrClosedPipe) {
		return false
	}
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		failed := false
		for _, e := range we {
			if e == nil {
				continue
			}
			if !IsRetriable(e) {
				return false
			}
			failed = true
		}
		return failed
	}
	var mtl kafka.MessageTooLargeError
	if errors.As(err, &mtl) {
		return false
	}
	var ke kafka.Error
	if errors.As(err, &ke) {
		switch ke {
		case kafka.RebalanceInProgress, kafka.NotCoordinatorForGroup, kafka.GroupCoordinatorNotAvailable,
			kafka.GroupLoadInProgress, kafka.UnknownTopicOrPartition:
			// kafka-go marks these temporary too, but spell them out:
			// a group reader must retry through rebalances, and a
			// freshly created topic is briefly unknown.
			return true
		}
		return ke.Temporary()
	}
	// A bare io.EOF is what a closed kafka-go Reader returns, and
	// net.ErrClosed what our own closed connection returns: neither is
	// worth retrying.
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) // any other dial/read/write failure on a socket
}
