package jobs

import (
	"slices"
	"testing"
	"time"

	"github.com/simvid/simvid/pkg/simvid"
)

// TestPlanOrderTakenFromStore: a render of "order": "taken" with day chapters plays the
// pictures by the date taken that intake stored in the asset's meta column (the offset
// survives the database), as every worker plans it.
func TestPlanOrderTakenFromStore(t *testing.T) {
	k := newRenderKit(t, 3, 1)
	taken := []string{"2025-06-15T08:00:00+09:00", "", "2025-06-14T10:00:00+02:00"} // Sunday in Tokyo, undated, Saturday
	for i, a := range k.assets {
		if _, err := k.store.UpdateAsset(k.ctx, a.ID, func(a *simvid.Asset) error {
			if taken[i] != "" {
				tm, _ := time.Parse(time.RFC3339, taken[i])
				a.TakenAt = &tm
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	k.rerender(func(s *simvid.Spec) { s.Order, s.Chapters = simvid.OrderTaken, simvid.ChaptersDay })
	plan, _ := k.plan(k.worker("w", 1, &encodeLog{groups: map[string][]string{}}))
	var got []string
	for _, sl := range plan.Slides {
		if st := plan.Stills[sl.Still]; st.Caption != nil {
			got = append(got, st.Caption.Text)
			continue
		}
		got = append(got, sl.Asset)
	}
	want := []string{"Saturday 14 June", k.assets[2].ID, "Sunday 15 June", k.assets[0].ID, k.assets[1].ID}
	if !slices.Equal(got, want) {
		t.Fatalf("played %v, want %v", got, want)
	}
}
