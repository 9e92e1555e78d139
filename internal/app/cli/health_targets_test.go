package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	urfavecli "github.com/urfave/cli/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func TestHealthTargets(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer bad.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	hs := health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	go srv.Serve(ln)
	defer srv.Stop()

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	cases := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--http", ok.URL}, ""},
		{[]string{"--http", bad.URL}, "503"},
		{[]string{"--tcp", ln.Addr().String()}, ""},
		{[]string{"--tcp", closedAddr}, "refused"},
		{[]string{"--grpc", ln.Addr().String()}, ""},
		{[]string{"--grpc", closedAddr}, "grpc"},
		{[]string{}, "nothing to check"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		app := NewApp()
		app.Writer, app.ErrWriter = &out, &errOut
		app.ExitErrHandler = func(*urfavecli.Context, error) {}
		err := app.RunContext(context.Background(), append([]string{"lightstream", "health", "--timeout", "2s"}, c.args...))
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%v: %v", c.args, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.wantErr)
		}
	}

	hs.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	if err := checkGRPC(context.Background(), ln.Addr().String()); err == nil || !strings.Contains(err.Error(), "NOT_SERVING") {
		t.Errorf("NOT_SERVING store: error %v", err)
	}
}
