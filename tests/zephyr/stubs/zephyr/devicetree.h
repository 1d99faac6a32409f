/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/devicetree.h and devicetree/clocks.h, reset.h: the macros the
 * port uses, with the same arguments and results, over the fake generated tree in
 * fake_devicetree.h (node identifiers are N_<name>, properties <node>_P_<prop>):
 *   DT_CHOSEN(prop), DT_NODE_EXISTS(node_id), DT_NODE_HAS_STATUS_OKAY(node_id),
 *   DT_NODE_HAS_PROP(node_id, prop), DT_PROP(node_id, prop), DT_REG_ADDR(node_id),
 *   DT_REG_SIZE(node_id), DT_NODELABEL(label), DT_PHANDLE(node_id, prop),
 *   DT_STRING_TOKEN(node_id, prop), DT_STRING_UPPER_TOKEN(node_id, prop),
 *   DT_FOREACH_STATUS_OKAY(compat, fn), DT_FOREACH_CHILD_STATUS_OKAY(node_id, fn),
 *   DT_CLOCKS_CTLR(node_id), DT_CLOCKS_CELL(node_id, cell),
 *   DT_RESET_CTLR_BY_IDX(node_id, idx), DT_RESET_ID_BY_IDX(node_id, idx).
 */
#ifndef STUB_ZEPHYR_DEVICETREE_H
#define STUB_ZEPHYR_DEVICETREE_H

#include <zephyr/sys/util.h>

#include "fake_devicetree.h"

#define DT_CAT(a, b) a##b
#define DT_CAT3(a, b, c) a##b##c
#define DT_CAT5(a, b, c, d, e) a##b##c##d##e

#define DT_CHOSEN(prop) DT_CAT(DT_CHOSEN_, prop)
#define DT_NODELABEL(label) DT_CAT(N_, label)
#define DT_NODE_EXISTS(node_id) STUB_IS1(DT_CAT(node_id, _EXISTS))
#define DT_NODE_HAS_STATUS_OKAY(node_id) STUB_IS1(DT_CAT(node_id, _STATUS_OKAY))
#define DT_NODE_HAS_PROP(node_id, prop) STUB_IS1(DT_CAT5(node_id, _P_, prop, _, EXISTS))
#define DT_PROP(node_id, prop) DT_CAT3(node_id, _P_, prop)
#define DT_REG_ADDR(node_id) DT_CAT(node_id, _REG_ADDR)
#define DT_REG_SIZE(node_id) DT_CAT(node_id, _REG_SIZE)
#define DT_PHANDLE(node_id, prop) DT_CAT3(node_id, _P_, prop)
#define DT_STRING_TOKEN(node_id, prop) DT_CAT5(node_id, _P_, prop, _, STRING_TOKEN)
#define DT_STRING_UPPER_TOKEN(node_id, prop) DT_CAT5(node_id, _P_, prop, _, STRING_UPPER_TOKEN)
#define DT_FOREACH_STATUS_OKAY(compat, fn) DT_CAT(DT_FOREACH_OKAY_, compat)(fn)
#define DT_FOREACH_CHILD_STATUS_OKAY(node_id, fn) DT_CAT(node_id, _FOREACH_CHILD_STATUS_OKAY)(fn)

#define DT_CLOCKS_CTLR(node_id) DT_CAT(node_id, _P_clocks_CTLR)
#define DT_CLOCKS_CELL(node_id, cell) DT_CAT3(node_id, _P_clocks_VAL_, cell)
#define DT_RESET_CTLR_BY_IDX(node_id, idx) DT_CAT(node_id, _P_resets_CTLR)
#define DT_RESET_ID_BY_IDX(node_id, idx) DT_CAT(node_id, _P_resets_VAL_id)

#endif
