package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The compose file sets only settings that exist, and its proxy keeps no
// access log for survey traffic. (Docker is not run by the tests; CI checks
// the file parses as YAML.)
func TestDeploy_ComposeSetsRealSettingsAndTheProxyLogsNoSurveyTraffic(t *testing.T) {
	compose, err := os.ReadFile("../../deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{sealingSecretEnv: true, keyringEnv: true, envInvitationSecret: true}
	for _, s := range settings {
		known[s.env] = true
	}
	set := regexp.MustCompile(`(?m)^\s+([A-Z][A-Z0-9_]+): `).FindAllStringSubmatch(string(compose), -1)
	if len(set) < 5 {
		t.Fatalf("found only %d settings in compose.yaml", len(set))
	}
	for _, m := range set {
		if !known[m[1]] {
			t.Errorf("compose.yaml sets %s, which is not a setting", m[1])
		}
	}
	nginx, err := os.ReadFile("../../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(nginx)
	for _, want := range []string{
		"location ~* ^/(s|i|static)(/|$) {\n            access_log off;",
		"location ~* ^/api/v1/surveys(/|$) {\n            access_log off;",
		"proxy_set_header X-Forwarded-For $remote_addr;",
		`"path":"$uri"`,
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
	for _, never := range []string{"$request\"", "$request ", "$request_uri", "$args", "$query_string", "$remote_addr\"", "$http_user_agent", "$http_x_forwarded_for"} {
		if strings.Contains(regexp.MustCompile(`(?s)log_format.*?;`).FindString(conf), never) {
			t.Errorf("nginx's log format records %s", never)
		}
	}
}
