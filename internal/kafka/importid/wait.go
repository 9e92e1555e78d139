package importid

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/schemas"
)

// DefaultWait is how long a member waits for its import to appear before
// it gives up (--wait-for-import): long enough for a compose or
// Kubernetes start, where the producer may come up after the members.
const DefaultWait = time.Minute

// pollInterval is how often a waiting member asks the brokers again.
const pollInterval = 250 * time.Millisecond

// Await returns once the import exists on the cluster: its manifests
// topic, which its producer creates before anything else, is there. It
// waits at most wait (a member started before the producer; 0 means
// DefaultWait), then fails with ErrNoImport naming the import, the topic
// and the brokers: a mistyped --import-id or a member pointed at the wrong
// Kafka stops at once instead of waiting for work that never comes. Then it
// waits, without bound, for the topics in then (the producer creates the
// others once it has planned the dump, which may take a while). A broker
// that does not answer yet is retried like a missing topic; a cancelled ctx
// returns its error.
func Await(ctx context.Context, cfg kafkaio.Config, importID string, wait time.Duration, then ...string) error {
	if wait <= 0 {
		wait = DefaultWait
	}
	manifests := schemas.Topic(importID, schemas.ManifestsSuffix)
	deadline := time.Now().Add(wait)
	var last error
	for {
		got, err := kafkaio.TopicPartitions(ctx, cfg, manifests)
		if err == nil && got[manifests] > 0 {
			break
		}
		last = err
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			why := ""
			if last != nil {
				why = fmt.Sprintf(" (last answer: %v)", last)
			}
			return fmt.Errorf("%w: import %s has no topic %s on %s after waiting %s%s: start its producer (or `lightstream import --import-id %s`) first, or check --import-id and --brokers",
				ErrNoImport, importID, manifests, strings.Join(cfg.Brokers, ","), wait, why, importID)
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return err
		}
	}
	for len(then) > 0 {
		got, err := kafkaio.TopicPartitions(ctx, cfg, then...)
		if err == nil && len(got) == len(then) {
			return nil
		}
		if err := sleep(ctx, pollInterval); err != nil {
			return err
		}
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
