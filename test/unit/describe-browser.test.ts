/**
 * Browser identification over real user-agent strings: the three engines and the browsers built on WebKit
 * outside Apple, whose user agents imitate Safari's (WebKitGTK was once read as "safari 60.5").
 */
import { describe, expect, it } from 'vitest';
import { describeBrowser } from '../../src/env/capabilities.ts';

const SAFARI_MAC_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15';

describe.each([
  {
    label: "WebKitGTK 2.50's MiniBrowser (Debian 12)",
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15',
    platform: 'Linux x86_64',
    want: { name: 'webkit', version: 'unknown', os: 'Linux' },
  },
  {
    label: 'WebKitGTK with its platform unknown',
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15',
    platform: '',
    want: { name: 'webkit', version: 'unknown', os: 'Linux' },
  },
  {
    label: 'Epiphany 3.38 (GNOME Web)',
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15 Epiphany/605.1.15',
    platform: 'Linux x86_64',
    want: { name: 'epiphany', version: 'unknown', os: 'Linux' },
  },
  {
    label: 'Epiphany on Ubuntu',
    ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.0 Safari/605.1.15 Epiphany/605.1.15',
    platform: 'Linux x86_64',
    want: { name: 'epiphany', version: 'unknown', os: 'Linux' },
  },
  {
    label: "a recent Epiphany or WPE WebKit, which send Safari's macOS user agent from Linux",
    ua: SAFARI_MAC_UA,
    platform: 'Linux x86_64',
    want: { name: 'webkit', version: 'unknown', os: 'Linux' },
  },
  {
    label: 'Safari 17 on macOS',
    ua: SAFARI_MAC_UA,
    platform: 'MacIntel',
    want: { name: 'safari', version: '17.4.1', os: 'macOS Catalina' },
  },
  {
    label: 'Safari 17 on an iPhone',
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1',
    platform: 'iPhone',
    want: { name: 'safari', version: '17.4.1', os: 'iOS 17.4.1' },
  },
  {
    label: 'headless Chromium 156 (Debian 12)',
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
    platform: 'Linux x86_64',
    want: { name: 'chromium', version: '156.0.0.0', os: 'Linux' },
  },
  {
    label: 'Chrome on Android',
    ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
    platform: 'Linux armv81',
    want: { name: 'chromium', version: '124.0.0.0', os: 'Android 10' },
  },
  {
    label: 'Firefox ESR 153 (Debian 12)',
    ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0',
    platform: 'Linux x86_64',
    want: { name: 'firefox', version: '153.0', os: 'Linux' },
  },
])('$label', ({ ua, platform, want }) => {
  it(`is ${want.name} ${want.version} on ${want.os}`, () => {
    expect(describeBrowser(ua, platform)).toEqual(want);
  });
});
