// Package store opens the MongoDB database the service keeps its data in: a real
// MongoDB when a URI is given, otherwise an embedded FerretDB (SQLite) in-process,
// spoken to by the same driver code over the MongoDB wire protocol.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
)

// SurveyDatabase is the database that holds anonymous survey data: responses,
// counters, comments and keys. It never holds anything that identifies a person.
const SurveyDatabase = "feedback"

// Config says where the data lives.
type Config struct {
	// URI of a MongoDB deployment; empty means the embedded store.
	URI string
	// DataDir holds the embedded store's SQLite files (used only when URI is empty).
	DataDir string
	// EmbeddedAddr is a loopback TCP address on which the embedded store is
	// also shared with other instances, behind mutual TLS (see SharedTLS);
	// empty shares nothing: the store then listens only on a Unix socket in
	// its private data directory.
	EmbeddedAddr string
	// Logger receives the embedded store's errors; nil discards them.
	Logger *slog.Logger
	// ServerSelectionTimeout bounds how long an operation waits for a reachable
	// server before failing; 0 means 10 s. A URI setting wins.
	ServerSelectionTimeout time.Duration
}

// Store is an open connection to the database, plus the embedded server when
// there is one.
type Store struct {
	Client *mongo.Client
	// URI is the address the client connected to (the embedded store's, when embedded).
	URI string
	// Embedded is true when the data lives in the in-process FerretDB.
	Embedded bool
	// DataDir is the embedded store's absolute data directory ("" for MongoDB).
	DataDir string
	// Unclean is true when the embedded store was last left without a clean
	// Close (the process was killed or crashed): what is written behind the
	// records, such as counters, may lag them and needs repair.
	Unclean bool

	// SharedURI is how another instance reaches the embedded store over
	// mutual TLS, when it is shared (EmbeddedAddr); it names certificate
	// files in the data directory, which are the secret that admits it.
	SharedURI string

	socket       string
	stopEmbedded context.CancelFunc
	embeddedDone chan struct{}
	unlock       func()
	running      string // marker file, present while a process uses the data directory
}

// Open connects to the configured database, starting the embedded store first
// when no URI is set. The embedded store's data directory is locked, so a second
// process on the same directory fails with a clear message instead of sharing files.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{URI: cfg.URI}
	if cfg.URI == "" {
		if err := s.startEmbedded(cfg); err != nil {
			return nil, err
		}
	}
	// Majority write concern with journaling: a no-op on the embedded store, and the
	// acknowledgement we promise users on a replica set.
	selection := cfg.ServerSelectionTimeout
	if selection == 0 {
		selection = 10 * time.Second
	}
	// Timeouts first, so that ones given in the URI win.
	opts := options.Client().
		SetServerSelectionTimeout(selection).
		SetTimeout(30 * time.Second).
		ApplyURI(s.URI).
		SetWriteConcern(writeconcern.Majority())
	if s.Embedded {
		opts.SetMaxPoolSize(32)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("connect to %s: %w", s.describe(), err)
	}
	s.Client = client
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		s.stop()
		return nil, fmt.Errorf("reach %s: %w", s.describe(), err)
	}
	if s.Embedded {
		// The socket and the SQLite files exist now: keep them to this user.
		if err := makePrivate(s.DataDir); err != nil {
			_ = client.Disconnect(context.Background())
			s.stop()
			return nil, fmt.Errorf("embedded store: %w", err)
		}
	}
	return s, nil
}

func (s *Store) describe() string {
	if s.Embedded {
		return "the embedded store"
	}
	return "MongoDB (MONGODB_URI)"
}

func (s *Store) startEmbedded(cfg Config) error {
	dir, err := privateDataDir(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("embedded store: %w", err)
	}
	unlock, err := s.claim(dir)
	if err != nil {
		return err
	}
	f, socket, err := s.newEmbedded(dir, cfg)
	if err != nil {
		unlock()
		return fmt.Errorf("embedded store: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx)
	}()
	s.Embedded = true
	s.DataDir = dir
	s.stopEmbedded = cancel
	s.embeddedDone = done
	s.unlock = unlock
	s.socket = socket
	s.URI = "mongodb://" + strings.ReplaceAll(url.QueryEscape(socket), "+", "%20") + "/"
	if cfg.EmbeddedAddr != "" {
		s.SharedURI = sharedURI(f.MongoDBURI(), dir)
	}
	return nil
}

// privateDataDir makes the data directory if need be and returns its absolute
// path, readable by this user only.
func privateDataDir(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("no data directory")
	}
	dir, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("data directory %q: %w", dataDir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create data directory %s: %w", dir, err)
	}
	// Nobody else on the machine may read the store's files or reach its socket.
	privateFiles()
	if err := makePrivate(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// newEmbedded prepares FerretDB over the SQLite files in the claimed dir,
// after repairing what an unclean stop left, and returns it with the path of
// its Unix socket.
func (s *Store) newEmbedded(dir string, cfg Config) (*ferretdb.FerretDB, string, error) {
	if s.Unclean {
		if err := dropOrphanTables(dir); err != nil {
			return nil, "", err
		}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	logger = slog.New(&lazyHandler{inner: logger.Handler()})
	listener, err := embeddedListener(dir, cfg.EmbeddedAddr)
	if err != nil {
		return nil, "", err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: listener,
		Handler:  "sqlite",
		// WAL with synchronous=normal: a committed write survives a process crash;
		// only an OS crash or power cut can lose the last transactions.
		// secure_delete: deleted rows (released ballots) are overwritten, not left
		// in free pages. temp_store(memory): a multi-row insert's statement journal
		// (old page images) stays in memory instead of spilling to a temporary
		// file: a spend of invitations ~20 % cheaper (BENCHMARKS.md).
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(normal)&_pragma=secure_delete(on)&_pragma=temp_store(memory)",
		Logger:    logger,
	})
	if err != nil {
		return nil, "", err
	}
	return f, listener.Unix, nil
}

// claim locks the data directory for this process and marks it in use. The
// marker is removed by a clean Close; finding it means the last process on
// this directory did not get that far.
func (s *Store) claim(dir string) (unlock func(), err error) {
	if unlock, err = lockDir(dir); err != nil {
		return nil, err
	}
	s.running = filepath.Join(dir, "feedback.running")
	if _, err := os.Stat(s.running); err == nil {
		s.Unclean = true
	}
	if err := os.WriteFile(s.running, nil, 0o600); err != nil {
		unlock()
		return nil, fmt.Errorf("embedded store: write %s: %w", s.running, err)
	}
	return unlock, nil
}

// embeddedListener is where the embedded store listens: a Unix socket in its
// private data directory, and, when shared (addr), a loopback TLS address that
// admits only a client with the certificate made in the data directory.
func embeddedListener(dir, addr string) (ferretdb.ListenerConfig, error) {
	socket, err := socketPath(dir)
	if err != nil {
		return ferretdb.ListenerConfig{}, err
	}
	l := ferretdb.ListenerConfig{Unix: socket}
	if addr != "" {
		files, err := sharedTLS(dir)
		if err != nil {
			return ferretdb.ListenerConfig{}, err
		}
		l.TLS, l.TLSCertFile, l.TLSKeyFile, l.TLSCAFile = addr, files.serverCert, files.serverKey, files.ca
	}
	return l, nil
}

// Size is the bytes of the embedded store's files (SQLite databases and their
// write-ahead logs); 0 for MongoDB, whose own metrics say more.
func (s *Store) Size() (int64, error) {
	if !s.Embedded {
		return 0, nil
	}
	var total int64
	err := filepath.WalkDir(s.DataDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			var info fs.FileInfo
			if info, err = d.Info(); err == nil {
				total += info.Size()
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil // a journal SQLite removed meanwhile
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("embedded store size: %w", err)
	}
	return total, nil
}

// Database returns the named database.
func (s *Store) Database(name string) *mongo.Database { return s.Client.Database(name) }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.Client.Ping(ctx, readpref.Primary())
}

// Close disconnects the client, then stops the embedded store and releases its
// lock. Only a Close that got this far marks the shutdown clean.
func (s *Store) Close(ctx context.Context) error {
	var err error
	if s.Client != nil {
		err = s.Client.Disconnect(ctx)
	}
	s.stop()
	// An unclean mark stays until someone repairs what lags (MarkRepaired):
	// a command that merely opened the store after a crash must not clear it.
	if s.running != "" && !s.Unclean {
		_ = os.Remove(s.running)
	}
	s.running = ""
	return err
}

// MarkRepaired records that what lags behind the records after an unclean
// shutdown has been recomputed, so a clean Close clears the mark.
func (s *Store) MarkRepaired() { s.Unclean = false }

func (s *Store) stop() {
	s.StopEmbedded()
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
}

// StopEmbedded stops the embedded server while the client stays open, as an
// outage would; for tests of what users see when the database is unavailable.
func (s *Store) StopEmbedded() {
	if s.stopEmbedded != nil {
		s.stopEmbedded()
		<-s.embeddedDone
		s.stopEmbedded = nil
	}
}

// IsDuplicateKey reports whether err is a unique-index violation (code 11000),
// which is how replays and retries are caught without a read.
func IsDuplicateKey(err error) bool { return mongo.IsDuplicateKeyError(err) }
