"""vhost-user back-end: the C core's devices served to a front-end (QEMU) over a socket.

``protocol`` is the wire codec, ``backend`` the binding to the core (vbe/vhu.h through
cffi), ``daemon`` the socket server behind ``vbe serve``. See docs/vhost-user.md.
"""
