// Package loadtest drives a running feedback server the way phones do: each
// virtual user fetches a survey form and posts a completed response, and the
// report gives the rate, the latency and the errors by kind.
package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config says what to drive and for how long.
type Config struct {
	URL         string // base URL of the server, e.g. http://127.0.0.1:8080
	Service     string // survey to answer, e.g. counselling
	Concurrency int
	Duration    time.Duration
	// Invitation, if set, mints a single-use invitation: each phone then opens
	// /i/{code} as a texted person does, and sends the invitation with its
	// answers, which makes them verified.
	Invitation func() (string, error)
}

// Report is what a run measured.
type Report struct {
	Completed  int             // responses acknowledged (303)
	Requests   int             // HTTP requests sent
	Elapsed    time.Duration   //
	Latencies  []time.Duration // per completed response: GET form + POST
	Errors     map[string]int  // by kind
	Definition string          // survey version answered
}

// PerSecond is acknowledged responses a second.
func (r *Report) PerSecond() float64 { return float64(r.Completed) / r.Elapsed.Seconds() }

// RequestsPerSecond is HTTP requests a second.
func (r *Report) RequestsPerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Percentile returns the p-th percentile latency (0 < p ≤ 100).
func (r *Report) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.Latencies)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// question is what the load tool needs of a survey question.
type question struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Options []struct {
		Value string `json:"value"`
	} `json:"options"`
	MaxLength int `json:"max_length"`
}

// Run drives the server for cfg.Duration and reports.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Concurrency < 1 || cfg.Duration <= 0 {
		return nil, errors.New("loadtest: concurrency and duration must be positive")
	}
	client := newClient(cfg.Concurrency)
	questions, version, err := fetchSurvey(ctx, client, cfg.URL, cfg.Service)
	if err != nil {
		return nil, err
	}
	rep := &Report{Errors: map[string]int{}, Definition: version}
	var mu sync.Mutex
	// At the deadline no phone starts again, but requests in flight finish, so
	// every response the server stored is one it acknowledged to us.
	deadline := time.Now().Add(cfg.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
			var local Report
			local.Errors = map[string]int{}
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				kind := phone(ctx, client, cfg, questions, rng, &local)
				if kind == "" {
					local.Completed++
					local.Latencies = append(local.Latencies, time.Since(t0))
				} else {
					local.Errors[kind]++
				}
			}
			mu.Lock()
			rep.Completed += local.Completed
			rep.Requests += local.Requests
			rep.Latencies = append(rep.Latencies, local.Latencies...)
			for k, n := range local.Errors {
				rep.Errors[k] += n
			}
			mu.Unlock()
		}(uint64(w) + 1)
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	return rep, nil
}

var nonceRe = regexp.MustCompile(`name="nonce" value="([^"]+)"`)

// phone does what one phone does: GET the form, POST an answer. It returns ""
// on an acknowledged response, or the kind of error.
func phone(ctx context.Context, client *http.Client, cfg Config, qs []question, rng *rand.Rand, rep *Report) string {
	form := cfg.URL + "/s/" + cfg.Service
	get, code := form, ""
	if cfg.Invitation != nil {
		var err error
		if code, err = cfg.Invitation(); err != nil {
			return "mint invitation"
		}
		get = cfg.URL + "/i/" + code
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, get, nil)
	rep.Requests++
	resp, err := client.Do(req)
	if err != nil {
		return errorKind(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "GET " + strconv.Itoa(resp.StatusCode)
	}
	m := nonceRe.FindSubmatch(body)
	if m == nil {
		return "no nonce in form"
	}
	values := randomAnswers(qs, rng)
	values.Set("nonce", string(m[1]))
	values.Set("website", "")
	if code != "" {
		values.Set("invitation", code)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, form, strings.NewReader(values.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rep.Requests++
	resp, err = client.Do(req)
	if err != nil {
		return errorKind(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "POST " + strconv.Itoa(resp.StatusCode)
	}
	if strings.Contains(resp.Header.Get("Location"), "already") {
		return "POST already received"
	}
	return ""
}

var comments = []string{
	"Kind and practical, thank you.", "I felt heard for the first time in weeks.",
	"Hard to get through at first, then very helpful.", "The counsellor understood hospital life.",
	"", "", "",
}

// randomAnswers answers every question validly, leaving some optional ones blank.
func randomAnswers(qs []question, rng *rand.Rand) url.Values {
	v := url.Values{}
	for i, q := range qs {
		if i > 0 && rng.IntN(5) == 0 {
			continue // optional questions are sometimes skipped
		}
		switch q.Kind {
		case "text":
			if c := comments[rng.IntN(len(comments))]; c != "" {
				v.Set(q.ID, c)
			}
		case "multiple":
			for _, o := range q.Options {
				if rng.IntN(2) == 0 {
					v.Add(q.ID, o.Value)
				}
			}
		default:
			if len(q.Options) > 0 {
				v.Set(q.ID, q.Options[rng.IntN(len(q.Options))].Value)
			}
		}
	}
	return v
}

func errorKind(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "reset"), strings.Contains(err.Error(), "EOF"):
		return "connection reset"
	}
	return "transport error"
}

func newClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns: concurrency * 2, MaxIdleConnsPerHost: concurrency * 2, IdleConnTimeout: 30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func fetchSurvey(ctx context.Context, client *http.Client, base, service string) ([]question, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/surveys/"+url.PathEscape(service), nil)
	if err != nil {
		return nil, "", fmt.Errorf("loadtest: --url %q: %w", base, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("loadtest: reach %s: %w", base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("loadtest: GET survey %q: status %d", service, resp.StatusCode)
	}
	var def struct {
		Version   string     `json:"version"`
		Questions []question `json:"questions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&def); err != nil {
		return nil, "", fmt.Errorf("loadtest: read survey: %w", err)
	}
	return def.Questions, def.Version, nil
}

// Format writes the report as a few plain lines.
func (r *Report) Format(w io.Writer) {
	fmt.Fprintf(w, "responses acknowledged: %d in %.1fs = %.0f/s (%d requests, %.0f req/s)\n",
		r.Completed, r.Elapsed.Seconds(), r.PerSecond(), r.Requests, r.RequestsPerSecond())
	fmt.Fprintf(w, "latency per response (GET form + POST): p50 %s  p95 %s  p99 %s\n",
		r.Percentile(50).Round(10*time.Microsecond), r.Percentile(95).Round(10*time.Microsecond), r.Percentile(99).Round(10*time.Microsecond))
	if len(r.Errors) == 0 {
		fmt.Fprintln(w, "errors: none")
		return
	}
	kinds := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "errors: %s × %d\n", k, r.Errors[k])
	}
}
