/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for include/zephyr/devicetree.h with devicetree/clocks.h and devicetree/reset.h:
 * the macros the port uses, expanding to the token names Zephyr's generated
 * devicetree_generated.h defines (node identifiers DT_N_S_<path>, properties
 * <node>_P_<prop>..., DT_FOREACH_OKAY_<compat>, DT_COMPAT_HAS_OKAY_<compat>, <node>_ORD).
 * tests/zephyr/fake_dt.py writes that header for each test tree. As in Zephyr, a macro on a
 * node or property that the tree does not have expands to an undefined identifier and does
 * not compile, and DT_FOREACH_STATUS_OKAY on a compatible with no enabled node expands to
 * nothing without naming DT_FOREACH_OKAY_<compat>.
 */
#ifndef STUB_ZEPHYR_DEVICETREE_H
#define STUB_ZEPHYR_DEVICETREE_H

#include <zephyr/sys/util.h>

#include "devicetree_generated.h"

#define DT_CAT(a1, a2)                     a1##a2
#define DT_CAT3(a1, a2, a3)                a1##a2##a3
#define DT_CAT4(a1, a2, a3, a4)            a1##a2##a3##a4
#define DT_CAT5(a1, a2, a3, a4, a5)        a1##a2##a3##a4##a5
#define DT_CAT6(a1, a2, a3, a4, a5, a6)    a1##a2##a3##a4##a5##a6
#define DT_CAT7(a1, a2, a3, a4, a5, a6, a7) a1##a2##a3##a4##a5##a6##a7

#define DT_ROOT                  DT_N
#define DT_NODELABEL(label)      DT_CAT(DT_N_NODELABEL_, label)
#define DT_CHOSEN(prop)          DT_CAT(DT_CHOSEN_, prop)
#define DT_HAS_CHOSEN(prop)      IS_ENABLED(DT_CAT3(DT_CHOSEN_, prop, _EXISTS))
#define DT_NODE_EXISTS(node_id)  IS_ENABLED(DT_CAT(node_id, _EXISTS))
#define DT_NODE_HAS_STATUS(node_id, status) IS_ENABLED(DT_CAT3(node_id, _STATUS_, status))
#define DT_NODE_HAS_STATUS_OKAY(node_id)    DT_NODE_HAS_STATUS(node_id, okay)
#define DT_NODE_HAS_COMPAT(node_id, compat) IS_ENABLED(DT_CAT3(node_id, _COMPAT_MATCHES_, compat))
#define DT_HAS_COMPAT_STATUS_OKAY(compat)   IS_ENABLED(DT_CAT(DT_COMPAT_HAS_OKAY_, compat))
#define DT_NODE_HAS_PROP(node_id, prop)     IS_ENABLED(DT_CAT4(node_id, _P_, prop, _EXISTS))
#define DT_NODE_FULL_NAME(node_id)          DT_CAT(node_id, _FULL_NAME)
#define DT_DEP_ORD(node_id)                 DT_CAT(node_id, _ORD)

#define DT_PROP(node_id, prop)                DT_CAT3(node_id, _P_, prop)
#define DT_PROP_BY_IDX(node_id, prop, idx)    DT_CAT5(node_id, _P_, prop, _IDX_, idx)
#define DT_PHANDLE_BY_IDX(node_id, prop, idx) DT_CAT6(node_id, _P_, prop, _IDX_, idx, _PH)
#define DT_PHANDLE(node_id, prop)             DT_PHANDLE_BY_IDX(node_id, prop, 0)
#define DT_PHA_BY_IDX(node_id, pha, idx, cell)                                                     \
	DT_CAT7(node_id, _P_, pha, _IDX_, idx, _VAL_, cell)
#define DT_STRING_TOKEN(node_id, prop)       DT_CAT4(node_id, _P_, prop, _STRING_TOKEN)
#define DT_STRING_UPPER_TOKEN(node_id, prop) DT_CAT4(node_id, _P_, prop, _STRING_UPPER_TOKEN)
#define DT_REG_ADDR(node_id)                 DT_REG_ADDR_BY_IDX(node_id, 0)
#define DT_REG_SIZE(node_id)                 DT_REG_SIZE_BY_IDX(node_id, 0)
#define DT_REG_ADDR_BY_IDX(node_id, idx)     DT_CAT4(node_id, _REG_IDX_, idx, _VAL_ADDRESS)
#define DT_REG_SIZE_BY_IDX(node_id, idx)     DT_CAT4(node_id, _REG_IDX_, idx, _VAL_SIZE)
#define DT_NUM_REGS(node_id)                 DT_CAT(node_id, _REG_NUM)
/* DT_INST(inst, compat): instance numbers of the enabled nodes of a compatible */
#define DT_INST(inst, compat)                UTIL_CAT(DT_N_INST, DT_CAT4(_, inst, _, compat))

#define DT_FOREACH_STATUS_OKAY(compat, fn)                                                         \
	COND_CODE_1(DT_HAS_COMPAT_STATUS_OKAY(compat), (UTIL_CAT(DT_FOREACH_OKAY_, compat)(fn)), ())
#define DT_FOREACH_STATUS_OKAY_NODE(fn)           DT_FOREACH_OKAY_HELPER(fn)
#define DT_FOREACH_CHILD_STATUS_OKAY(node_id, fn) DT_CAT(node_id, _FOREACH_CHILD_STATUS_OKAY)(fn)

/* devicetree/clocks.h */
#define DT_CLOCKS_CTLR(node_id)       DT_PHANDLE_BY_IDX(node_id, clocks, 0)
#define DT_CLOCKS_CELL(node_id, cell) DT_PHA_BY_IDX(node_id, clocks, 0, cell)

/* devicetree/reset.h */
#define DT_RESET_CTLR(node_id) DT_PHANDLE_BY_IDX(node_id, resets, 0)
#define DT_RESET_ID(node_id)   DT_PHA_BY_IDX(node_id, resets, 0, id)

#endif /* STUB_ZEPHYR_DEVICETREE_H */
