package containers

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

func TestMain(m *testing.M) {
	// No reaper container (its image cannot be pulled here): every test
	// removes what it started, and .ci/run sweeps leftovers by the
	// org.testcontainers label.
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	code := m.Run()
	removeBuiltImage()
	os.Exit(code)
}

var (
	imageOnce  sync.Once
	imageName  string
	imageBuilt bool
	imageErr   error
)

// lightstreamImage returns the image to test: $LIGHTSTREAM_IMAGE, or one
// built once per run from deploy/Dockerfile around a static binary built
// from the repository.
func lightstreamImage(t testing.TB) string {
	t.Helper()
	skipWithoutDocker(t)
	imageOnce.Do(func() {
		if img := os.Getenv("LIGHTSTREAM_IMAGE"); img != "" {
			imageName = img
			return
		}
		imageName, imageErr = buildImage(repoRoot(t))
		imageBuilt = imageErr == nil
	})
	if imageErr != nil {
		t.Fatalf("build image: %v", imageErr)
	}
	return imageName
}

// skipWithoutDocker skips when no Docker daemon answers.
func skipWithoutDocker(t testing.TB) {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		t.Skipf("Docker is not available: %v", err)
	}
	cli.Close()
}

func buildImage(root string) (string, error) {
	dir, err := os.MkdirTemp("", "lightstream-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	// The same command as scripts/build-image.sh, into a private context so
	// that a concurrent deploy/lightstream is never half-written.
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "lightstream"), "./cmd/lightstream")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	df, err := os.ReadFile(filepath.Join(root, "deploy", "Dockerfile"))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		return "", err
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", err
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	return p.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: "lightstream-test", Tag: randomSuffix(),
	}})
}

func removeBuiltImage() {
	if !imageBuilt {
		return
	}
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	if err != nil {
		return
	}
	defer cli.Close()
	_, _ = cli.ImageRemove(context.Background(), imageName, client.ImageRemoveOptions{Force: true, PruneChildren: true})
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cluster is one deployment under test, as deploy/compose.yaml runs it: a
// private network, a broker, a store (`lightstream store`, reached through
// PD), a coordinator, a producer and scalable encoders and sorters.
type cluster struct {
	t           testing.TB
	image       string
	net         *testcontainers.DockerNetwork
	dump        string
	work        string // the coordinator's work volume
	brokerData  string // the broker's data volume (survives a restart)
	broker      testcontainers.Container
	store       testcontainers.Container
	coordinator testcontainers.Container
	producer    testcontainers.Container
	encoders    []testcontainers.Container
	sorters     []testcontainers.Container
	killed      map[string]bool // ids of containers the test killed
	// restartsOK: a role container restarted by its restart policy is
	// expected (a broker outage), not a failure.
	restartsOK bool
	docker     *testcontainers.DockerClient
}

// newCluster starts the network, the broker and the store.
func newCluster(t testing.TB, dump string) *cluster {
	t.Helper()
	img := lightstreamImage(t)
	ctx := context.Background()
	nw, err := network.New(ctx)
	if err != nil {
		t.Fatalf("network: %v", err)
	}
	testcontainers.CleanupNetwork(t, nw)
	dockerCli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sfx := randomSuffix()
	c := &cluster{t: t, image: img, net: nw, dump: dump, docker: dockerCli,
		work: "lightstream-test-work-" + sfx, brokerData: "lightstream-test-broker-" + sfx}
	// The volumes carry the label the CI sweep looks for.
	for _, v := range []string{c.work, c.brokerData} {
		if _, err := dockerCli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: v, Labels: testcontainers.GenericLabels()}); err != nil {
			t.Fatalf("volume: %v", err)
		}
	}
	// Cleanups run last-in first-out: the volumes go after the containers.
	t.Cleanup(func() {
		for _, v := range []string{c.work, c.brokerData} {
			_, _ = dockerCli.VolumeRemove(context.Background(), v, client.VolumeRemoveOptions{Force: true})
		}
		dockerCli.Close()
	})
	c.broker = c.start("broker", []string{"broker"}, testcontainers.Mounts(testcontainers.VolumeMount(c.brokerData, "/data")),
		testcontainers.WithCmd("broker", "--listen=0.0.0.0:9092", "--advertise=broker:9092", "--data-dir=/data", "--partitions=8"),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health", "--broker", "127.0.0.1:9092"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
	c.store = c.start("store", []string{"store"}, nil,
		testcontainers.WithCmd("store", "--data-dir=/data", "--addr=0.0.0.0:2379", "--advertise=store:2379"),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health", "--grpc", "127.0.0.1:2379"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
	return c
}

// start runs a container of the image on the cluster's network.
func (c *cluster) start(name string, aliases []string, mounts testcontainers.ContainerMounts, opts ...testcontainers.ContainerCustomizer) testcontainers.Container {
	c.t.Helper()
	all := []testcontainers.ContainerCustomizer{
		network.WithNetwork(aliases, c.net),
		// Every role of the import reads its id from the environment, as
		// compose and Kubernetes set it.
		testcontainers.WithEnv(map[string]string{"LIGHTSTREAM_BROKERS": "broker:9092", "LIGHTSTREAM_IMPORT_ID": "containers"}),
	}
	if len(mounts) > 0 {
		all = append(all, testcontainers.WithMounts(mounts...))
	}
	all = append(all, opts...)
	ctr, err := testcontainers.Run(context.Background(), c.image, all...)
	testcontainers.CleanupContainer(c.t, ctr)
	if err != nil {
		c.t.Fatalf("start %s: %v%s", name, err, logsOf(ctr))
	}
	return ctr
}

func (c *cluster) dumpMount() testcontainers.ContainerMount {
	return testcontainers.ContainerMount{Source: testcontainers.GenericBindMountSource{HostPath: c.dump}, Target: "/dump", ReadOnly: true}
}

func (c *cluster) workMount() testcontainers.ContainerMount {
	return testcontainers.VolumeMount(c.work, "/work")
}

// startCoordinator runs the coordinator against the store through PD and
// waits until its metrics answer (published on the host's loopback).
func (c *cluster) startCoordinator() {
	c.t.Helper()
	c.coordinator = c.start("coordinator", []string{"coordinator"}, testcontainers.Mounts(c.workMount()),
		testcontainers.WithCmd("coordinator", "--pd=store:2379", "--work-dir=/work", "--metrics-addr=0.0.0.0:9090"),
		testcontainers.WithExposedPorts("9090/tcp"),
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			p, _ := mobynet.ParsePort("9090/tcp")
			hc.PortBindings = mobynet.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1")}}}
		}),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health", "--http", "http://127.0.0.1:9090/metrics"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
}

// startProducer runs the producer, which publishes the dump and exits; its
// exit status is checked by waitCoordinator.
func (c *cluster) startProducer(chunkSize string) {
	c.t.Helper()
	c.producer = c.start("producer", nil, testcontainers.Mounts(c.dumpMount()),
		testcontainers.WithCmd("producer", "--dump=/dump", "--chunk-size="+chunkSize),
	)
}

// addEncoder starts one more encoder container.
func (c *cluster) addEncoder() testcontainers.Container {
	c.t.Helper()
	e := c.start(fmt.Sprintf("encoder %d", len(c.encoders)), nil, testcontainers.Mounts(c.dumpMount()),
		testcontainers.WithCmd("encoder", "--dump=/dump"),
		restartOnFailure(),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
	c.encoders = append(c.encoders, e)
	return e
}

// addSorter starts one more sorter container; its engines live in the
// container's own file system, as compose's anonymous volume.
func (c *cluster) addSorter() testcontainers.Container {
	c.t.Helper()
	s := c.start(fmt.Sprintf("sorter %d", len(c.sorters)), nil, nil,
		testcontainers.WithCmd("sorter", "--pd=store:2379", "--engine-dir=/engines"),
		restartOnFailure(),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"/lightstream", "health", "--grpc", "store:2379"}).
			WithStartupTimeout(time.Minute).WithPollInterval(300*time.Millisecond)),
	)
	c.sorters = append(c.sorters, s)
	return s
}

// kill stops a container hard (SIGKILL), as a crashed node would.
func (c *cluster) kill(ctr testcontainers.Container) {
	c.t.Helper()
	if _, err := c.docker.ContainerKill(context.Background(), ctr.GetContainerID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		c.t.Fatalf("kill: %v", err)
	}
	if c.killed == nil {
		c.killed = map[string]bool{}
	}
	c.killed[ctr.GetContainerID()] = true
}

// restartBroker kills the broker hard and starts the same container again
// on its data volume; it keeps its network alias.
func (c *cluster) restartBroker() {
	c.t.Helper()
	ctx := context.Background()
	c.kill(c.broker)
	if _, err := c.docker.ContainerStart(ctx, c.broker.GetContainerID(), client.ContainerStartOptions{}); err != nil {
		c.t.Fatalf("restart broker: %v", err)
	}
	delete(c.killed, c.broker.GetContainerID())
	deadline := time.Now().Add(time.Minute)
	for {
		code, _, err := c.broker.Exec(ctx, []string{"/lightstream", "health", "--broker", "127.0.0.1:9092"})
		if err == nil && code == 0 {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("broker not healthy after restart: %v exit %d%s", err, code, logsOf(c.broker))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// metrics reads the coordinator's progress gauges (lightstream_* lines).
func (c *cluster) metrics(ctx context.Context) (map[string]float64, error) {
	port, err := c.coordinator.MappedPort(ctx, "9090/tcp")
	if err != nil {
		return nil, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port.Port()+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, "lightstream_") {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			m[k] = f
		}
	}
	return m, nil
}

// waitExit waits for a container to exit and fails unless it exited 0.
func (c *cluster) waitExit(name string, ctr testcontainers.Container, timeout time.Duration) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		st, err := ctr.State(ctx)
		if err != nil {
			c.t.Fatalf("%s state: %v%s", name, err, logsOf(ctr))
		}
		if !st.Running {
			if st.ExitCode != 0 {
				c.t.Fatalf("%s exited %d%s", name, st.ExitCode, logsOf(ctr))
			}
			return
		}
		select {
		case <-ctx.Done():
			c.t.Fatalf("%s still running after %v%s", name, timeout, logsOf(ctr))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// waitCoordinator waits for the producer and then the coordinator to exit
// 0: the import is verified.
func (c *cluster) waitCoordinator(timeout time.Duration) {
	c.t.Helper()
	c.waitExit("producer", c.producer, timeout)
	c.waitExit("coordinator", c.coordinator, timeout)
	c.checkAlive()
}

// checkAlive fails the test for every long-lived role container that
// exited without the test killing it: a crashed sorter or encoder is
// otherwise hidden by the others taking its partitions over.
func (c *cluster) checkAlive() {
	c.t.Helper()
	ctx := context.Background()
	named := map[string]testcontainers.Container{"broker": c.broker, "store": c.store}
	for i, e := range c.encoders {
		named[fmt.Sprintf("encoder %d", i)] = e
	}
	for i, s := range c.sorters {
		named[fmt.Sprintf("sorter %d", i)] = s
	}
	for name, ctr := range named {
		if c.killed[ctr.GetContainerID()] {
			continue
		}
		st, err := ctr.State(ctx)
		if err != nil {
			c.t.Errorf("%s state: %v", name, err)
			continue
		}
		if !st.Running {
			c.t.Errorf("%s exited %d during the import%s", name, st.ExitCode, logsOf(ctr))
			continue
		}
		info, err := ctr.Inspect(ctx)
		if err != nil {
			c.t.Errorf("%s inspect: %v", name, err)
			continue
		}
		switch {
		case info.RestartCount == 0:
		case c.restartsOK:
			c.t.Logf("%s restarted %d time(s) by its restart policy%s", name, info.RestartCount, logsOf(ctr))
		default:
			c.t.Errorf("%s failed and was restarted %d time(s) during the import%s", name, info.RestartCount, logsOf(ctr))
		}
	}
}

// restartOnFailure gives a container compose's `restart: on-failure`: a
// member that exits on an error rejoins its group, as a Deployment's pod
// would. It wraps any host config modifier set before it.
func restartOnFailure() testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		prev := req.HostConfigModifier
		req.HostConfigModifier = func(hc *container.HostConfig) {
			if prev != nil {
				prev(hc)
			}
			hc.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 10}
		}
		return nil
	}
}

// verify exports every table of the expected checks from the store through
// PD, from a container without the coordinator's work volume (the table
// models come from the store's catalog), and compares the figures.
func (c *cluster) verify(checks []expectedCheck) {
	c.t.Helper()
	ctx := context.Background()
	// A FROM scratch image has no shell to keep a container alive: an idle
	// in-memory broker on loopback does, and `export` runs beside it.
	tb := c.start("toolbox", nil, nil,
		testcontainers.WithCmd("broker", "--listen=127.0.0.1:19092"),
		testcontainers.WithWaitStrategy(wait.ForLog("broker listening").WithStartupTimeout(time.Minute)),
	)
	for _, want := range checks {
		name := want.DB + "." + want.Table
		out := "/tmp/export-" + want.Table + ".csv"
		code, r, err := tb.Exec(ctx, []string{"/lightstream", "export", "--pd=store:2379", "--table=" + name, "--out=" + out})
		if err != nil || code != 0 {
			msg, _ := io.ReadAll(r)
			c.t.Errorf("export %s: exit %d %v: %s", name, code, err, msg)
			continue
		}
		rc, err := tb.CopyFileFromContainer(ctx, out)
		if err != nil {
			c.t.Errorf("copy %s: %v", out, err)
			continue
		}
		got, err := figuresOfExport(rc, want.Excluded)
		rc.Close()
		if err != nil {
			c.t.Errorf("%s: %v", name, err)
			continue
		}
		if err := want.matches(got); err != nil {
			c.t.Errorf("%s: %v", name, err)
		}
	}
}

// logsOf returns a container's output for a failure message.
func logsOf(ctr testcontainers.Container) string {
	if ctr == nil {
		return ""
	}
	rc, err := ctr.Logs(context.Background())
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 64<<10))
	return "\n--- container output ---\n" + string(bytes.TrimSpace(b))
}
