package web

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v3"
)

// TrustedProxies are the proxies (FEEDBACK_TRUSTED_PROXIES) whose
// X-Forwarded-For entries are believed.
type TrustedProxies []netip.Prefix

// ParseTrustedProxies reads IP addresses and CIDR ranges.
func ParseTrustedProxies(list []string) (TrustedProxies, error) {
	var t TrustedProxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			t = append(t, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: not an IP address or CIDR range", s)
		}
		a = a.Unmap()
		t = append(t, netip.PrefixFrom(a, a.BitLen()))
	}
	return t, nil
}

func (t TrustedProxies) contains(a netip.Addr) bool {
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddress is the address a request's rate limit and sign-in lockout are
// keyed on. Behind trusted proxies it is the rightmost X-Forwarded-For entry
// that is not a trusted proxy: entries to its left were written by the client,
// who could choose them, and only entries appended by our own proxies are true.
func (t TrustedProxies) ClientAddress(c fiber.Ctx) string {
	peer, _ := netip.AddrFromSlice(c.RequestCtx().RemoteIP())
	peer = peer.Unmap()
	if len(t) == 0 || !t.contains(peer) {
		return peer.String()
	}
	client := peer
	headers := c.Request().Header.PeekAll(fiber.HeaderXForwardedFor)
	for i := len(headers) - 1; i >= 0; i-- {
		entries := strings.Split(string(headers[i]), ",")
		for j := len(entries) - 1; j >= 0; j-- {
			a, ok := forwardedAddr(entries[j])
			if !ok {
				// A trusted proxy wrote this entry or one to its right: an entry that
				// is no address means the header cannot be read, so the peer counts.
				return peer.String()
			}
			if !t.contains(a) {
				return a.String()
			}
			client = a
		}
	}
	// Every hop is one of ours: the request came from inside.
	return client.String()
}

// forwardedAddr reads one X-Forwarded-For entry: an address, maybe with a port.
func forwardedAddr(entry string) (netip.Addr, bool) {
	entry = strings.TrimSpace(entry)
	if a, err := netip.ParseAddr(entry); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
