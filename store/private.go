package store

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB uses, for checkpoints
)

// makePrivate keeps the data directory and everything in it to this user:
// the directory 0700, its files 0600. SQLite creates its files 0644.
func makePrivate(dir string) error {
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make %s private: %w", dir, err)
	}
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		mode := os.FileMode(0o600)
		if d.IsDir() {
			mode = 0o700
		}
		if err := os.Chmod(path, mode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("make %s private: %w", path, err)
		}
		return nil
	})
}

// socketPath is where the embedded store listens: a Unix socket in the data
// directory, or, when that path is too long for a socket address, in a private
// temporary directory.
func socketPath(dir string) (string, error) {
	p := filepath.Join(dir, "store.sock")
	if len(p) < 100 {
		_ = os.Remove(p) // left by a process that was killed
		return p, nil
	}
	tmp, err := os.MkdirTemp("", "feedback-store-")
	if err != nil {
		return "", fmt.Errorf("socket directory: %w", err)
	}
	return filepath.Join(tmp, "store.sock"), nil
}

// Compact makes the embedded store forget what it has overwritten: each SQLite
// file's write-ahead log is checkpointed and truncated, so earlier versions of
// pages (a released month's ballots, say) are no longer on disk. With
// secure_delete on, deleted rows were already overwritten in the main files.
// Nothing to do on MongoDB.
func (s *Store) Compact(ctx context.Context) error {
	if !s.Embedded {
		return nil
	}
	files, err := filepath.Glob(filepath.Join(s.DataDir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := checkpoint(ctx, f); err != nil {
			return err
		}
	}
	return makePrivate(s.DataDir)
}

func checkpoint(ctx context.Context, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", filepath.Base(file), err)
	}
	defer db.Close()
	// A reader in the middle of a query can hold the log for a moment: try again.
	for attempt := 0; ; attempt++ {
		var busy, logFrames, done int
		err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", filepath.Base(file), err)
		}
		if busy == 0 {
			return nil
		}
		if attempt == 20 {
			return fmt.Errorf("checkpoint %s: the log stayed busy", filepath.Base(file))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tlsFiles are the certificates that share an embedded store over mutual TLS.
type tlsFiles struct {
	ca, serverCert, serverKey, client string
}

// sharedTLS makes (once) a private certificate authority in the data
// directory, a server certificate for the store and a client certificate with
// its key: only a process that can read the client file can connect.
func sharedTLS(dir string) (tlsFiles, error) {
	tdir := filepath.Join(dir, "store-tls")
	f := tlsFiles{
		ca: filepath.Join(tdir, "ca.pem"), serverCert: filepath.Join(tdir, "server.pem"),
		serverKey: filepath.Join(tdir, "server-key.pem"), client: filepath.Join(tdir, "client.pem"),
	}
	if _, err := os.Stat(f.client); err == nil {
		return f, nil
	}
	if err := os.MkdirAll(tdir, 0o700); err != nil {
		return f, fmt.Errorf("shared store certificates: %w", err)
	}
	caKey, caCert, caDER, err := newCert(nil, nil, "feedback store CA", true)
	if err != nil {
		return f, err
	}
	srvKey, _, srvDER, err := newCert(caCert, caKey, "127.0.0.1", false)
	if err != nil {
		return f, err
	}
	cliKey, _, cliDER, err := newCert(caCert, caKey, "feedback instance", false)
	if err != nil {
		return f, err
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return f, err
	}
	cliKeyDER, err := x509.MarshalECPrivateKey(cliKey)
	if err != nil {
		return f, err
	}
	writes := []struct {
		path  string
		parts [][2]any
	}{
		{f.ca, [][2]any{{"CERTIFICATE", caDER}}},
		{f.serverCert, [][2]any{{"CERTIFICATE", srvDER}}},
		{f.serverKey, [][2]any{{"EC PRIVATE KEY", srvKeyDER}}},
		{f.client, [][2]any{{"CERTIFICATE", cliDER}, {"EC PRIVATE KEY", cliKeyDER}}},
	}
	for _, w := range writes {
		var out []byte
		for _, p := range w.parts {
			der := p[1].([]byte)
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: p[0].(string), Bytes: der})...)
		}
		if err := os.WriteFile(w.path, out, 0o600); err != nil {
			return f, fmt.Errorf("shared store certificates: %w", err)
		}
	}
	return f, nil
}

// newCert makes a P-256 key and a certificate for it, self-signed when parent
// is nil. It returns the key (DER), the certificate and its DER.
func newCert(parent *x509.Certificate, parentKey *ecdsa.PrivateKey, name string, isCA bool) (*ecdsa.PrivateKey, *x509.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(20, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true, IsCA: isCA,
	}
	if !isCA {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("shared store certificates: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	return key, cert, der, nil
}

// sharedURI is the connection string another instance uses: the store's TLS
// address with the CA to trust and the client certificate to present.
func sharedURI(ferretURI, dir string) string {
	tdir := filepath.Join(dir, "store-tls")
	u, err := url.Parse(ferretURI)
	if err != nil {
		return ""
	}
	q := url.Values{"tls": {"true"}, "tlsCAFile": {filepath.Join(tdir, "ca.pem")}, "tlsCertificateKeyFile": {filepath.Join(tdir, "client.pem")}}
	return "mongodb://" + u.Host + "/?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}
