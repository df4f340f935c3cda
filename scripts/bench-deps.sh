#!/usr/bin/env bash
# Install what `make bench` needs beyond the test suite: Debian's wrk (the load generator).
set -euo pipefail
dpkg-query -W -f='${Status}' wrk 2>/dev/null | grep -q "install ok installed" && exit 0
echo "installing Debian packages: wrk"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
# another process (unattended upgrades, another engineer's install) may hold the dpkg lock
lock=(-o DPkg::Lock::Timeout=600)
"${sudo_cmd[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends wrk \
  || { "${sudo_cmd[@]}" apt-get "${lock[@]}" update -qq
       "${sudo_cmd[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends wrk; }
