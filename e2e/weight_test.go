package e2e

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/feedback-service/feedback/api/apitest"
)

// firstLoadBudget is what fits in the first round trip of a new TCP
// connection (ten segments): a phone on a poor signal shows the form after
// one round trip instead of several.
const firstLoadBudget = 14 * 1024

// transfers adds up the bytes a tab receives, request by request.
type transfers struct {
	mu       sync.Mutex
	urls     map[network.RequestID]string
	bytes    map[network.RequestID]float64 // finished requests only
	failures int
}

func (tr *transfers) listen(ev any) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		tr.urls[e.RequestID] = e.Request.URL
	case *network.EventLoadingFinished:
		tr.bytes[e.RequestID] = e.EncodedDataLength
	case *network.EventLoadingFailed:
		tr.failures++
	}
}

// settled reports whether every request started has ended.
func (tr *transfers) settled() bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return len(tr.bytes)+tr.failures == len(tr.urls)
}

func TestSurvey_FirstLoadFitsIn14KB(t *testing.T) {
	srv := apitest.New(t)
	for _, d := range surveys(t) {
		for _, l := range languages {
			t.Run(d.Service+"/"+string(l), func(t *testing.T) {
				ctx := newTab(t) // a browser context of its own: an empty cache
				tr := &transfers{urls: map[network.RequestID]string{}, bytes: map[network.RequestID]float64{}}
				if err := chromedp.Listen(ctx, tr.listen); err != nil {
					t.Fatal(err)
				}
				do(t, ctx, "load the survey", phone.emulate(), chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
						return err
					}
					_, err := cdp.Call(ctx, tg, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
					return err
				}), chromedp.Navigate(srv.URL+"/s/"+d.Service+"?lang="+string(l)))
				// Let what starts after the load event (an icon, say) finish too.
				for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
					time.Sleep(200 * time.Millisecond)
					if tr.settled() {
						break
					}
				}
				tr.mu.Lock()
				defer tr.mu.Unlock()
				var total float64
				for _, id := range slices.Sorted(maps.Keys(tr.urls)) {
					url := tr.urls[id]
					n, ok := tr.bytes[id]
					if !ok {
						t.Errorf("%s did not finish loading", url)
					}
					t.Logf("%6.0f bytes  %s", n, url)
					total += n
				}
				t.Logf("%6.0f bytes in all, %d requests", total, len(tr.urls))
				if len(tr.urls) < 2 {
					t.Errorf("only %d requests: the stylesheet was not loaded?", len(tr.urls))
				}
				if total > firstLoadBudget {
					t.Errorf("first load of /s/%s in %s is %.0f bytes, more than %d", d.Service, l, total, firstLoadBudget)
				}
			})
		}
	}
}
