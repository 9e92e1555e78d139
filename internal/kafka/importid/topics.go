package importid

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lightstream-io/lightstream/internal/kafka/kafkaio"
	"github.com/lightstream-io/lightstream/schemas"
)

// Import is one import found on a cluster: its id and its topics.
type Import struct {
	ID     string
	Topics []kafkaio.TopicInfo
}

// topicPrefix starts every lightstream topic name.
const topicPrefix = "ls--"

// List returns the imports whose topics the cluster holds, by id.
func List(ctx context.Context, cfg kafkaio.Config) ([]Import, error) {
	topics, err := kafkaio.ListTopics(ctx, cfg)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Import{}
	var ids []string
	for _, t := range topics {
		rest, ok := strings.CutPrefix(t.Name, topicPrefix)
		if !ok {
			continue
		}
		part, _, ok := strings.Cut(rest, "--")
		if !ok {
			continue
		}
		id, ok := unescape(part)
		if !ok {
			continue
		}
		imp := byID[id]
		if imp == nil {
			imp = &Import{ID: id}
			byID[id] = imp
			ids = append(ids, id)
		}
		imp.Topics = append(imp.Topics, t)
	}
	sort.Strings(ids)
	out := make([]Import, 0, len(ids))
	for _, id := range ids {
		out = append(out, *byID[id])
	}
	return out, nil
}

// unescape reverses schemas.TopicName's escaping of one part ("-2d" is
// '-'); ok is false for text TopicName never writes.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), true
}

// Topics returns the import's topics on the cluster.
func Topics(ctx context.Context, cfg kafkaio.Config, importID string) ([]kafkaio.TopicInfo, error) {
	topics, err := kafkaio.ListTopics(ctx, cfg)
	if err != nil {
		return nil, err
	}
	prefix := schemas.TopicPrefix(importID)
	var out []kafkaio.TopicInfo
	for _, t := range topics {
		if strings.HasPrefix(t.Name, prefix) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Deleted says what Delete removed.
type Deleted struct {
	Topics []string
	// Groups are the import's consumer groups the cluster knew (their
	// committed offsets are gone with them).
	Groups []string
}

// Delete deletes the import's topics and consumer groups. It refuses,
// with ErrGroupActive naming each group and its members, while any of the
// import's groups has members: an encoder or sorter still running would
// lose its topics under it. Deleting an import with no topics is not an
// error (Deleted is empty).
func Delete(ctx context.Context, cfg kafkaio.Config, importID string) (Deleted, error) {
	if err := Validate(importID); err != nil {
		return Deleted{}, err
	}
	groups, err := kafkaio.DescribeGroups(ctx, cfg, schemas.Groups(importID)...)
	if err != nil {
		return Deleted{}, err
	}
	var busy []string
	var known []string
	for _, g := range groups {
		if len(g.Members) > 0 {
			busy = append(busy, fmt.Sprintf("%s has %d member(s): %s", g.ID, len(g.Members), strings.Join(g.Members, ", ")))
		}
		if g.State != "Dead" && g.State != "" {
			known = append(known, g.ID)
		}
	}
	if len(busy) > 0 {
		return Deleted{}, fmt.Errorf("%w: import %s: %s; stop them first (encoders and sorters run until stopped)",
			ErrGroupActive, importID, strings.Join(busy, "; "))
	}
	topics, err := Topics(ctx, cfg, importID)
	if err != nil {
		return Deleted{}, err
	}
	var d Deleted
	for _, t := range topics {
		d.Topics = append(d.Topics, t.Name)
	}
	if err := kafkaio.DeleteTopics(ctx, cfg, d.Topics...); err != nil {
		return Deleted{}, fmt.Errorf("import %s: %w", importID, err)
	}
	if err := kafkaio.DeleteGroups(ctx, cfg, known...); err != nil {
		return d, fmt.Errorf("import %s: topics deleted, but: %w", importID, err)
	}
	d.Groups = known
	return d, nil
}
