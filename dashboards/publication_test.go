package dashboards_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedback-service/feedback/clocktest"
	"github.com/feedback-service/feedback/dashboards"
)

// When last month is published, each lead who opted in gets one e-mail
// through Notify with the month's name and a link, and nothing else; a
// second run sends nothing, and nobody who opted out is written to.
func TestAnnouncePublication_OnceToSubscribersWithALinkOnly(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var got []map[string]any
	stand := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var doc map[string]any
		if r.URL.Path != "/v2/notifications/email" || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || json.Unmarshal(body, &doc) != nil {
			t.Errorf("request: %s %v %s", r.URL.Path, r.Header, body)
		}
		mu.Lock()
		got = append(got, doc)
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer stand.Close()
	mailer, err := dashboards.NewNotifyEmail("test-"+strings.Repeat("a", 8)+"-aaaa-aaaa-aaaa-"+strings.Repeat("a", 12)+"-"+strings.Repeat("b", 8)+"-bbbb-bbbb-bbbb-"+strings.Repeat("b", 12), "tmpl", clocktest.Wall)
	if err != nil {
		t.Fatal(err)
	}
	mailer.BaseURL = stand.URL
	ctx := context.Background()
	clock := clocktest.New(onCalendar(time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC))) // November is over but not yet released
	d, err := dashboards.New(f.db, f.cat, dashboards.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for email, on := range map[string]bool{"lead@example.nhs.uk": true, "other@example.nhs.uk": true} {
		if err := d.Subscribe(ctx, email, on); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Subscribe(ctx, "other@example.nhs.uk", false); err != nil {
		t.Fatal(err)
	}
	if m, n, err := d.AnnouncePublication(ctx, mailer, "https://feedback.example"); err != nil || m != "" || n != 0 {
		t.Fatalf("before release: %q %d %v", m, n, err)
	}
	clock.Set(onCalendar(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)))
	if m, n, err := d.AnnouncePublication(ctx, mailer, "https://feedback.example"); err != nil || m != monthOf(2026, 11) || n != 1 {
		t.Fatalf("after release: %q %d %v", m, n, err)
	}
	if m, n, err := d.AnnouncePublication(ctx, mailer, "https://feedback.example"); err != nil || m != "" || n != 0 {
		t.Fatalf("again: %q %d %v", m, n, err)
	}
	if len(got) != 1 {
		t.Fatalf("%d e-mails", len(got))
	}
	nov := monthOf(2026, 11)
	want := `{"email_address":"lead@example.nhs.uk","personalisation":{"link":"https://feedback.example/dashboards/board-pack?from=` + nov + `\u0026to=` + nov +
		`","month":"` + onCalendar(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)).Format("January 2006") + `"},"template_id":"tmpl"}`
	if b, _ := json.Marshal(got[0]); string(b) != want {
		t.Errorf("e-mail:\n%s\nwant\n%s", b, want)
	}
	if on, _ := d.Subscribed(ctx, "lead@example.nhs.uk"); !on {
		t.Error("not subscribed")
	}
}
