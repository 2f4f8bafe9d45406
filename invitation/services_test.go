package invitation

import (
	"errors"
	"fmt"
	"testing"
)

func TestSetServices_AnAddedServiceGetsCodesAndOldCodesKeepVerifying(t *testing.T) {
	c, _ := newTestCodes(t)
	old := mint(t, c, "peer-support")
	if _, err := c.Mint("video-counselling"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("mint for a service not yet numbered: %v, want ErrInvalid", err)
	}
	if err := c.SetServices([]string{"counselling", "peer-support", "video-counselling"}); err != nil {
		t.Fatal(err)
	}
	code := mint(t, c, "video-counselling")
	if inv, err := c.VerifyFor("video-counselling", code); err != nil || inv.Service != "video-counselling" {
		t.Fatalf("video-counselling code: %+v %v", inv, err)
	}
	if _, err := c.VerifyFor("counselling", code); !errors.Is(err, ErrInvalid) {
		t.Errorf("a video-counselling code on the counselling page: %v, want ErrInvalid", err)
	}
	if inv, err := c.Verify(old); err != nil || inv.Service != "peer-support" {
		t.Errorf("code minted before the service was added: %+v %v", inv, err)
	}
	// Another instance started later with the same numbering reads the code too.
	other, err := New(testSecret, Config{BaseURL: "https://feedback.example.org/", Now: c.now,
		Services: []string{"counselling", "peer-support", "video-counselling"}})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err := other.Verify(code); err != nil || inv.Service != "video-counselling" {
		t.Errorf("another instance: %+v %v", inv, err)
	}
}

func TestSetServices_RefusesRenumberingAndASeventeenthService(t *testing.T) {
	c, _ := newTestCodes(t)
	if err := c.SetServices([]string{"peer-support", "counselling"}); err == nil {
		t.Error("renumbering the built-ins accepted")
	}
	if err := c.SetServices([]string{"counselling"}); err == nil {
		t.Error("dropping a numbered service accepted")
	}
	var list []string
	for i := range MaxServices + 1 {
		list = append(list, fmt.Sprintf("service-%c", 'a'+i))
	}
	list[0], list[1] = "counselling", "peer-support"
	if err := c.SetServices(list[:MaxServices]); err != nil {
		t.Fatalf("16 services: %v", err)
	}
	if err := c.SetServices(list); err == nil {
		t.Error("a 17th service accepted: a code has 4 bits for it")
	}
	if inv, err := c.Verify(mint(t, c, list[MaxServices-1])); err != nil || inv.Service != list[MaxServices-1] {
		t.Errorf("the 16th service's code: %+v %v", inv, err)
	}
}
