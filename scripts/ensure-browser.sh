#!/usr/bin/env sh
# The browser tests need Debian's headless Chromium and its driver. `make test` calls this first:
# present -> nothing to do; missing and we are root with apt-get (CI, a fresh container) -> install;
# otherwise stop with the one command that installs them. Browser tests are never skipped.
set -eu
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium and chromium-driver for the browser tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
  exit 0
fi
echo "The browser tests need Chromium and ChromeDriver, which are not installed." >&2
echo "Install them with:   sudo apt-get install chromium chromium-driver   (Debian/Ubuntu)" >&2
echo "or run the suite without them explicitly:   make test-fast" >&2
exit 1
