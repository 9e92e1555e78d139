package kafkaio

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// errReaderClosed is what a closed partition reader's dials fail with.
var errReaderClosed = errors.New("kafka reader closed")

// readerConns keeps the connections one partition reader (or group
// member: ConsumerGroup.Close) dialled, so that
// closing the reader can cut its fetch in flight. kafka-go's Reader.Close
// cancels the reader and then waits for its fetch to return, and a fetch
// at the end of a partition is held by the broker for MaxWait: without
// this, every Close of a caught-up reader (a control topic read to its
// end, a sorter's claim done with its partition, every claim at a
// rebalance) waited MaxWait for nothing.
type readerConns struct {
	timeout time.Duration
	mu      sync.Mutex
	closed  bool
	conns   map[net.Conn]time.Time // when each was dialled
}

func newReaderConns(timeout time.Duration) *readerConns {
	return &readerConns{timeout: timeout, conns: map[net.Conn]time.Time{}}
}

// dial is the reader's kafka.Dialer.DialFunc.
func (s *readerConns) dial(ctx context.Context, network, address string) (net.Conn, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errReaderClosed
	}
	c, err := (&net.Dialer{Timeout: s.timeout, KeepAlive: 30 * time.Second}).DialContext(ctx, network, address)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		c.Close()
		return nil, errReaderClosed
	}
	if s.conns == nil {
		s.conns = map[net.Conn]time.Time{}
	}
	s.conns[c] = time.Now()
	return &trackedConn{Conn: c, s: s}, nil
}

// closeAll closes every open connection and fails later dials.
func (s *readerConns) closeAll() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cut()
}

// cut closes every open connection (later dials still succeed).
func (s *readerConns) cut() { s.cutOlder(0) }

// cutOlder closes the open connections dialled at least age ago (later
// dials still succeed).
func (s *readerConns) cutOlder(age time.Duration) {
	now := time.Now()
	var old []net.Conn
	s.mu.Lock()
	for c, at := range s.conns {
		if now.Sub(at) >= age {
			old = append(old, c)
			delete(s.conns, c)
		}
	}
	s.mu.Unlock()
	for _, c := range old {
		c.Close()
	}
}

// trackedConn leaves its reader's set when closed.
type trackedConn struct {
	net.Conn
	s *readerConns
}

func (c *trackedConn) Close() error {
	c.s.mu.Lock()
	delete(c.s.conns, c.Conn)
	c.s.mu.Unlock()
	return c.Conn.Close()
}
