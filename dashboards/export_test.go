package dashboards

// CommentReads reports how many service months of comments d has read from
// the store, and how many month summaries it has counted from comments: what
// a page cost in comments, for tests that prove it does not grow with them.
func CommentReads(d *Dashboards) (months, counted int) {
	d.comments.mu.Lock()
	months = d.comments.reads
	d.comments.mu.Unlock()
	d.summaries.mu.Lock()
	counted = d.summaries.counted
	d.summaries.mu.Unlock()
	return months, counted
}
