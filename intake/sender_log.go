package intake

import (
	"context"
	"log/slog"
)

// LogSender is the default sender: it writes the message to the log with the
// number masked, and sends nothing. For development and for services that have
// not set up a gateway.
type LogSender struct {
	Logger *slog.Logger
}

// Send logs the text and the masked number.
func (s LogSender) Send(ctx context.Context, to, text string) error {
	logger := s.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "survey text (log sender, not sent)", "to", MaskPhone(to), "text", text)
	return nil
}
