package dashboards

import "github.com/feedback-service/feedback/survey"

// survey returns what is known of service's survey versions.
func (d *Dashboards) survey(service string) (*surveyVersions, bool) {
	d.surveysMu.RLock()
	defer d.surveysMu.RUnlock()
	sv, ok := d.surveys[service]
	return sv, ok
}

// UseCatalogue makes the dashboards follow cat: each service's current
// version and every earlier one it knows, joined question by question (see
// versions.go). The survey library calls it when a version is published, so a
// running service shows the new version without a restart; earlier answers are
// still read with the versions they were given under.
func (d *Dashboards) UseCatalogue(cat *survey.Catalogue) {
	archive := cat.Archive()
	surveys := map[string]*surveyVersions{}
	var order []string
	for _, def := range cat.All() {
		var archived []*survey.Definition
		for _, a := range archive {
			if a.Service == def.Service {
				archived = append(archived, a)
			}
		}
		surveys[def.Service] = newSurveyVersions(def, archived)
		order = append(order, def.Service)
	}
	d.surveysMu.Lock()
	d.surveys, d.order = surveys, order
	d.surveysMu.Unlock()
	d.charts.clear() // charts name the questions they show
}

func (c *chartCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
