// Package e2e tests the pages in a real browser, the way the people who use
// them do: on a phone by tapping, with the keyboard alone, without JavaScript,
// and with axe-core checking each page against WCAG 2.2 A and AA.
//
// The tests drive Debian's chromium (found on PATH, or at $CHROME_PATH)
// through github.com/chromedp/chromedp, against the real app on a real
// embedded store (api/apitest). axe-core comes from npm: `.ci/run` installs it
// into e2e/node_modules from e2e/package-lock.json. Without a browser or axe
// the tests skip, except under CI=true, where they fail.
//
// Each test writes screenshots of the pages it visits to screenshots/ at the
// root of the repository, named page-width.png, for a reviewer to look at.
package e2e
