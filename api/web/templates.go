package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"strings"
)

// templateFS holds the layout, which every page is parsed with, and the error
// pages every audience shows.
//
//go:embed templates/*.html
var templateFS embed.FS

// Templates are one audience's pages by name, each parsed with the layout.
type Templates map[string]*template.Template

// ParseTemplates parses each named page (templates/<name>.html of fsys) with
// the layout and the shared files given (names too), with the layout's
// functions and funcs.
func ParseTemplates(fsys fs.FS, funcs template.FuncMap, shared []string, names ...string) (Templates, error) {
	all := template.FuncMap{
		"lower":  strings.ToLower,
		"input":  newInputView,
		"radios": newRadiosView,
	}
	maps.Copy(all, funcs)
	out := Templates{}
	for _, name := range names {
		t, err := template.New(name).Funcs(all).ParseFS(templateFS, "templates/layout.html")
		if err == nil {
			files := []string{"templates/" + name + ".html"}
			for _, s := range shared {
				files = append(files, "templates/"+s+".html")
			}
			t, err = t.ParseFS(fsys, files...)
		}
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// Execute writes page name, inside the layout, to w.
func (t Templates) Execute(w io.Writer, name string, data any) error {
	set, ok := t[name]
	if !ok {
		return fmt.Errorf("render %s: no such page", name)
	}
	if err := set.ExecuteTemplate(w, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	return nil
}
