package selftest

import (
	"strings"
	"text/template"
)

// Message is a sentence of the report before it is worded: Key is its
// English text/template ("{{.Host}} answers on port {{.Port}}."), Values
// fill it. The window translates Key as a whole (Messages lists every key)
// and fills in the same values, so no sentence is put together from
// translated pieces; Render gives the English the diagnostics bundle keeps.
type Message struct {
	Key    string
	Values map[string]string
}

// msg builds a Message from key and name/value pairs.
func msg(key string, kv ...string) Message {
	m := Message{Key: key}
	if len(kv) > 0 {
		m.Values = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m.Values[kv[i]] = kv[i+1]
		}
	}
	return m
}

// Render is the English sentence. A key that is not a valid template, or
// that names a value m does not have, is a programming error the package
// tests catch (TestMessagesRender); it then renders as the bare key.
func (m Message) Render() string {
	if m.Key == "" || !strings.Contains(m.Key, "{{") {
		return m.Key
	}
	t, err := template.New("").Option("missingkey=error").Parse(m.Key)
	if err != nil {
		return m.Key
	}
	var b strings.Builder
	if err := t.Execute(&b, m.Values); err != nil {
		return m.Key
	}
	return b.String()
}

// AudioSilentDevices is Config.AudioOff for a Parley whose sound is set to
// silent devices.
func AudioSilentDevices() Message {
	return msg("Sound is set to silent devices (-audio null): calls carry silence.")
}
