package encoder

import "encoding/json"

// RejectText records a row the target server refused (the logical
// backend's writers): its file, byte offset, the server's error and the
// row as sent, a one-element row of its SQL value tuple. It counts against
// the same limit as the encoders' rejects; false: over the limit.
func (r *RejectWriter) RejectText(file string, offset int64, reason, row string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.count >= r.limit {
		return false
	}
	b, _ := json.Marshal(rejectRecord{File: file, Offset: &offset, Reason: reason, Row: []*string{&row}})
	r.w.Write(b)
	r.w.WriteByte('\n')
	if err := r.w.Flush(); err != nil {
		return false
	}
	r.count++
	return true
}
