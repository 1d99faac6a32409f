/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr port internals shared by main.c and the platform file. Not part of the core.
 */

#ifndef VBE_ZEPHYR_H
#define VBE_ZEPHYR_H

#include "port_zephyr.h"

#include <vbe/plat.h>
#include <vbe/sys.h>

/** I2C buses the port can name: devicetree chosen nodes vbe,i2c-bus0 .. vbe,i2c-bus3. */
#define VBE_ZEPHYR_I2C_BUSES 4

/**
 * @brief Check the platform against a system description and hand it out.
 *
 * Logs, for every bus the description names, the Zephyr device that serves it. A bus
 * without a ready device is reported and left in place: transfers on it fail with
 * -ENODEV, and the guests using it get an error status, while the other guests are served.
 *
 * @param cfg system description.
 * @param plat set to the Zephyr platform (static storage).
 * @retval 0 done.
 * @retval -EINVAL NULL argument.
 */
int vbe_zephyr_plat_init(const struct vbe_sys_cfg *cfg, const struct vbe_plat **plat);

#endif /* VBE_ZEPHYR_H */
