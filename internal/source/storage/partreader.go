package storage

import (
	"context"
	"io"
	"sync"
)

// partReader reads a byte range of an object as a sequence of ranged
// GETs of s.PartSize. A dispatcher goroutine starts the GET of each part
// in order and queues its result; the queue holds s.ReadAhead parts, so
// at most ReadAhead+1 parts are fetched or held ahead of the reader and
// memory stays bounded per open reader. Close stops the goroutines and
// waits for them.
type partReader struct {
	cancel context.CancelFunc
	queue  chan chan part
	wg     sync.WaitGroup
	cur    []byte
	err    error
}

type part struct {
	data []byte
	err  error
}

func newPartReader(ctx context.Context, s *S3, path, key string, start, end int64) *partReader {
	ctx, cancel := context.WithCancel(ctx)
	ahead := max(s.ReadAhead, 0)
	size := s.PartSize
	if size <= 0 {
		size = DefaultPartSize
	}
	r := &partReader{cancel: cancel, queue: make(chan chan part, ahead)}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(r.queue)
		for off := start; off < end; off += size {
			to := min(off+size, end)
			res := make(chan part, 1)
			select {
			case r.queue <- res:
			case <-ctx.Done():
				return
			}
			r.wg.Add(1)
			go func(off, to int64) {
				defer r.wg.Done()
				buf := make([]byte, to-off)
				n, err := s.getRange(ctx, path, key, off, to, buf)
				res <- part{data: buf[:n], err: err}
			}(off, to)
		}
	}()
	return r
}

func (r *partReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		res, ok := <-r.queue
		if !ok {
			r.err = io.EOF
			return 0, io.EOF
		}
		pt := <-res
		r.cur = pt.data
		if pt.err != nil {
			// Bytes fetched before the failure are not handed out: the
			// part is retried whole or the read fails.
			r.cur, r.err = nil, pt.err
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

func (r *partReader) Close() error {
	// The dispatcher waits on the queue or the context; fetchers write
	// into buffered channels: cancelling ends them all.
	r.cancel()
	r.wg.Wait()
	return nil
}
