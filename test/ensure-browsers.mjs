// Makes sure the real browsers the tests drive are installed: Debian's chromium, firefox-esr,
// mesa-vulkan-drivers (lavapipe, the Vulkan driver Firefox's WebGPU needs on a machine with no GPU), and
// WebKitGTK's WebDriver (webkit2gtk-driver, which brings the MiniBrowser) with xvfb for its display.
// Installs them when missing and this machine allows it (root with apt-get); otherwise says what to install.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const firefox = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const webkitDriver = process.env.WEBKIT_WEBDRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const xvfb = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';
const hasLavapipe = () => {
  const dir = '/usr/share/vulkan/icd.d';
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('lvp_icd'));
};

const missing = [];
if (!existsSync(chromium)) missing.push('chromium');
if (!existsSync(firefox)) missing.push('firefox-esr');
if (!hasLavapipe()) missing.push('mesa-vulkan-drivers');
if (!existsSync(webkitDriver)) missing.push('webkit2gtk-driver');
if (!existsSync(xvfb)) missing.push('xvfb');

if (missing.length === 0) process.exit(0);

const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!canInstall) {
  console.error(`The browser tests need: ${missing.join(', ')}.\nInstall them with (as root):\n  ${command}`);
  process.exit(1);
}
console.error(`Installing ${missing.join(', ')} from Debian's packages...`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
