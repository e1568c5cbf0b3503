// Apple Event handler for links (macurl_darwin.go). Kept in its own file:
// a cgo preamble next to //export may only declare, never define.
#import <Cocoa/Cocoa.h>
#include "_cgo_export.h"

@interface ParleyURLHandler : NSObject
- (void)handleGetURLEvent:(NSAppleEventDescriptor *)event withReplyEvent:(NSAppleEventDescriptor *)reply;
@end

@implementation ParleyURLHandler
- (void)handleGetURLEvent:(NSAppleEventDescriptor *)event withReplyEvent:(NSAppleEventDescriptor *)reply {
	// keyDirectObject ('----') holds the URL as text. The four-character
	// codes are spelt out so nothing hangs on which header defines them.
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
	[[NSAppleEventManager sharedAppleEventManager] setEventHandler:parleyHandler
		andSelector:@selector(handleGetURLEvent:withReplyEvent:)
		forEventClass:'GURL' andEventID:'GURL']; // kInternetEventClass, kAEGetURL
}

void parleyListenForURLs(void) {
	parleyHandler = [ParleyURLHandler new];
	parleyInstallHandler();
	// AppKit installs its own Apple Event handlers while the application
	// launches; as Apple advises, install ours again from "will finish
	// launching", which comes after AppKit's and before the launch event
	// is dispatched.
	parleyObserver = [[NSNotificationCenter defaultCenter]
		addObserverForName:NSApplicationWillFinishLaunchingNotification
		object:nil queue:nil usingBlock:^(NSNotification *note) {
			parleyInstallHandler();
		}];
}
