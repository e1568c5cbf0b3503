package rtc

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/pion/logging"
)

// slogFactory adapts pion's logging.LoggerFactory to a *slog.Logger, so pion's
// ICE/DTLS logs land in the application's log with a "pion" scope attribute.
type slogFactory struct{ log *slog.Logger }

func (f slogFactory) NewLogger(scope string) logging.LeveledLogger {
	return slogLeveled{log: f.log.With("pion", scope)}
}

// slogLeveled implements logging.LeveledLogger. pion's trace level maps to
// slog debug-4.
type slogLeveled struct{ log *slog.Logger }

const levelTrace = slog.LevelDebug - 4

func (l slogLeveled) emit(level slog.Level, msg string) {
	l.log.Log(context.Background(), level, msg)
}

func (l slogLeveled) enabled(level slog.Level) bool {
	return l.log.Enabled(context.Background(), level)
}

func (l slogLeveled) Trace(msg string) { l.emit(levelTrace, msg) }
func (l slogLeveled) Tracef(format string, args ...any) {
	if l.enabled(levelTrace) {
		l.emit(levelTrace, fmt.Sprintf(format, args...))
	}
}
func (l slogLeveled) Debug(msg string) { l.emit(slog.LevelDebug, msg) }
func (l slogLeveled) Debugf(format string, args ...any) {
	if l.enabled(slog.LevelDebug) {
		l.emit(slog.LevelDebug, fmt.Sprintf(format, args...))
	}
}
func (l slogLeveled) Info(msg string) { l.emit(slog.LevelInfo, msg) }
func (l slogLeveled) Infof(format string, args ...any) {
	l.emit(slog.LevelInfo, fmt.Sprintf(format, args...))
}
func (l slogLeveled) Warn(msg string) { l.emit(slog.LevelWarn, msg) }
func (l slogLeveled) Warnf(format string, args ...any) {
	l.emit(slog.LevelWarn, fmt.Sprintf(format, args...))
}
func (l slogLeveled) Error(msg string) { l.emit(slog.LevelError, msg) }
func (l slogLeveled) Errorf(format string, args ...any) {
	l.emit(slog.LevelError, fmt.Sprintf(format, args...))
}
