# shellcheck shell=bash
# Helpers for the image tests (tests/e2e/image_*.sh, label `image`): the base rootfs cache, podman builds,
# and a container run the way this machine allows (docs/testing.md, "The service image"). Sourced after
# lib.sh.
#
# `podman run` cannot start a container here (setrlimit RLIMIT_NOFILE is not permitted), so a container is:
# the container's file system (podman create + podman mount: the image's layers and a writable one), its
# /data volume a folder of the test bind-mounted over /data, /proc mounted, in a new mount and PID namespace
# (unshare), where the image's entrypoint runs as PID 1 as the image's user (chroot --userspec) with the
# image's environment and working folder. The namespace takes its mounts and every process with it when
# PID 1 ends; the network is the host's, and the service binds 127.0.0.1 only.

# The rootfs cache, shared by the image tests of a build tree (made once, under a lock; see image_base.sh).
IMAGE_CACHE=${DF_IMAGE_CACHE:-$(cd -- "$DF_BIN/.." && pwd -P)/image-cache}

# image_preflight: skips (exit 77, with the reason) when this machine cannot build and run images.
image_preflight() {
  ((EUID == 0)) || skip "the image tests need root (podman's chroot builds, mount, chroot): run ctest as root"
  local tool missing=()
  for tool in podman debootstrap unshare nsenter chroot flock tar curl jq; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || skip "${missing[*]} not installed: apt-get install podman debootstrap (.ci/run does)"
}

# debian_mirror: the Debian mirror apt already uses for bookworm (one-line or deb822 sources), e.g.
# http://deb.debian.org/debian; fails when there is none.
debian_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                       if ($(i + 1) == "bookworm") { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    # deb822 stanzas, separated by blank lines: Types has deb, Suites has bookworm; the first URI.
    awk 'BEGIN { RS = ""; FS = "\n" }
         { deb = 0; suite = 0; uri = ""
           for (i = 1; i <= NF; i++) {
             if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
             if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suite = 1
             if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); uri = w[2] }
           }
           if (deb && suite && uri != "") { print uri; exit } }' "$f"
  done
}

# base_rootfs_tar MIRROR: the cached rootfs tarball for that mirror.
base_rootfs_tar() {
  echo "$IMAGE_CACHE/debian-12-minbase-$(printf '%s' "$1" | sha256sum | cut -c1-12).tar"
}

# deadline_wait SECONDS WHAT COMMAND...: runs COMMAND until it succeeds; fails after SECONDS, naming WHAT.
deadline_wait() {
  local seconds=$1 what=$2
  shift 2
  local end=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < end)) || fail "timed out after ${seconds}s waiting for $what"
    sleep 0.2
  done
}
