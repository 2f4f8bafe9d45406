package loadtest

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gofiber/fiber/v3"
)

// Hello measures a bare Fiber "hello" handler on a loopback port with the same
// client, concurrency and duration: the ceiling the real server is compared to.
func Hello(ctx context.Context, concurrency int, duration time.Duration) (*Report, error) {
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error { return c.SendString("hello") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() { _ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	defer func() { _ = app.Shutdown() }()
	url := "http://" + ln.Addr().String() + "/"
	client := newClient(concurrency)
	rep := &Report{Errors: map[string]int{}}
	var mu sync.Mutex
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				n++
			}
			mu.Lock()
			rep.Requests += n
			rep.Completed += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	return rep, nil
}
