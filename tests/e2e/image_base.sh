#!/usr/bin/env bash
# The base for the image tests (ctest fixture `image_base`): a Debian 12 rootfs (debootstrap --variant=minbase
# bookworm from the mirror apt already uses), kept as a tarball in the build tree's image cache and made only
# when it is missing, under a lock, so every image test of this run (and later runs in this build tree) reuses
# it. No image registry is involved. `rm -rf build/image-cache` makes the next run fetch a fresh one.
# shellcheck source=lib.sh source-path=SCRIPTDIR
source "$(dirname "$0")/lib.sh"
# shellcheck source=image_lib.sh
source "$(dirname "$0")/image_lib.sh"

image_preflight
mirror=$(debian_mirror | head -n 1)
[[ -n $mirror ]] || skip "apt has no Debian mirror for bookworm configured (/etc/apt/sources.list*)"
curl -fsS --max-time 20 -o /dev/null "$mirror/dists/bookworm/Release" ||
  skip "the Debian mirror $mirror does not answer (offline?): the image tests need it for debootstrap and apt-get"

mkdir -p "$IMAGE_CACHE"
tarball=$(base_rootfs_tar "$mirror")
exec 9>"$IMAGE_CACHE/lock"
flock -w 900 9 || fail "another run held $IMAGE_CACHE/lock for 15 minutes"

if [[ -s $tarball ]]; then
  step "the cached base rootfs: $tarball"
else
  step "debootstrap --variant=minbase bookworm from $mirror (once per build tree)"
  root=$WORK/rootfs
  # In a mount namespace of its own: whatever debootstrap mounts in the target is gone when it ends.
  # Under ctest's timeout, so that a stalled download still ends in this script's clean-up.
  if ! timeout 600 unshare --mount --propagation private \
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1; then
    fail "debootstrap failed (or took over 600 s): $(tail -n 20 "$WORK/debootstrap.log")"
  fi
  [[ -x $root/bin/bash && -f $root/etc/debian_version ]] || fail "debootstrap left no usable rootfs in $root"
  grep -q '^12\.' "$root/etc/debian_version" || fail "not Debian 12: $(cat "$root/etc/debian_version")"
  tar -C "$root" --numeric-owner -cf "$tarball.partial" . || fail "could not write $tarball.partial"
  mv -- "$tarball.partial" "$tarball"
fi
tar -tf "$tarball" ./etc/debian_version >/dev/null || fail "the cached base rootfs $tarball is unreadable"
echo "ok"
