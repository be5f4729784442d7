package simvid

// TitleSlide is a slide of text made by simvid: the title before the pictures or the end
// slide after them. Its text is drawn like a caption.
type TitleSlide struct {
	Text     string  `json:"text"`
	Duration float64 `json:"duration,omitempty" unit:"seconds"` // 0 = DefaultTitleDuration
	// Background is the colour behind the text ("#rrggbb"); "" puts the text on the first
	// picture (the title) or the last (the end slide).
	Background string        `json:"background,omitempty"`
	Style      *CaptionStyle `json:"style,omitempty"` // zero fields: centred, 8 %, white, shadow
}

// DefaultTitleDuration is a title's or end slide's length when it gives none.
const DefaultTitleDuration = 3.0

// TitleStyle returns the title's caption style with its defaults.
func (t *TitleSlide) TitleStyle() CaptionStyle {
	c := CaptionStyle{Position: "center", Size: 8, Color: DefaultCaptionColor, Backdrop: DefaultCaptionBackdrop}
	return c.with(t.Style)
}

// Seconds is the title's length with the default applied.
func (t *TitleSlide) Seconds() float64 {
	if t.Duration == 0 {
		return DefaultTitleDuration
	}
	return t.Duration
}

// normalizeTitles removes a title or end slide without text (how a client takes one away).
func (s *Spec) normalizeTitles() {
	if s.Title != nil && s.Title.Text == "" {
		s.Title = nil
	}
	if s.End != nil && s.End.Text == "" {
		s.End = nil
	}
}

func checkTitle(field string, t *TitleSlide) error {
	if t == nil {
		return nil
	}
	if len(t.Text) > MaxCaptionBytes {
		return Errorf(EUnprocessable, "%s.text is longer than %d bytes", field, MaxCaptionBytes)
	}
	if err := checkDuration(field+".duration", t.Seconds()); err != nil {
		return err
	}
	if t.Background != "" && !colorRE.MatchString(t.Background) {
		return Errorf(EUnprocessable, "%s.background must be a colour like #000000 (got %q)", field, t.Background)
	}
	if t.Style != nil {
		return checkCaptionStyle(field+".style", *t.Style)
	}
	return nil
}
