// Drives the stand-in with the official Wazo JavaScript client (@wazo/sdk's
// bundled dist/wazo-sdk.js, path in PARLEY_WAZO_SDK). Input: PARLEY_JS_INPUT,
// a JSON object {server, narrow: {username, password}, missing: {...},
// calls: {h1, p1, p2, p3, h4, m1, mp1}}. Output: one JSON line per step,
// {"step", "ok", "status"?, "message"?, "value"?}.
'use strict';

const sdk = require(process.env.PARLEY_WAZO_SDK);
const input = JSON.parse(process.env.PARLEY_JS_INPUT);

function report(step, ok, extra) {
  process.stdout.write(JSON.stringify(Object.assign({ step, ok }, extra || {})) + '\n');
}

async function step(name, fn) {
  try {
    const value = await fn();
    report(name, true, { value: value === undefined ? null : value });
    return value;
  } catch (e) {
    report(name, false, { status: e.status, message: e.message, error: e.error || e.name });
    return null;
  }
}

async function signIn(who) {
  const client = new sdk.WazoApiClient({ server: input.server });
  const session = await client.auth.logIn({ username: who.username, password: who.password, expiration: 3600 });
  client.setToken(session.token);
  return { client, session };
}

(async () => {
  const c = input.calls;
  const { client, session } = await signIn(input.narrow);
  report('login', true, { value: session.uuid });
  const api = client.calld;
  await step('getUser', async () => (await client.confd.getUser(session.uuid)).id);
  await step('listCalls', async () => (await api.listCalls()).map((call) => call.id));
  await step('mute', () => api.mute(c.h4));
  await step('unmute', () => api.unmute(c.h4));
  await step('hold', () => api.hold(c.h4));
  await step('resume', () => api.resume(c.h4));
  await step('sendDTMF', () => api.sendDTMF(c.h4, '1#'));
  const conf = await step('createAdHocConference', async () => (await api.createAdHocConference(c.h1, [c.p1, c.p2])).conference_id);
  await step('addAdHocConferenceParticipant', () => api.addAdHocConferenceParticipant(conf, c.p3));
  await step('removeAdHocConferenceParticipant', () => api.removeAdHocConferenceParticipant(conf, c.p3));
  await step('deleteAdHocConference', () => api.deleteAdHocConference(conf));
  const tr = await step('transferCall', async () => (await api.transferCall(c.h4, '1002', 'attended')).id);
  await step('cancelCallTransfer', () => api.cancelCallTransfer(tr));
  await step('cancelCall', () => api.cancelCall(c.h4));

  // A token missing one ACL: the platform's 401 as the SDK reports it.
  const missing = await signIn(input.missing);
  const mconf = await step('missing:createAdHocConference', async () => (await missing.client.calld.createAdHocConference(c.m1, [c.mp1])).conference_id);
  await step('missing:removeAdHocConferenceParticipant', () => missing.client.calld.removeAdHocConferenceParticipant(mconf, c.mp1));
})().then(() => {
  // The SDK keeps timers (token renewal) alive: leave once stdout is out.
  process.stdout.write('', () => process.exit(0));
}, (e) => {
  report('fatal', false, { message: String(e && e.stack || e) });
  process.stdout.write('', () => process.exit(1));
});
