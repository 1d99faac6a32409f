"""The Linux guest: build and cache its kernel (kernel) and initramfs (initramfs), merge
vbe's devicetree fragment into QEMU's tree (dt), boot it and run commands in it (guest).
docs/linux-guest.md describes all of it."""
