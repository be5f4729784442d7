package simvid

import (
	"reflect"
	"testing"
	"time"
)

// Each transition is checked on the whole record: what it sets and that it leaves the rest.
func TestRenderTransitions(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	started := created.Add(time.Minute)
	now := created.Add(3 * time.Minute)
	// base is a render part-way through its second attempt, with something in every field a
	// transition might forget to clear or wrongly clear.
	base := func() Render {
		return Render{ID: "rnd_x", ProjectID: "prj_x", State: StateRendering, Progress: 40, ETA: 12,
			Message: "Rendering slides", Error: "old error", ErrorDetail: "old detail", Warnings: []string{"w"},
			FramesTotal: 100, FramesDone: 40, Duration: 4, Attempts: 2, Worker: "host:1",
			CreatedAt: created, StartedAt: &started, UpdatedAt: started}
	}
	cases := []struct {
		name  string
		from  func() Render
		apply func(*Render)
		want  func(Render) Render // from the starting record
	}{
		{"start", func() Render {
			r := base()
			r.State, r.Message, r.StartedAt = StateQueued, "Waiting in the queue", nil
			return r
		},
			func(r *Render) { r.Start("host:2", now) },
			func(r Render) Render {
				r.State, r.Message, r.Worker, r.Attempts, r.StartedAt = StatePreparing, "Preparing", "host:2", 3, &now
				return r
			}},
		{"preparing pictures", base, (*Render).PreparingPictures,
			func(r Render) Render { r.Message = "Preparing pictures"; return r }},
		{"wait for music", base, func(r *Render) { r.WaitFor(&Asset{Kind: KindAudio}) },
			func(r Render) Render { r.Message = "Waiting for the music"; return r }},
		{"wait for a picture", base, func(r *Render) { r.WaitFor(&Asset{Kind: KindImage}) },
			func(r Render) Render { r.Message = "Waiting for the pictures"; return r }},
		{"planned", func() Render { r := base(); r.State, r.Message = StatePreparing, "Preparing"; return r },
			func(r *Render) { r.Planned(250, 10, []string{"small picture"}) },
			func(r Render) Render {
				r.State, r.Message, r.FramesTotal, r.Duration, r.Warnings = StateRendering, "Rendering slides", 250, 10, []string{"small picture"}
				return r
			}},
		{"advance", base, func(r *Render) { r.Advance(50, 100, 7.5) },
			func(r Render) Render { r.FramesDone, r.Progress, r.ETA = 50, 50, 7.5; return r }},
		{"advance keeps the last percent for finishing", base, func(r *Render) { r.Advance(100, 100, 0) },
			func(r Render) Render { r.FramesDone, r.Progress, r.ETA = 100, 99, 0; return r }},
		{"advance without a total keeps the progress", base, func(r *Render) { r.Advance(7, 0, 0) },
			func(r Render) Render { r.FramesDone, r.FramesTotal, r.ETA = 7, 0, 0; return r }},
		{"rendering", func() Render { r := base(); r.State, r.Message = StatePreparing, "Preparing pictures"; return r },
			(*Render).Rendering, func(r Render) Render { r.State, r.Message = StateRendering, "Rendering slides"; return r }},
		{"finalizing", base, (*Render).Finalizing,
			func(r Render) Render {
				r.State, r.Message, r.ETA = StateFinalizing, "Adding music and finishing", 0
				return r
			}},
		{"finish", base, func(r *Render) { r.Finish(123456, 9.96, now) },
			func(r Render) Render {
				r.State, r.Message, r.Error, r.Progress, r.ETA, r.FramesDone = StateDone, "Done", "", 100, 0, 100
				r.OutputSize, r.Duration, r.FinishedAt = 123456, 9.96, &now
				return r
			}},
		{"fail", base, func(r *Render) { r.Fail("the music could not be read", "ffmpeg: bad data", now) },
			func(r Render) Render {
				r.State, r.Message, r.Error, r.ErrorDetail = StateFailed, "Failed", "the music could not be read", "ffmpeg: bad data"
				r.ETA, r.FinishedAt = 0, &now
				return r
			}},
		{"cancel", base, func(r *Render) { r.Cancel(now) },
			func(r Render) Render {
				r.State, r.Message, r.Error, r.ETA, r.FinishedAt = StateCanceled, "Canceled", "canceled", 0, &now
				return r
			}},
		{"hand back: the attempt does not count", base, (*Render).HandBack,
			func(r Render) Render {
				r.State, r.Message, r.Attempts = StateQueued, "Waiting for a worker", 1
				return r
			}},
		{"hand back never goes below zero attempts", func() Render { r := base(); r.Attempts = 0; return r }, (*Render).HandBack,
			func(r Render) Render { r.State, r.Message = StateQueued, "Waiting for a worker"; return r }},
		{"retry later", base, func(r *Render) { r.RetryLater(3, "exit status 1") },
			func(r Render) Render {
				r.State, r.Message, r.ErrorDetail = StateQueued, "Retrying after a problem (attempt 3 of 3)", "exit status 1"
				return r
			}},
		{"requeue a failed render", func() Render { r := base(); r.Fail("x", "y", now); return r },
			func(r *Render) {
				if !r.Requeue() {
					panic("Requeue refused a failed render")
				}
			},
			func(r Render) Render {
				r.State, r.Message, r.Error, r.ErrorDetail = StateQueued, "Waiting in the queue", "", ""
				r.Progress, r.ETA, r.FramesDone, r.Attempts, r.StartedAt, r.FinishedAt = 0, 0, 0, 0, nil, nil
				return r
			}},
		{"requeue leaves a running render", base,
			func(r *Render) {
				if r.Requeue() {
					panic("Requeue took a running render")
				}
			},
			func(r Render) Render { return r }},
		{"a queued render canceled is canceled at once", func() Render {
			r := base()
			r.State, r.Message, r.StartedAt = StateQueued, "Waiting in the queue", nil
			return r
		},
			func(r *Render) {
				if err := r.AskCancel(now); err != nil {
					panic(err)
				}
			},
			func(r Render) Render {
				r.CancelAsked, r.State, r.Message, r.Error, r.ETA, r.FinishedAt = true, StateCanceled, "Canceled", "canceled", 0, &now
				return r
			}},
		{"a running render canceled is left to its worker", base,
			func(r *Render) {
				if err := r.AskCancel(now); err != nil {
					panic(err)
				}
			},
			func(r Render) Render { r.CancelAsked = true; return r }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			from := c.from()
			got := from
			c.apply(&got)
			if want := c.want(from); !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestNewRenderIsQueued(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	spec := Spec{Slides: []Slide{{Asset: "img_x"}}}
	r := NewRender("prj_x", spec, now)
	if !ValidID(PrefixRender, r.ID) {
		t.Errorf("id %q is not a render id", r.ID)
	}
	want := Render{ID: r.ID, ProjectID: "prj_x", Spec: spec, State: StateQueued, Message: "Waiting in the queue",
		Warnings: []string{}, CreatedAt: now, UpdatedAt: now}
	if !reflect.DeepEqual(*r, want) {
		t.Errorf("\n got %+v\nwant %+v", *r, want)
	}
	if NewRender("prj_x", spec, now).ID == r.ID {
		t.Error("two new renders share an id")
	}
}

// A finished render cannot be canceled, says how it ended, and is left exactly as it was.
func TestAskCancelRefusesAFinishedRender(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	for state, msg := range map[RenderState]string{
		StateDone:     "the render has already finished",
		StateFailed:   "the render has already failed",
		StateCanceled: "the render has already been canceled",
	} {
		r := Render{State: state, Message: "as it was"}
		before := r
		err := r.AskCancel(now)
		if !IsCode(err, EConflict) || ErrorMessage(err) != msg {
			t.Errorf("%s: %v, want %s %q", state, err, EConflict, msg)
		}
		if !reflect.DeepEqual(r, before) {
			t.Errorf("%s: changed to %+v", state, r)
		}
	}
}

func TestAssetTransitions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		from  Asset
		apply func(*Asset)
		want  Asset
	}{
		{"ready", Asset{Kind: KindAudio, State: AssetProcessing, Error: "old", Progress: 100},
			(*Asset).Ready, Asset{Kind: KindAudio, State: AssetReady, Progress: 100}},
		{"fail", Asset{Kind: KindAudio, State: AssetProcessing},
			func(a *Asset) { a.Fail("not a music file") }, Asset{Kind: KindAudio, State: AssetFailed, Error: "not a music file"}},
		{"fetched music still needs its working copy", Asset{Kind: KindAudio, State: AssetFetching, Progress: 63, Error: "old"},
			(*Asset).Fetched, Asset{Kind: KindAudio, State: AssetProcessing, Progress: 100}},
		{"a fetched picture is ready", Asset{Kind: KindImage, State: AssetFetching, Progress: 63},
			(*Asset).Fetched, Asset{Kind: KindImage, State: AssetReady, Progress: 100}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := c.from
			c.apply(&got)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
