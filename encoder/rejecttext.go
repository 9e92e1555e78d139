package encoder

import "encoding/json"

// RejectText records a row the target server refused (the logical
// backend's writers): its file, byte offset, the server's error and the
// row as sent, a one-element row of its SQL value tuple. It counts against
// the same limit as the encoders' rejects, once per row however often it
// is refused: the row is the index-th of the batch named batch (its chunk
// and sequence), since offset, for a Parquet row an estimate, may not
// tell two rows apart. false: over the limit.
func (r *RejectWriter) RejectText(batch string, index int, file string, offset int64, reason, row string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := rejectKey{file: file, batch: batch, row: int64(index)}
	if record, ok := r.admit(k); !record {
		return ok
	}
	b, _ := json.Marshal(rejectRecord{File: file, Offset: &offset, Reason: reason, Row: []*string{&row}})
	return r.recorded(k, b)
}
