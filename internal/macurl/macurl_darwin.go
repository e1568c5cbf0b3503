//go:build darwin && cgo

package macurl

/*
#cgo CFLAGS: -x objective-c -fobjc-arc
#cgo LDFLAGS: -framework Cocoa
#import <Cocoa/Cocoa.h>

extern void parleyGotURL(char *url);

@interface ParleyURLHandler : NSObject
- (void)handleGetURLEvent:(NSAppleEventDescriptor *)event withReplyEvent:(NSAppleEventDescriptor *)reply;
@end

@implementation ParleyURLHandler
- (void)handleGetURLEvent:(NSAppleEventDescriptor *)event withReplyEvent:(NSAppleEventDescriptor *)reply {
	// keyDirectObject ('----') holds the URL as text.
	NSString *s = [[event paramDescriptorForKeyword:'----'] stringValue];
	if (s == nil) {
		return;
	}
	parleyGotURL((char *)[s UTF8String]);
}
@end

static ParleyURLHandler *parleyHandler;
static id parleyObserver;

static void parleyInstallHandler(void) {
	// kInternetEventClass and kAEGetURL are both 'GURL'.
	[[NSAppleEventManager sharedAppleEventManager] setEventHandler:parleyHandler
		andSelector:@selector(handleGetURLEvent:withReplyEvent:)
		forEventClass:'GURL' andEventID:'GURL'];
}

static void parleyListenForURLs(void) {
	parleyHandler = [ParleyURLHandler new];
	parleyInstallHandler();
	// AppKit installs its own handlers while the application launches; as
	// Apple advises, install ours again from "will finish launching", which
	// runs after AppKit's and before the launch event is dispatched.
	parleyObserver = [[NSNotificationCenter defaultCenter]
		addObserverForName:NSApplicationWillFinishLaunchingNotification
		object:nil queue:nil usingBlock:^(NSNotification *note) {
			parleyInstallHandler();
		}];
}
*/
import "C"

import "sync"

// urls is package state only because a cgo callback cannot carry a Go
// value; listenOnce keeps it written once.
var (
	listenOnce sync.Once
	urls       chan string
)

func listen() <-chan string {
	listenOnce.Do(func() {
		urls = make(chan string, 8)
		C.parleyListenForURLs()
	})
	return urls
}

//export parleyGotURL
func parleyGotURL(u *C.char) {
	// Runs on the main thread inside AppKit's event loop: never block it.
	select {
	case urls <- C.GoString(u):
	default:
	}
}
