package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focus describes the focused element: "#id", or tag.class when it has no id,
// and whether a person can see where the focus is.
type focus struct {
	Desc    string `json:"desc"`
	Visible bool   `json:"visible"`
}

// focusJS reads the focus. An input drawn invisibly (the 0 to 10 buttons are
// styled labels) shows its focus on its label.
const focusJS = `(() => {
	const el = document.activeElement;
	const desc = el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.classList.length ? '.' + el.classList[0] : '');
	const shown = getComputedStyle(el).opacity === '0' && el.labels && el.labels.length ? el.labels[0] : el;
	const s = getComputedStyle(shown);
	const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
	return {desc, visible: outline || s.boxShadow !== 'none'};
})()`

// keyboard presses keys and checks where the focus goes.
type keyboard struct {
	t   *testing.T
	ctx context.Context
}

// press presses keys (kb constants or text) in the focused element, each as
// a physical keyboard sends it: a raw key down, the character it types if it
// types one, a key up. (chromedp.KeyEvent sends a cooked keyDown, after which
// Chrome does not suppress the character of a key whose keydown did something:
// Enter on a link that moves focus into a form would then also submit it,
// which a real keyboard does not do.)
func (k keyboard) press(keys string) {
	k.t.Helper()
	do(k.t, k.ctx, fmt.Sprintf("press %q", keys), typeKeys(keys))
}

// typeKeys is the action of pressing keys on a physical keyboard.
func typeKeys(keys string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, r := range keys {
			for _, e := range kb.Encode(r) {
				if e.Type == kb.KeyDown {
					e.Type = kb.KeyRawDown
				}
				if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, *e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// expectFocus checks that the focus is on want and visibly so.
func (k keyboard) expectFocus(want string) {
	k.t.Helper()
	f := eval[focus](k.t, k.ctx, focusJS)
	if f.Desc != want {
		k.t.Fatalf("focus is on %s, want %s", f.Desc, want)
	}
	if !f.Visible {
		k.t.Errorf("focus on %s has no visible outline or box-shadow", f.Desc)
	}
}

// awaitFocus waits up to two seconds for the focus to reach want, as it does
// a moment after a link is followed, and checks it is visible.
func (k keyboard) awaitFocus(want string) {
	k.t.Helper()
	for range 20 {
		if eval[focus](k.t, k.ctx, focusJS).Desc == want {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	k.expectFocus(want)
}

// expectQuestionOnScreen checks that the focused field and its question's
// wording are both on screen, so the person sees what they are answering.
func (k keyboard) expectQuestionOnScreen() {
	k.t.Helper()
	const js = `(() => {
		const el = document.activeElement, prompt = el.closest('.question').querySelector('.prompt');
		const on = e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight };
		return {field: on(el), prompt: on(prompt)};
	})()`
	v := eval[struct{ Field, Prompt bool }](k.t, k.ctx, js)
	if !v.Field || !v.Prompt {
		k.t.Errorf("after following the link: field on screen %v, its question on screen %v", v.Field, v.Prompt)
	}
}

// expectChecked checks that the input with this id is checked.
func (k keyboard) expectChecked(id string) {
	k.t.Helper()
	if !eval[bool](k.t, k.ctx, `document.getElementById(`+jsString(id)+`).checked`) {
		k.t.Errorf("%s is not checked", id)
	}
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }
