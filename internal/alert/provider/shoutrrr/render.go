package shoutrrr

import (
	"strings"

	"github.com/portwatch/portwatch/internal/alert/notify"
)

// render is the message text: the title, a blank line, the body.
func render(m notify.Message) string {
	title, text := strings.TrimSpace(m.Title), strings.TrimSpace(m.Text)
	switch {
	case title == "":
		return text
	case text == "":
		return title
	}
	return title + "\n\n" + text
}
