"""The Xen system as a machine of the harness: Xen 4.17 under QEMU (virtualization=on), a
Linux Dom0 running vbe-xen (boards/xen_dom0_linux), and one dom0less Linux DomU per guest of
a system description, whose virtio-scmi and virtio-i2c devices vbe-xen serves over IOREQ.

- :mod:`pyhost.xen.artefacts`: build and cache what boots (hypervisor, Dom0, DomUs);
- :mod:`pyhost.xen.console`: Xen's one serial line, split into Xen's, Dom0's and each
  DomU's output, and Xen's input switch;
- :mod:`pyhost.xen.system`: boot, drive the consoles, the go signal, shut down.

docs/xen.md has the whole picture.
"""
