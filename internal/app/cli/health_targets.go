package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/urfave/cli/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Targets of `lightstream health` besides the Kafka broker. A FROM scratch
// image has no shell, curl or nc, so container health checks
// (deploy/compose.yaml, deploy/k8s) call the binary itself.

func healthTargetFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "http", Usage: "URL that must answer GET with a 2xx status (repeatable), e.g. the import's --metrics-addr: http://127.0.0.1:9090/metrics"},
		&cli.StringSliceFlag{Name: "grpc", Usage: "host:port whose gRPC health service must report SERVING (repeatable), e.g. a `lightstream store` or PD address"},
		&cli.StringSliceFlag{Name: "tcp", Usage: "host:port that must accept a TCP connection (repeatable)"},
	}
}

// hasHealthTargets reports whether any non-broker target was given.
func hasHealthTargets(c *cli.Context) bool {
	return len(c.StringSlice("http"))+len(c.StringSlice("grpc"))+len(c.StringSlice("tcp")) > 0
}

// checkHealthTargets checks every --http, --grpc and --tcp target and
// returns the first failure; each success is reported on w.
func checkHealthTargets(ctx context.Context, c *cli.Context, w io.Writer) error {
	for _, u := range c.StringSlice("http") {
		if err := checkHTTP(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(w, "http ok: %s\n", u)
	}
	for _, addr := range c.StringSlice("grpc") {
		if err := checkGRPC(ctx, addr); err != nil {
			return err
		}
		fmt.Fprintf(w, "grpc ok: %s\n", addr)
	}
	for _, addr := range c.StringSlice("tcp") {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("health: tcp %s: %w", addr, err)
		}
		conn.Close()
		fmt.Fprintf(w, "tcp ok: %s\n", addr)
	}
	return nil
}

func checkHTTP(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("health: http %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: http %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("health: http %s: status %s", url, resp.Status)
	}
	return nil
}

// checkGRPC asks the standard gRPC health service (grpc.health.v1) for the
// server as a whole (empty service name).
func checkGRPC(ctx context.Context, addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("health: grpc %s: %w", addr, err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("health: grpc %s: %w", addr, err)
	}
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("health: grpc %s: status %s", addr, resp.GetStatus())
	}
	return nil
}
