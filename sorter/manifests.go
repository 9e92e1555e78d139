package sorter

import (
	"context"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/internal/kafka/topiclog"
	"github.com/lightstream-io/lightstream/internal/state/checkpoint"
	"github.com/lightstream-io/lightstream/schemas"
	"github.com/lightstream-io/lightstream/schemas/lsv1"
)

// LoadManifests reads the manifests topic until every table of the import
// is known, and returns them by KV topic.
func LoadManifests(ctx context.Context, cfg kafkaio.Config, importID string) (map[string]*lsv1.TableManifest, error) {
	byTable := map[string]*lsv1.TableManifest{}
	byTopic := map[string]*lsv1.TableManifest{}
	topic := schemas.Topic(importID, schemas.ManifestsSuffix)
	err := topiclog.Follow(ctx, cfg, topic, func(m kafkaio.Message) error {
		var mf lsv1.TableManifest
		if err := proto.Unmarshal(m.Value, &mf); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		byTable[checkpoint.Key(mf.Db, mf.Table)] = &mf
		byTopic[mf.KvTopic] = &mf
		if len(byTable) >= int(mf.TableCount) {
			return topiclog.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return byTopic, nil
}
