package writer

import "testing"

// Statement buffers are reused up to one per connection, and a buffer
// grown past maxPooledBuffer by a huge batch is dropped.
func TestStatementBuffers(t *testing.T) {
	w := &worker{buffers: make(chan []byte, 2)}
	if b := w.takeBuffer(); b != nil {
		t.Fatalf("empty pool gave %d bytes", cap(b))
	}
	w.putBuffer(make([]byte, 0, 1024))
	w.putBuffer(make([]byte, 0, maxPooledBuffer+1))
	w.putBuffer(make([]byte, 0, 2048))
	w.putBuffer(make([]byte, 0, 4096)) // the pool is full
	if len(w.buffers) != 2 {
		t.Fatalf("%d pooled, want 2", len(w.buffers))
	}
	if a, b := cap(w.takeBuffer()), cap(w.takeBuffer()); a != 1024 || b != 2048 {
		t.Errorf("pooled capacities %d, %d", a, b)
	}
}
