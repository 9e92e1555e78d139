package kafkaio

import (
	"context"
	"errors"
)

// WriteFunc writes messages and returns once they are delivered; a
// Writer's WriteMessages (RequiredAcks all) is one.
type WriteFunc func(ctx context.Context, msgs ...Message) error

// SendQueue lets one goroutine hand groups of messages to a writer
// goroutine through a bounded queue, so that producing overlaps with
// whatever makes the messages, while Close still tells the caller that
// everything sent was delivered.
//
// The writer takes every group that is waiting (up to depth) and writes
// them in one call, in the order they were sent: kafka-go then sends the
// partitions of that call in parallel and keeps each partition's messages
// in order, so a queue that falls behind catches up with one round trip
// per partition instead of one per group, and one writer goroutine keeps
// the order of a partition's messages. Memory stays bounded: at most depth
// groups wait and at most depth are being written.
//
// A SendQueue belongs to one goroutine: Send and Close must not be called
// concurrently.
type SendQueue struct {
	queue  chan []Message
	depth  int
	ctx    context.Context // cancelled when the writer stops
	cancel context.CancelFunc
	done   chan struct{}
	err    error // the write that failed, read after done is closed
	closed bool
}

// NewSendQueue starts the writer goroutine; depth (at least 1) bounds the
// groups waiting and the groups written by one call. Writes run under a
// context derived from ctx. Close the queue to stop the goroutine.
func NewSendQueue(ctx context.Context, depth int, write WriteFunc) *SendQueue {
	depth = max(depth, 1)
	wctx, cancel := context.WithCancel(ctx)
	q := &SendQueue{queue: make(chan []Message, depth), depth: depth, ctx: wctx, cancel: cancel, done: make(chan struct{})}
	go q.run(write)
	return q
}

func (q *SendQueue) run(write WriteFunc) {
	defer close(q.done)
	defer q.cancel()
	var call []Message
	for msgs := range q.queue {
		call = append(call[:0], msgs...)
	take: // whatever else is waiting, without waiting for more
		for n := 1; n < q.depth; n++ {
			select {
			case more, ok := <-q.queue:
				if !ok {
					break take
				}
				call = append(call, more...)
			default:
				break take
			}
		}
		if err := write(q.ctx, call...); err != nil {
			q.err = err
			q.cancel()
			// Drain so that Send never blocks on a dead writer.
			for range q.queue {
			}
			return
		}
		clear(call) // the written values are garbage now
	}
}

// Send queues one group of messages, blocking while depth groups wait.
// After a write failed, or once ctx ended, it closes the queue and returns
// an error; nil does not mean delivered, only Close says that.
func (q *SendQueue) Send(msgs ...Message) error {
	if q.closed {
		return errors.New("kafka send queue: send after close")
	}
	select {
	case q.queue <- msgs:
		return nil
	case <-q.ctx.Done():
		if err := q.Close(); err != nil {
			return err
		}
		// ctx ended while the writer was idle: the group is not sent.
		return q.ctx.Err()
	}
}

// Close waits until every group sent so far is written and returns the
// first write error (a cancelled ctx is one). It may be called again and
// returns the same result.
func (q *SendQueue) Close() error {
	if !q.closed {
		q.closed = true
		close(q.queue)
	}
	<-q.done
	return q.err
}
