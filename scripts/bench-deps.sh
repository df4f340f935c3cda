#!/usr/bin/env bash
# Install what `make bench` needs beyond the test suite: Debian's wrk (the load generator),
# nginx (in front of the one-node and two-node runs of bench/nodes.py) and valgrind
# (bench/rest_instructions.py counts instructions with its callgrind).
set -euo pipefail
packages=()
for p in wrk nginx valgrind; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || packages+=("$p")
done
[ "${#packages[@]}" -eq 0 ] && exit 0
echo "installing Debian packages: ${packages[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
# another process (unattended upgrades, another engineer's install) may hold the dpkg lock
lock=(-o DPkg::Lock::Timeout=600)
"${sudo_cmd[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends "${packages[@]}" \
  || { "${sudo_cmd[@]}" apt-get "${lock[@]}" update -qq
       "${sudo_cmd[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends "${packages[@]}"; }
