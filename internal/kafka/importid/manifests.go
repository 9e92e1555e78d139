package importid

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// Manifests reads the import's manifests topic until every table of the
// import is known (each manifest says how many there are), and returns
// them by KV topic: what the sorter and writer groups consume.
func Manifests(ctx context.Context, cfg kafkaio.Config, importID string) (map[string]*lsv1.TableManifest, error) {
	tables := map[string]bool{}
	byTopic := map[string]*lsv1.TableManifest{}
	topic := schemas.Topic(importID, schemas.ManifestsSuffix)
	err := topiclog.Follow(ctx, cfg, topic, func(m kafkaio.Message) error {
		var mf lsv1.TableManifest
		if err := proto.Unmarshal(m.Value, &mf); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		tables[fmt.Sprintf("%q.%q", mf.Db, mf.Table)] = true
		byTopic[mf.KvTopic] = &mf
		if len(tables) >= int(mf.TableCount) {
			return topiclog.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return byTopic, nil
}
