package storeserver

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"

	"google.golang.org/grpc"
)

// callCounter counts served calls by gRPC method, and BatchCommands
// entries by command, so tests and operators can see what clients use.
type callCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func (c *callCounter) add(name string) {
	c.mu.Lock()
	if c.n == nil {
		c.n = make(map[string]int64)
	}
	c.n[name]++
	c.mu.Unlock()
}

func (c *callCounter) snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// shortMethod turns "/pdpb.PD/GetRegion" into "pdpb.PD/GetRegion".
func shortMethod(full string) string { return strings.TrimPrefix(full, "/") }

func (c *callCounter) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	c.add(shortMethod(info.FullMethod))
	return h(ctx, req)
}

func (c *callCounter) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	c.add(shortMethod(info.FullMethod))
	return h(srv, ss)
}

// batchName names a BatchCommands entry: "tikvpb.Tikv/BatchCommands/Get".
func batchName(cmd any) string {
	name := fmt.Sprintf("%T", cmd)
	name = strings.TrimPrefix(name, "*tikvpb.BatchCommandsRequest_Request_")
	return "tikvpb.Tikv/BatchCommands/" + name
}

// Calls returns how many times each gRPC method (and each BatchCommands
// command) has been served since Open.
func (s *Server) Calls() map[string]int64 { return s.calls.snapshot() }
