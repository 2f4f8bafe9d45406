package dashboards_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
)

// standInNotify answers each e-mail with the status answer(address, try)
// gives, counting tries and accepted e-mails per address.
type standInNotify struct {
	mu             sync.Mutex
	tries, created map[string]int
	answer         func(address string, try int) int
}

func (s *standInNotify) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var doc struct {
		Email string `json:"email_address"`
	}
	_ = json.Unmarshal(body, &doc)
	s.mu.Lock()
	s.tries[doc.Email]++
	status := s.answer(doc.Email, s.tries[doc.Email])
	if status == http.StatusCreated {
		s.created[doc.Email]++
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if status != http.StatusCreated {
		_, _ = w.Write([]byte(`{"errors":[{"error":"ValidationError","message":"email_address ` + doc.Email + ` is not valid"}],"status_code":400}`))
	}
}

// counts copies the tries and accepted e-mails so far.
func (s *standInNotify) counts() (tries, created map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.tries), maps.Clone(s.created)
}

const testNotifyKey = "test-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa-bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"

// publicationSetup gives dashboards whose month of November 2026 is
// published, three subscribers, a stand-in Notify answering with answer, and
// the log.
func publicationSetup(t testing.TB, answer func(string, int) int) (*dashboards.Dashboards, *clocktest.Clock, *dashboards.NotifyEmail, *standInNotify, *bytes.Buffer) {
	t.Helper()
	f := newFixture(t)
	stand := &standInNotify{tries: map[string]int{}, created: map[string]int{}, answer: answer}
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	mailer, err := dashboards.NewNotifyEmail(testNotifyKey, "tmpl", clocktest.Wall)
	if err != nil {
		t.Fatal(err)
	}
	mailer.BaseURL = srv.URL
	var log bytes.Buffer
	clock := clocktest.New(onCalendar(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)))
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clock.Now, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@example.nhs.uk", "b@example.nhs.uk", "c@example.nhs.uk"} {
		if err := d.Subscribe(context.Background(), email, true); err != nil {
			t.Fatal(err)
		}
	}
	return d, clock, mailer, stand, &log
}

func announce(t *testing.T, d *dashboards.Dashboards, m *dashboards.NotifyEmail) (string, int) {
	t.Helper()
	month, sent, err := d.AnnouncePublication(context.Background(), m, "https://feedback.example")
	if err != nil {
		t.Fatal(err)
	}
	return month, sent
}

// A notice that fails is sent again on a later run, after a wait, and each
// recipient ends with exactly one e-mail; the log names neither the
// addresses nor the API key.
func TestAnnouncePublication_RetriesFailedSendsUntilEachRecipientHasOne(t *testing.T) {
	// Notify fails b's first two tries (500, then 503), and a's first.
	d, clock, mailer, stand, log := publicationSetup(t, func(address string, try int) int {
		switch {
		case address == "b@example.nhs.uk" && try == 1:
			return http.StatusInternalServerError
		case address == "b@example.nhs.uk" && try == 2, address == "a@example.nhs.uk" && try == 1:
			return http.StatusServiceUnavailable
		}
		return http.StatusCreated
	})
	if m, n := announce(t, d, mailer); m != monthOf(2026, 11) || n != 1 {
		t.Fatalf("first run: %q %d, want c's e-mail only", m, n)
	}
	if m, n := announce(t, d, mailer); m != "" || n != 0 {
		t.Fatalf("at once again: %q %d: the failed sends wait", m, n)
	}
	clock.Set(clock.Now().Add(time.Hour))
	if m, n := announce(t, d, mailer); m != monthOf(2026, 11) || n != 1 {
		t.Fatalf("an hour later: %q %d, want a's", m, n)
	}
	clock.Set(clock.Now().Add(time.Hour))
	if _, n := announce(t, d, mailer); n != 0 {
		t.Fatalf("b's second wait is two hours: %d sent after one", n)
	}
	clock.Set(clock.Now().Add(time.Hour))
	if m, n := announce(t, d, mailer); m != monthOf(2026, 11) || n != 1 {
		t.Fatalf("three hours later: %q %d, want b's", m, n)
	}
	for range 3 {
		clock.Set(clock.Now().Add(24 * time.Hour))
		if m, n := announce(t, d, mailer); m != "" || n != 0 {
			t.Fatalf("days later: %q %d", m, n)
		}
	}
	tries, created := stand.counts()
	want := map[string]int{"a@example.nhs.uk": 1, "b@example.nhs.uk": 1, "c@example.nhs.uk": 1}
	for address, n := range want {
		if created[address] != n {
			t.Errorf("%s: %d e-mails, want %d", address, created[address], n)
		}
	}
	if tries["b@example.nhs.uk"] != 3 {
		t.Errorf("b tried %d times, want 3", tries["b@example.nhs.uk"])
	}
	logged := log.String()
	if !strings.Contains(logged, "will try again") {
		t.Errorf("failures not logged:\n%s", logged)
	}
	for _, secret := range []string{"@example.nhs.uk", "bbbbbbbb", "aaaaaaaa"} {
		if strings.Contains(logged, secret) {
			t.Errorf("the log holds %q:\n%s", secret, logged)
		}
	}
}

// Notify's 400 (a bad address) is not tried again; a failure that never
// clears is tried NoticeTries times and then given up.
func TestAnnouncePublication_GivesUpOnA400AtOnceAndOnOtherFailuresAfterTheLimit(t *testing.T) {
	d, clock, mailer, stand, log := publicationSetup(t, func(address string, try int) int {
		switch address {
		case "a@example.nhs.uk":
			return http.StatusBadRequest
		case "b@example.nhs.uk":
			return http.StatusInternalServerError
		}
		return http.StatusCreated
	})
	for range 10 {
		announce(t, d, mailer)
		clock.Set(clock.Now().Add(20 * time.Hour))
	}
	if tries, created := stand.counts(); tries["a@example.nhs.uk"] != 1 || tries["b@example.nhs.uk"] != dashboards.NoticeTries || created["c@example.nhs.uk"] != 1 {
		t.Errorf("tries %v, e-mails %v", tries, created)
	}
	if n := strings.Count(log.String(), "giving up"); n != 2 {
		t.Errorf("%d give-ups logged, want 2:\n%s", n, log.String())
	}
}

// Someone who opts out before a retry is not written to, and someone who
// opts in after a month was announced waits for the next month.
func TestAnnouncePublication_RetriesFollowOptingOut(t *testing.T) {
	d, clock, mailer, stand, _ := publicationSetup(t, func(address string, try int) int {
		if try == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusCreated
	})
	announce(t, d, mailer)
	ctx := context.Background()
	if err := d.Subscribe(ctx, "a@example.nhs.uk", false); err != nil {
		t.Fatal(err)
	}
	if err := d.Subscribe(ctx, "late@example.nhs.uk", true); err != nil {
		t.Fatal(err)
	}
	clock.Set(clock.Now().Add(2 * time.Hour))
	if m, n := announce(t, d, mailer); m != monthOf(2026, 11) || n != 2 {
		t.Fatalf("retry: %q %d, want b's and c's", m, n)
	}
	if tries, created := stand.counts(); created["a@example.nhs.uk"] != 0 || tries["late@example.nhs.uk"] != 0 {
		t.Errorf("tries %v, e-mails %v", tries, created)
	}
}

// blockingMailer holds each send until released, so a second run can start
// while the first is sending.
type blockingMailer struct {
	started chan struct{}
	release chan struct{}
	mu      sync.Mutex
	sent    int
}

func (b *blockingMailer) SendPublished(ctx context.Context, to, month, link string) error {
	b.started <- struct{}{}
	<-b.release
	b.mu.Lock()
	b.sent++
	b.mu.Unlock()
	return nil
}

// While one run (say, another instance's) is sending a month's notices, a
// second run sends none of them.
func TestAnnouncePublication_OneRunAtATimeSendsAMonth(t *testing.T) {
	d, _, _, _, _ := publicationSetup(t, func(string, int) int { return http.StatusCreated })
	m := &blockingMailer{started: make(chan struct{}), release: make(chan struct{})}
	done := make(chan int)
	go func() {
		_, n, err := d.AnnouncePublication(context.Background(), m, "https://feedback.example")
		if err != nil {
			t.Error(err)
		}
		done <- n
	}()
	<-m.started
	month, n, err := d.AnnouncePublication(context.Background(), m, "https://feedback.example")
	if err != nil || month != "" || n != 0 {
		t.Errorf("second run while the first sends: %q %d %v", month, n, err)
	}
	close(m.release)
	go func() {
		for range m.started {
		}
	}()
	if n := <-done; n != 3 {
		t.Errorf("first run sent %d, want 3", n)
	}
	close(m.started)
}
