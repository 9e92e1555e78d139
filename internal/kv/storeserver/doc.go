// Package storeserver serves the embedded store over the network: the parts
// of PD's and TiKV's gRPC protocols (github.com/pingcap/kvproto) that
// client-go and its PD client use for transactions, snapshot reads, region
// lookup, TSO and region splitting, TiKV's ImportSST service as Lightning's
// local backend drives it, the gRPC health service, and the etcd calls
// client-go's safe-point reader makes on the PD address.
//
// It is backed by the same persisted store as store.OpenEmbedded (client-go's
// mock TiKV with its goleveldb MVCC store under <dir>/mvcc and the TSO
// high-water mark in <dir>/tso), plus <dir>/cluster.json holding the cluster
// ID, the ID allocator's high-water mark and the region layout, so that
// splits survive a restart. Region-scoped TiKV requests are translated into
// tikvrpc requests for the mock's RPC handler, which keeps the mock's
// store, region, leader and epoch checks: a request for the wrong region
// gets TiKV's region errors (EpochNotMatch, RegionNotFound, StoreNotMatch,
// KeyNotInRegion) and exercises the client's retry paths.
//
// One process is one PD member and one TiKV store. It can listen on several
// addresses, each advertising its own address in PD member URLs, etcd
// member URLs and the store address, so that a client inside a container
// network and one on the host each get an address they can reach.
//
// Served:
//
//   - PD (pdpb.PD): GetMembers, GetClusterInfo, GetClusterConfig,
//     IsBootstrapped, AllocID, Tso (stream; the response carries the last of
//     Count timestamps), GetMinTS, GetStore, GetAllStores, StoreHeartbeat
//     (ignored), GetRegion, GetPrevRegion, GetRegionByID, ScanRegions,
//     BatchScanRegions, ScatterRegion (nothing to move), GetOperator
//     (scatter done), GetGCSafePoint, UpdateGCSafePoint,
//     UpdateServiceGCSafePoint (in memory).
//   - TiKV (tikvpb.Tikv), unary and inside BatchCommands: KvGet, KvScan,
//     KvBatchGet, KvPrewrite, KvCommit, KvCleanup, KvBatchRollback,
//     KvCheckTxnStatus, KvTxnHeartBeat, KvPessimisticLock,
//     KVPessimisticRollback, KvScanLock, KvResolveLock, KvGC, KvDeleteRange,
//     the Raw* commands, SplitRegion (unary; layout saved before the
//     answer), MvccGetByKey/StartTs, GetStoreSafeTS (0: no stale reads),
//     UnsafeDestroyRange; BatchCommands Empty and GetHealthFeedback.
//   - ImportSST (import_sstpb.ImportSST): SwitchMode, GetMode, Compact
//     (nothing to do), Write (stream; kept in memory until ingested,
//     bounded by maxPendingSSTBytes), MultiIngest (an empty request is
//     Lightning's write-stall probe), Ingest. After the region, epoch and
//     range checks an ingest writes each SST's pairs as committed versions
//     at the Write stream's commit TS straight into the MVCC store
//     (internal/kv/mockmvcc, one atomic batch per SST, no locks), as TiKV's
//     ingest does into its write CF.
//   - etcd (etcdserverpb): KV Range, Put, DeleteRange (in memory), Cluster
//     MemberList; grpc.health.v1 Check and Watch.
//
// For tests, Config.InjectRegionErrors (`lightstream store
// --inject-region-errors N`) fails the first N ImportSST ingests and
// writes with region errors in turn (inject.go).
//
// Not served: Coprocessor requests get a response whose OtherError names
// the request type (no DAG, analyze or checksum executor: checksums are
// computed by scanning); KvCheckSecondaryLocks gets a key error (no async
// commit); other BatchCommands kinds get a region error naming the
// command; every other gRPC method answers Unimplemented. PD's HTTP API
// (placement rules, config, min-resolved-ts) is not served, nor ImportSST
// Download/Upload/DuplicateDetect/RawWrite/Apply, nor more than one store.
package storeserver
