package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/segmentio/kafka-go"
)

// GroupInfo is one consumer group as its coordinator describes it.
type GroupInfo struct {
	ID string
	// State is the group's state ("Stable", "Empty", "Dead", ...); a group
	// the cluster never heard of is "Dead" with no members.
	State string
	// Members are the group's member ids with their client hosts
	// ("member-id@host").
	Members []string
}

// DescribeGroups describes the named consumer groups, in the order asked.
func DescribeGroups(ctx context.Context, cfg Config, ids ...string) ([]GroupInfo, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	c, tr, err := cfg.client()
	if err != nil {
		return nil, err
	}
	defer tr.CloseIdleConnections()
	resp, err := c.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: ids})
	if err != nil {
		return nil, fmt.Errorf("describe groups: %w", err)
	}
	byID := make(map[string]GroupInfo, len(resp.Groups))
	for _, g := range resp.Groups {
		if g.Error != nil && !errors.Is(g.Error, kafka.GroupIdNotFound) {
			return nil, fmt.Errorf("describe group %s: %w", g.GroupID, g.Error)
		}
		info := GroupInfo{ID: g.GroupID, State: g.GroupState}
		for _, m := range g.Members {
			info.Members = append(info.Members, m.MemberID+"@"+m.ClientHost)
		}
		sort.Strings(info.Members)
		byID[g.GroupID] = info
	}
	out := make([]GroupInfo, 0, len(ids))
	for _, id := range ids {
		info, ok := byID[id]
		if !ok {
			info = GroupInfo{ID: id, State: "Dead"}
		}
		out = append(out, info)
	}
	return out, nil
}

// DeleteGroups deletes the named consumer groups (their committed
// offsets); groups that do not exist are not an error. A group with
// members cannot be deleted (Kafka's NON_EMPTY_GROUP).
func DeleteGroups(ctx context.Context, cfg Config, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	c, tr, err := cfg.client()
	if err != nil {
		return err
	}
	defer tr.CloseIdleConnections()
	resp, err := c.DeleteGroups(ctx, &kafka.DeleteGroupsRequest{GroupIDs: ids})
	if err != nil {
		return fmt.Errorf("delete groups: %w", err)
	}
	var errs []error
	for _, id := range ids {
		e := resp.Errors[id]
		if e != nil && !errors.Is(e, kafka.GroupIdNotFound) {
			errs = append(errs, fmt.Errorf("delete group %s: %w", id, e))
		}
	}
	return errors.Join(errs...)
}
