#!/usr/bin/env bash
# Makes sure the system programs the tests drive are present: Debian's Chromium, Firefox ESR and WebKitGTK
# (with Xvfb and Mesa), Orthanc with its DICOMweb plugin, and the reference decoders the image-type tests
# compare the screen with (DCMTK's dcmdjpeg, dcmdjpls, dcmdrle; OpenJPEG's opj_decompress), and Redis (the gateway's shared token state). As root it installs them with apt-get; otherwise it prints
# the exact command and stops.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/Orthanc ] || command -v Orthanc >/dev/null 2>&1 || missing+=(orthanc)
[ -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || missing+=(orthanc-dicomweb)
command -v dcmdjpls >/dev/null 2>&1 || missing+=(dcmtk)
command -v opj_decompress >/dev/null 2>&1 || missing+=(libopenjp2-tools)
# The other browser engines (test/support/engine-launchers.ts): Firefox ESR, WebKitGTK's WebDriver and
# MiniBrowser, the virtual X display they draw on, and Mesa's software OpenGL for their WebGL.
command -v firefox-esr >/dev/null 2>&1 || missing+=(firefox-esr)
command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
[ -n "$(ls /usr/lib/*/dri/swrast_dri.so /usr/lib/*/dri/llvmpipe_dri.so 2>/dev/null)" ] || missing+=(libgl1-mesa-dri)
[ -x /usr/bin/redis-server ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

command_line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing missing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Orthanc's Debian package starts a system service on port 8042; the tests start their own instance.
  # So does Redis's, on port 6379; the gateway tests start theirs on a free port.
  if command -v service >/dev/null 2>&1; then
    service orthanc stop >/dev/null 2>&1 || true
    service redis-server stop >/dev/null 2>&1 || true
  fi
else
  echo "The tests need ${missing[*]}. Run, as root:" >&2
  echo "  $command_line" >&2
  exit 1
fi
