package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/feedback-service/feedback/survey"
)

// printNoticeSetup says, while any of the privacy notice's facts is unset,
// which, and where an admin sets them: until then the public notice says
// something neutral in their place.
func printNoticeSetup(w io.Writer, base string, n survey.PrivacyNotice) {
	unset := n.Unset()
	if len(unset) == 0 {
		return
	}
	fmt.Fprintf(w, "\nThe surveys' privacy notice does not yet name %s.\n"+
		"An admin sets them at %s/admin/privacy-notice (until then the notice sends people to the office).\n",
		strings.Join(unset, ", "), base)
}
