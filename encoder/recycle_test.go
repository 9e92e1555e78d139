package encoder

import (
	"errors"
	"testing"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
)

// Only the values of a write that succeeded go back for reuse, and no more
// than the free list holds.
func TestRecycle(t *testing.T) {
	free := make(chan []byte, 2)
	msgs := []kafkaio.Message{{Value: []byte("a")}, {Value: []byte("bb")}, {Value: []byte("ccc")}}
	recycle(free, msgs, errors.New("broker down"))
	if len(free) != 0 {
		t.Fatalf("a failed write recycled %d buffers", len(free))
	}
	recycle(free, msgs, nil)
	if len(free) != 2 {
		t.Fatalf("%d buffers recycled, want 2 (the list's room)", len(free))
	}
	for i := 0; i < 2; i++ {
		b := <-free
		if len(b) != 0 || cap(b) != cap(msgs[i].Value) {
			t.Errorf("buffer %d: len %d cap %d", i, len(b), cap(b))
		}
	}
}
