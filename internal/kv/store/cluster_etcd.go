package store

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc"
)

// etcdTimeout bounds one safe-point read or write (client-go uses 5s for
// reads, tikv/safepoint.go).
const etcdTimeout = 5 * time.Second

// rewriteSafePointKV is client-go's EtcdSafePointKV for a cluster reached
// through RewriteAddr: its etcd client dials through the rewrite and does
// not auto-sync endpoints, which would replace the given PD addresses by
// the advertised member URLs the client cannot reach.
type rewriteSafePointKV struct {
	cli *clientv3.Client
}

func newRewriteSafePointKV(addrs []string, tlsConfig *tls.Config, rewrite func(string) string) (*rewriteSafePointKV, error) {
	eps := make([]string, len(addrs))
	for i, a := range addrs {
		// clientv3 takes host:port or URLs; strip the scheme so the
		// rewrite sees host:port like every other address.
		a = strings.TrimPrefix(strings.TrimPrefix(a, "http://"), "https://")
		eps[i] = rewrite(a)
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   eps,
		DialTimeout: etcdTimeout,
		TLS:         tlsConfig,
		DialOptions: []grpc.DialOption{grpc.WithContextDialer(rewriteDialer(rewrite))},
	})
	if err != nil {
		return nil, fmt.Errorf("etcd client %v: %w", eps, err)
	}
	return &rewriteSafePointKV{cli: cli}, nil
}

func (w *rewriteSafePointKV) Put(k, v string) error {
	ctx, cancel := context.WithTimeout(context.Background(), etcdTimeout)
	defer cancel()
	_, err := w.cli.Put(ctx, k, v)
	return err
}

func (w *rewriteSafePointKV) Get(k string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), etcdTimeout)
	defer cancel()
	resp, err := w.cli.Get(ctx, k)
	if err != nil {
		return "", err
	}
	if len(resp.Kvs) > 0 {
		return string(resp.Kvs[0].Value), nil
	}
	return "", nil
}

func (w *rewriteSafePointKV) GetWithPrefix(k string) ([]*mvccpb.KeyValue, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*etcdTimeout)
	defer cancel()
	resp, err := w.cli.Get(ctx, k, clientv3.WithPrefix())
	if err != nil {
		return nil, err
	}
	return resp.Kvs, nil
}

func (w *rewriteSafePointKV) Close() error { return w.cli.Close() }
