// Package metrics counts what the service does, for Prometheus, on an address
// of its own. No label ever takes a value a person typed: routes are the
// registered patterns (or a fixed word), methods and statuses come from fixed
// sets, and services come from the survey catalogue.
//
// The package knows no domain type: cmd/feedback wires each domain's hook to
// the method here that counts it.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "feedback"

// Metrics holds the service's collectors in a registry of its own.
type Metrics struct {
	registry *prometheus.Registry

	requests      *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	stored        prometheus.Counter
	commitLatency prometheus.Histogram
	commitErrors  prometheus.Counter
	texts         *prometheus.CounterVec
}

// New returns the collectors, registered with the Go runtime and process ones.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by route pattern, method, status class and status code.",
		}, []string{"route", "method", "class", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		stored: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "survey_responses_stored_total",
			Help: "Survey responses durably stored by this instance, all services together.",
		}),
		commitLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "store_commit_duration_seconds",
			Help:    "Time to commit one batch of survey responses to the store.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		commitErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "store_commit_errors_total",
			Help: "Batches of survey responses the store refused or did not acknowledge (each was answered 503).",
		}),
		texts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "sms_texts_total",
			Help: "Survey texts processed by this instance's outbox, by outcome: sent, retrying (an attempt failed), failed (given up), suppressed.",
		}, []string{"outcome"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.stored, m.commitLatency, m.commitErrors, m.texts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the collectors are registered, for tests that read them.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// knownMethods are the methods counted by name; any other is "other".
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
}

// ObserveRequest counts one answered request. route must be a registered
// pattern or a fixed word, never the request's path.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if !knownMethods[method] {
		method = "other"
	}
	if status < 100 || status > 599 {
		status = 0
	}
	class := "other"
	if status != 0 {
		class = strconv.Itoa(status/100) + "xx"
	}
	m.requests.WithLabelValues(route, method, class, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// ResponsesStored counts n responses stored. The service is deliberately not
// a label: scraped every few seconds, a per-service count would time each
// response to the scrape interval — the very link to the intake record of a
// text sent minutes earlier that survey routes keep out of the logs. Per
// service, figures are published by month on the dashboards.
func (m *Metrics) ResponsesStored(_ string, n int) {
	m.stored.Add(float64(n))
}

// BatchCommitted records how long one commit of survey responses took, and
// whether the store refused it.
func (m *Metrics) BatchCommitted(d time.Duration, err error) {
	m.commitLatency.Observe(d.Seconds())
	if err != nil {
		m.commitErrors.Inc()
	}
}

// TextsProcessed counts what one run of the SMS outbox did.
func (m *Metrics) TextsProcessed(sent, retrying, failed, suppressed int) {
	for outcome, n := range map[string]int{"sent": sent, "retrying": retrying, "failed": failed, "suppressed": suppressed} {
		m.texts.WithLabelValues(outcome).Add(float64(n))
	}
}

// Gauge registers a gauge read at each scrape from read, given a few seconds;
// a read that fails reports nothing rather than a wrong figure.
func (m *Metrics) Gauge(name, help string, read func(context.Context) (float64, error)) {
	m.registry.MustRegister(&scrapedGauge{
		desc: prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, nil, nil),
		read: read,
	})
}

// scrapedGauge is a gauge whose value is read when Prometheus asks.
type scrapedGauge struct {
	desc *prometheus.Desc
	read func(context.Context) (float64, error)
}

func (g *scrapedGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *scrapedGauge) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := g.read(ctx)
	if err != nil {
		return // a gap in the graph, and the rest of the scrape still served
	}
	ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, v)
}
