package kafkaio

import (
	"context"
	"fmt"

	"github.com/segmentio/kafka-go"
)

// ClusterInfo is what a broker says of its cluster.
type ClusterInfo struct {
	// ID is the cluster id.
	ID string
	// Brokers is how many brokers the cluster has.
	Brokers int
}

// DescribeCluster asks the cluster for its id and brokers (a metadata
// request for no topic: the cheapest way to see that it answers).
func DescribeCluster(ctx context.Context, cfg Config) (ClusterInfo, error) {
	c, tr, err := cfg.client()
	if err != nil {
		return ClusterInfo{}, err
	}
	defer tr.CloseIdleConnections()
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{}})
	if err != nil {
		return ClusterInfo{}, fmt.Errorf("describe cluster: %w", err)
	}
	return ClusterInfo{ID: md.ClusterID, Brokers: len(md.Brokers)}, nil
}
