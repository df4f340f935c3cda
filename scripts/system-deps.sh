#!/usr/bin/env bash
# Install the Debian packages the test suite uses, when they are missing.
set -euo pipefail
packages=(softhsm2 oathtool openssl)
packages+=(poppler-utils libnss3-tools)  # pdfsig, pdftoppm and certutil: signed-PDF oracles
packages+=(chromium chromium-headless-shell)  # the web app's browser tests (Playwright drives them; never its own downloads)
packages+=(nodejs)  # node --test runs the browser token's algorithms under WebCrypto (tests/js)
packages+=(xmlsec1)  # xmlsec1 --verify: the XML-DSig oracle of the XAdES-signed invoices
packages+=(postgresql-client)  # pg_dump and pg_restore: `kyso backup` / `kyso restore` on PostgreSQL
packages+=(nginx)  # the reverse proxy of the failover topology test (tests/operations/test_failover.py)
packages+=(zbar-tools)  # zbarimg reads the QR code of a signed stamp (tests of /v/<id>)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
# another process (unattended upgrades on a fresh machine) may hold the dpkg lock: wait for it
lock=(-o DPkg::Lock::Timeout=600)
"${sudo_cmd[@]}" apt-get "${lock[@]}" update -qq
"${sudo_cmd[@]}" apt-get "${lock[@]}" install -y -qq --no-install-recommends "${missing[@]}"
