package wazo

import (
	"testing"
	"time"

	"github.com/parley-voip/parley/internal/wazostandin"
)

// TestMyCDRs: a call the stack's call model handled (2000 calls alice) becomes a CDR with
// upstream's fields; seeded CDRs list with it, newest first; limit,
// search and distinct filter; another user's calls are not listed.
func TestMyCDRs(t *testing.T) {
	e := newEnv(t, nil)
	c := e.login()
	old := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	e.stack.AddCDR(wazostandin.CDR{Start: old, Answer: old.Add(5 * time.Second), End: old.Add(65 * time.Second), CallDirection: "inbound",
		SourceName: "Hélène Martin", SourceExtension: "0123456789", DestinationName: "Alice Agent", DestinationExtension: "1001", DestinationUserUUID: aliceUUID})
	e.stack.AddCDR(wazostandin.CDR{Start: old.Add(time.Hour), End: old.Add(time.Hour + 20*time.Second), CallDirection: "outbound",
		SourceName: "Alice Agent", SourceExtension: "1001", SourceUserUUID: aliceUUID, DestinationExtension: "0123456789"})
	e.stack.AddCDR(wazostandin.CDR{Start: old, End: old.Add(time.Minute), SourceUserUUID: bobUUID, SourceExtension: "2000", DestinationExtension: "3000"})

	m := e.stack.Calls()
	mine, _ := aliceCall(t, m, aliceUUID)
	if err := m.Hangup(mine, wazostandin.CauseNormalClearing); err != nil {
		t.Fatal(err)
	}
	list, err := c.MyCDRs(ctx(t), CDRQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 3 || list.Filtered != 3 || len(list.Items) != 3 {
		t.Fatalf("list: %+v", list)
	}
	live := list.Items[0]
	if live.ConversationID != mine || live.DestinationUserUUID == nil || *live.DestinationUserUUID != aliceUUID ||
		live.DestinationExtension != "1001" || live.SourceExtension != "2000" || live.SourceUserUUID != nil ||
		!live.Answered || live.Start == nil || live.End == nil || live.Duration == nil {
		t.Errorf("the live call's CDR: %+v", live)
	}
	if first := list.Items[2]; first.SourceName != "Hélène Martin" || first.CallDirection != "inbound" || first.Duration == nil || *first.Duration != 60 {
		t.Errorf("oldest: %+v", first)
	}
	list, err = c.MyCDRs(ctx(t), CDRQuery{Limit: 1, Direction: "asc"})
	if err != nil || len(list.Items) != 1 || list.Items[0].SourceName != "Hélène Martin" {
		t.Errorf("limit 1 asc: %+v %v", list, err)
	}
	list, err = c.MyCDRs(ctx(t), CDRQuery{Search: "hélène"})
	if err != nil || list.Filtered != 1 {
		t.Errorf("search: %+v %v", list, err)
	}
	list, err = c.MyCDRs(ctx(t), CDRQuery{Distinct: "peer_exten"})
	if err != nil || list.Filtered != 2 {
		t.Errorf("distinct peer_exten: %+v %v", list, err)
	}
	if _, err := c.MyCDRs(ctx(t), CDRQuery{Direction: "sideways"}); err == nil {
		t.Error("a bad direction is refused")
	}
}
