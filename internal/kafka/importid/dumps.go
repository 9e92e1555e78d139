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

// Dump names the dump an import's manifests came from.
type Dump struct {
	// Dir is the dump directory as its producer was given it.
	Dir string
	// ID is the digest of the import's plan (TableManifest.dump_id).
	ID string
}

// DumpOf returns the dump of a manifest.
func DumpOf(mf *lsv1.TableManifest) Dump { return Dump{Dir: mf.Dump, ID: mf.DumpId} }

func (d Dump) String() string {
	dir := d.Dir
	if dir == "" {
		dir = "(unnamed)"
	}
	if d.ID == "" {
		return dir
	}
	return fmt.Sprintf("%s (plan %s)", dir, d.ID)
}

// Same reports whether two manifests' dumps are one: the same plan
// digest. A manifest of an older build has none and is taken as
// matching.
func (d Dump) Same(o Dump) bool {
	return d.ID == "" || o.ID == "" || d.ID == o.ID
}

// OtherDumpError says which two dumps met under one import id.
func OtherDumpError(importID string, held, this Dump) error {
	return fmt.Errorf("%w: import %s: topic %s already holds the manifests of dump %s, and this is dump %s: give this import another --import-id, or delete the old one's topics (`lightstream topics delete --import-id %s`) once it is done",
		ErrOtherDump, importID, schemas.Topic(importID, schemas.ManifestsSuffix), held, this, importID)
}

// PublishedDumps reads the import's manifests topic as it is now (up to
// its end offset; a topic that does not exist holds nothing) and returns
// the dumps its manifests came from, in the order first seen.
func PublishedDumps(ctx context.Context, cfg kafkaio.Config, importID string) ([]Dump, error) {
	topic := schemas.Topic(importID, schemas.ManifestsSuffix)
	parts, err := kafkaio.TopicPartitions(ctx, cfg, topic)
	if err != nil {
		return nil, err
	}
	if parts[topic] == 0 {
		return nil, nil
	}
	end, err := topiclog.EndOffset(ctx, cfg, topic)
	if err != nil || end == 0 {
		return nil, err
	}
	var dumps []Dump
	err = topiclog.Follow(ctx, cfg, topic, func(m kafkaio.Message) error {
		var mf lsv1.TableManifest
		if err := proto.Unmarshal(m.Value, &mf); err != nil {
			return fmt.Errorf("%s offset %d: %w", topic, m.Offset, err)
		}
		d := DumpOf(&mf)
		known := false
		for _, k := range dumps {
			known = known || k == d
		}
		if !known {
			dumps = append(dumps, d)
		}
		if m.Offset+1 >= end {
			return topiclog.ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return dumps, nil
}

// CheckPublished fails with ErrOtherDump when the import's manifests topic
// holds manifests of a dump other than this one, or of two dumps.
func CheckPublished(ctx context.Context, cfg kafkaio.Config, importID string, this Dump) error {
	dumps, err := PublishedDumps(ctx, cfg, importID)
	if err != nil {
		return fmt.Errorf("import %s: read its manifests: %w", importID, err)
	}
	for _, d := range dumps {
		if !d.Same(this) {
			return OtherDumpError(importID, d, this)
		}
	}
	for i := 1; i < len(dumps); i++ {
		if !dumps[i].Same(dumps[0]) {
			return OtherDumpError(importID, dumps[0], dumps[i])
		}
	}
	return nil
}
