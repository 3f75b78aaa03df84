#!/bin/sh
# Installs what the browser tests need, only when it is missing:
# Debian's chromium (Playwright drives it through executable_path; Playwright's own
# browser download does not work here) and the Noto CJK fonts so Korean renders.
set -eu
need=""
[ -x /usr/bin/chromium ] || need="chromium"
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need="$need fonts-noto-cjk"
if [ -z "$need" ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086  # $need is a word list on purpose
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $need
