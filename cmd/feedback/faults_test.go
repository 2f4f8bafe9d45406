package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/feedback-service/feedback/ballotbox"
	"github.com/feedback-service/feedback/store"
	"github.com/feedback-service/feedback/store/storetest"
	"github.com/feedback-service/feedback/survey"
)

// TestMain lets a test run `feedback serve` as a real child process (this test
// binary, re-executed), so it can be killed with SIGKILL like a crashed server.
func TestMain(m *testing.M) {
	if args := os.Getenv("FEEDBACK_TEST_CHILD"); args != "" {
		ctx, stop := signalContext()
		err := run(ctx, strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func signalContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signalNotify(ch)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

type child struct {
	cmd     *exec.Cmd
	base    string
	out     *syncBuffer
	waitErr error // how the process ended, once loadThenSignal has waited for it
}

// loadThenSignal starts a server on dir, drives 8 phones at it, sends it sig
// after the given time, waits for it to end and for the phones to stop.
func loadThenSignal(t *testing.T, dir string, after time.Duration, sig syscall.Signal) (*load, *child) {
	t.Helper()
	c := startChild(t, dir)
	l := &load{}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { l.run(c.base, 8, stop); close(done) }()
	time.Sleep(after)
	if err := c.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	c.waitErr = c.cmd.Wait()
	close(stop)
	<-done
	return l, c
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	addr := freeAddr(t)
	args := []string{"serve", "--addr", addr, "--data-dir", dir, "--rate-limit", "0", "--log-format", "text"}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "FEEDBACK_TEST_CHILD="+strings.Join(args, "\x1f"))
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, base: "http://" + addr, out: out}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(c.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("child server did not become ready:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// submission is one phone's form: its marker makes its response findable.
type submission struct {
	marker string
	form   url.Values
}

// load drives phones against a server until stop is closed: each GETs the form
// and POSTs a complete answer. It returns the acknowledged submissions (a 303)
// and the uncertain ones (the connection failed, so the phone does not know).
type load struct {
	mu        sync.Mutex
	acked     []submission
	uncertain []submission
	other     []string
}

var nonceInForm = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

func (l *load) run(base string, workers int, stop <-chan struct{}) {
	client := &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(base + "/s/counselling")
				if err != nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				page, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				m := nonceInForm.FindSubmatch(page)
				if m == nil {
					continue
				}
				s := submission{marker: fmt.Sprintf("probe %s-%s", letters(w), letters(i))}
				s.form = url.Values{"nonce": {string(m[1])}, "fft": {"good"}, "fft_why": {s.marker}, "recommend": {"8"}}
				l.post(client, base, s)
			}
		}(w)
	}
	wg.Wait()
}

func (l *load) post(client *http.Client, base string, s submission) {
	resp, err := client.PostForm(base+"/s/counselling", s.form)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil:
		l.uncertain = append(l.uncertain, s)
	case resp.StatusCode == http.StatusSeeOther:
		l.acked = append(l.acked, s)
	default:
		// A clear refusal (503 while shutting down): the phone knows to try again.
		l.uncertain = append(l.uncertain, s)
		l.other = append(l.other, resp.Status)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// letters writes n in base 26, so markers hold no digits for redaction to remove.
func letters(n int) string {
	s := ""
	for {
		s = string(rune('a'+n%26)) + s
		n /= 26
		if n == 0 {
			return s
		}
	}
}

// storedMarkers opens the data directory and counts each marker among the responses.
func storedMarkers(t *testing.T, dir string) map[string]int {
	t.Helper()
	// This month's ballots are opened in a copy of the store: released in the
	// store itself, before the month ends, they could no longer catch a replay.
	st := storetest.Open(t, copyDir(t, dir))
	defer st.Close(context.Background())
	// With a copy of the keyring too: a release destroys its month's key.
	releaseAllNow(t, st, copyDir(t, dir+"-keyring"))
	cur, err := st.Database(store.SurveyDatabase).Collection("responses").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for cur.Next(context.Background()) {
		var r struct {
			Answers struct {
				Why string `bson:"fft_why"`
			} `bson:"answers"`
		}
		if err := cur.Decode(&r); err != nil {
			t.Fatal(err)
		}
		counts[r.Answers.Why]++
	}
	return counts
}

func checkExactlyOnce(t *testing.T, counts map[string]int, subs []submission, what string) {
	t.Helper()
	for _, s := range subs {
		if counts[s.marker] != 1 {
			t.Errorf("%s response %q stored %d times", what, s.marker, counts[s.marker])
		}
	}
	for m, n := range counts {
		if n > 1 {
			t.Errorf("response %q stored %d times", m, n)
		}
	}
}

func TestCrash_EveryAcknowledgedResponseSurvivesSIGKILLExactlyOnce(t *testing.T) {
	storetest.RequireEmbedded(t) // reads or stops the embedded store itself
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	dir := t.TempDir()
	l, _ := loadThenSignal(t, dir, 1500*time.Millisecond, syscall.SIGKILL)
	if len(l.acked) < 20 {
		t.Fatalf("only %d responses acknowledged before the kill; the load did not run", len(l.acked))
	}
	checkExactlyOnce(t, storedMarkers(t, dir), l.acked, "acknowledged")

	// The phones whose answer was cut off send the same form again to the
	// restarted server: each ends up stored once, never twice.
	c2 := startChild(t, dir)
	retry := &load{}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, s := range l.uncertain {
		retry.post(client, c2.base, s)
	}
	if len(retry.uncertain) > 0 {
		t.Fatalf("%d retries were not acknowledged by the restarted server: %v", len(retry.uncertain), retry.other)
	}
	if err := c2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := c2.cmd.Wait(); err != nil {
		t.Fatalf("restarted server did not stop cleanly: %v\n%s", err, c2.out.String())
	}
	checkExactlyOnce(t, storedMarkers(t, dir), append(l.acked, l.uncertain...), "acknowledged or retried")
	if !strings.Contains(c2.out.String(), "did not stop cleanly") {
		t.Errorf("the restarted server did not notice the crash:\n%s", c2.out.String())
	}
	// Counters and comments, written only by a release, match the responses exactly.
	st := storetest.Open(t, dir)
	releaseAllNow(t, st, dir+"-keyring") // no more retries: the month may be released now
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	report, err := survey.RebuildCounters(context.Background(), st.Database(store.SurveyDatabase), cat, survey.RebuildOptions{Comments: true})
	if err != nil {
		t.Fatal(err)
	}
	if !report.Clean() {
		t.Errorf("counters do not match the responses after the crash and restart: %+v", report)
	}
	t.Logf("%d acknowledged before SIGKILL, %d cut off and retried", len(l.acked), len(l.uncertain))
}

func TestGracefulShutdown_UnderLoadDropsNoAcknowledgedResponse(t *testing.T) {
	storetest.RequireEmbedded(t) // reads or stops the embedded store itself
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dir := t.TempDir()
	l, c := loadThenSignal(t, dir, time.Second, syscall.SIGTERM)
	err := c.waitErr
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("server exited with %v after SIGTERM:\n%s", err, c.out.String())
	}
	if len(l.acked) < 20 {
		t.Fatalf("only %d acknowledged", len(l.acked))
	}
	checkExactlyOnce(t, storedMarkers(t, dir), l.acked, "acknowledged")
	// Counters and comments, written only by a release, match the responses.
	st := storetest.Open(t, dir)
	if st.Unclean {
		t.Error("a SIGTERM shutdown was recorded as unclean")
	}
	releaseAllNow(t, st, dir+"-keyring")
	cat, _ := survey.LoadEmbedded()
	report, err := survey.RebuildCounters(context.Background(), st.Database(store.SurveyDatabase), cat, survey.RebuildOptions{Comments: true})
	if err != nil || !report.Clean() || report.Responses < len(l.acked) {
		t.Errorf("counters after a clean shutdown: %+v %v", report, err)
	}
	t.Logf("%d acknowledged, %d refused or cut off during shutdown", len(l.acked), len(l.uncertain))
}

// releaseAllNow releases every box of the store at once, due or not, with
// the keyring in ring and a K of 1.
func releaseAllNow(t *testing.T, st *store.Store, ring string) {
	t.Helper()
	cat, err := survey.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := loadSealer(st, cat, func(name string) string { return map[string]string{keyringEnv: ring}[name] })
	if err != nil {
		t.Fatal(err)
	}
	rel, err := ballotbox.NewReleaser(st.Database(store.SurveyDatabase), cat, ballotbox.ReleaseOptions{Sealer: sealer, K: 1, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := ballotbox.PendingBoxes(context.Background(), st.Database(store.SurveyDatabase))
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		if _, err := rel.Release(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

// sharedStoreURI is how another process reaches the embedded store serve
// shares at addr: mutual TLS with the certificates it made in dir.
func sharedStoreURI(addr, dir string) string {
	tdir := filepath.Join(dir, "store-tls")
	q := url.Values{"tls": {"true"}, "tlsCAFile": {filepath.Join(tdir, "ca.pem")}, "tlsCertificateKeyFile": {filepath.Join(tdir, "client.pem")}}
	return "mongodb://" + addr + "/?" + q.Encode()
}

// copyDir copies the files of a stopped store's data directory.
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}
