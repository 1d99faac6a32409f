/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SCMI and virtio-scmi wire constants, as the SCMI specification (DEN0056E, SCMI v3.2) and
 * the virtio specification (1.2, 5.17) define them. Section numbers are DEN0056E's.
 *
 * Plain integer #defines only (and the status enum), no includes, no expressions: pyhost
 * reads this header with pyhost.headers.defines(), so the Python agent and the C server
 * share one definition.
 */

#ifndef VBE_SCMI_WIRE_H
#define VBE_SCMI_WIRE_H

/* ---- virtio-scmi (virtio 1.2, 5.17) ---- */
#define VBE_SCMI_VQ_CMDQ 0
#define VBE_SCMI_VQ_EVENTQ 1
#define VBE_SCMI_F_P2A_CHANNELS 0  /* feature bit: eventq exists */
#define VBE_SCMI_F_SHARED_MEMORY 1 /* feature bit: not offered */

/* ---- message header (4.1.1): le32 ---- */
#define VBE_SCMI_HDR_ID_SHIFT 0     /* message id, bits 7:0 */
#define VBE_SCMI_HDR_ID_MASK 0xff
#define VBE_SCMI_HDR_TYPE_SHIFT 8   /* message type, bits 9:8 */
#define VBE_SCMI_HDR_TYPE_MASK 0x3
#define VBE_SCMI_HDR_PROTO_SHIFT 10 /* protocol id, bits 17:10 */
#define VBE_SCMI_HDR_PROTO_MASK 0xff
#define VBE_SCMI_HDR_TOKEN_SHIFT 18 /* token, bits 27:18 */
#define VBE_SCMI_HDR_TOKEN_MASK 0x3ff

#define VBE_SCMI_TYPE_COMMAND 0
#define VBE_SCMI_TYPE_DELAYED_RESPONSE 2
#define VBE_SCMI_TYPE_NOTIFICATION 3

/* Payload after the header: status + return values, at most this many bytes (Linux virtio). */
#define VBE_SCMI_PAYLOAD_MAX 128
/* Longest short name field, NUL included (16), and extended name (NAME_GET, 64). */
#define VBE_SCMI_NAME_SIZE 16
#define VBE_SCMI_EXT_NAME_SIZE 64

/* ---- protocol ids (4.1.2) ---- */
#define VBE_SCMI_PROTO_BASE 0x10
#define VBE_SCMI_PROTO_POWER 0x11
#define VBE_SCMI_PROTO_SYSTEM 0x12
#define VBE_SCMI_PROTO_PERF 0x13
#define VBE_SCMI_PROTO_CLOCK 0x14
#define VBE_SCMI_PROTO_SENSOR 0x15
#define VBE_SCMI_PROTO_RESET 0x16
#define VBE_SCMI_PROTO_VOLTAGE 0x17

/* ---- protocol versions served (the versions Linux 6.12+ supports) ---- */
#define VBE_SCMI_VERSION_BASE 0x20001
#define VBE_SCMI_VERSION_POWER 0x30001
#define VBE_SCMI_VERSION_SYSTEM 0x20001
#define VBE_SCMI_VERSION_PERF 0x40000
#define VBE_SCMI_VERSION_CLOCK 0x30000
#define VBE_SCMI_VERSION_SENSOR 0x30001
#define VBE_SCMI_VERSION_RESET 0x30001
#define VBE_SCMI_VERSION_VOLTAGE 0x20001

/* ---- messages every protocol has (4.1.3) ---- */
#define VBE_SCMI_MSG_PROTOCOL_VERSION 0x0
#define VBE_SCMI_MSG_PROTOCOL_ATTRIBUTES 0x1
#define VBE_SCMI_MSG_PROTOCOL_MESSAGE_ATTRIBUTES 0x2
#define VBE_SCMI_MSG_NEGOTIATE_PROTOCOL_VERSION 0x10

/* ---- base (4.2) ---- */
#define VBE_SCMI_BASE_DISCOVER_VENDOR 0x3
#define VBE_SCMI_BASE_DISCOVER_SUB_VENDOR 0x4
#define VBE_SCMI_BASE_DISCOVER_IMPLEMENTATION_VERSION 0x5
#define VBE_SCMI_BASE_DISCOVER_LIST_PROTOCOLS 0x6
#define VBE_SCMI_BASE_DISCOVER_AGENT 0x7
#define VBE_SCMI_BASE_NOTIFY_ERRORS 0x8
#define VBE_SCMI_BASE_SET_DEVICE_PERMISSIONS 0x9
#define VBE_SCMI_BASE_SET_PROTOCOL_PERMISSIONS 0xa
#define VBE_SCMI_BASE_RESET_AGENT_CONFIGURATION 0xb
#define VBE_SCMI_BASE_AGENT_SELF 0xffffffff /* DISCOVER_AGENT: the calling agent */
#define VBE_SCMI_BASE_AGENT_PLATFORM 0      /* agent id 0 is the platform */

/* ---- power domain (4.3) ---- */
#define VBE_SCMI_POWER_DOMAIN_ATTRIBUTES 0x3
#define VBE_SCMI_POWER_STATE_SET 0x4
#define VBE_SCMI_POWER_STATE_GET 0x5
#define VBE_SCMI_POWER_STATE_NOTIFY 0x6
#define VBE_SCMI_POWER_DOMAIN_NAME_GET 0x8
#define VBE_SCMI_POWER_STATE_CHANGED 0x0 /* notification */
#define VBE_SCMI_POWER_ON 0x0
#define VBE_SCMI_POWER_OFF 0x40000000

/* ---- system power (4.4) ---- */
#define VBE_SCMI_SYSTEM_POWER_STATE_SET 0x3
#define VBE_SCMI_SYSTEM_POWER_STATE_GET 0x4
#define VBE_SCMI_SYSTEM_POWER_STATE_NOTIFY 0x5
#define VBE_SCMI_SYSTEM_POWER_STATE_NOTIFIER 0x0 /* notification */
#define VBE_SCMI_SYSTEM_SHUTDOWN 0
#define VBE_SCMI_SYSTEM_COLD_RESET 1
#define VBE_SCMI_SYSTEM_WARM_RESET 2
#define VBE_SCMI_SYSTEM_POWER_UP 3
#define VBE_SCMI_SYSTEM_SUSPEND 4

/* ---- performance (4.5) ---- */
#define VBE_SCMI_PERF_DOMAIN_ATTRIBUTES 0x3
#define VBE_SCMI_PERF_DESCRIBE_LEVELS 0x4
#define VBE_SCMI_PERF_LIMITS_SET 0x5
#define VBE_SCMI_PERF_LIMITS_GET 0x6
#define VBE_SCMI_PERF_LEVEL_SET 0x7
#define VBE_SCMI_PERF_LEVEL_GET 0x8
#define VBE_SCMI_PERF_NOTIFY_LIMITS 0x9
#define VBE_SCMI_PERF_NOTIFY_LEVEL 0xa
#define VBE_SCMI_PERF_DESCRIBE_FASTCHANNEL 0xb
#define VBE_SCMI_PERF_DOMAIN_NAME_GET 0xc
#define VBE_SCMI_PERF_LIMITS_CHANGED 0x0 /* notification */
#define VBE_SCMI_PERF_LEVEL_CHANGED 0x1  /* notification */

/* ---- clock (4.6) ---- */
#define VBE_SCMI_CLOCK_ATTRIBUTES 0x3
#define VBE_SCMI_CLOCK_DESCRIBE_RATES 0x4
#define VBE_SCMI_CLOCK_RATE_SET 0x5
#define VBE_SCMI_CLOCK_RATE_GET 0x6
#define VBE_SCMI_CLOCK_CONFIG_SET 0x7
#define VBE_SCMI_CLOCK_NAME_GET 0x8
#define VBE_SCMI_CLOCK_RATE_NOTIFY 0x9
#define VBE_SCMI_CLOCK_RATE_CHANGE_REQUESTED_NOTIFY 0xa
#define VBE_SCMI_CLOCK_CONFIG_GET 0xb
#define VBE_SCMI_CLOCK_GET_PERMISSIONS 0xf
#define VBE_SCMI_CLOCK_RATE_CHANGED 0x0           /* notification */
#define VBE_SCMI_CLOCK_RATE_CHANGE_REQUESTED 0x1  /* notification */
#define VBE_SCMI_CLOCK_SET_ASYNC 0x1              /* CLOCK_RATE_SET flags */
#define VBE_SCMI_CLOCK_SET_IGNORE_DELAYED 0x2
#define VBE_SCMI_CLOCK_SET_ROUND_UP 0x4
#define VBE_SCMI_CLOCK_SET_ROUND_AUTO 0x8
#define VBE_SCMI_CLOCK_STATE_DISABLE 0            /* CLOCK_CONFIG_SET attributes bits 1:0 */
#define VBE_SCMI_CLOCK_STATE_ENABLE 1
#define VBE_SCMI_CLOCK_STATE_UNCHANGED 3
#define VBE_SCMI_CLOCK_RATES_RANGE 0x1000         /* DESCRIBE_RATES: bit 12, triplet format */

/* ---- sensor (4.7) ---- */
#define VBE_SCMI_SENSOR_DESCRIPTION_GET 0x3
#define VBE_SCMI_SENSOR_TRIP_POINT_NOTIFY 0x4
#define VBE_SCMI_SENSOR_TRIP_POINT_CONFIG 0x5
#define VBE_SCMI_SENSOR_READING_GET 0x6
#define VBE_SCMI_SENSOR_AXIS_DESCRIPTION_GET 0x7
#define VBE_SCMI_SENSOR_LIST_UPDATE_INTERVALS 0x8
#define VBE_SCMI_SENSOR_CONFIG_GET 0x9
#define VBE_SCMI_SENSOR_CONFIG_SET 0xa
#define VBE_SCMI_SENSOR_CONTINUOUS_UPDATE_NOTIFY 0xb
#define VBE_SCMI_SENSOR_NAME_GET 0xc
#define VBE_SCMI_SENSOR_TRIP_POINT_EVENT 0x0 /* notification */
#define VBE_SCMI_SENSOR_READ_ASYNC 0x1       /* SENSOR_READING_GET flags */
#define VBE_SCMI_SENSOR_TP_DISABLED 0        /* trip point event control bits 1:0 */
#define VBE_SCMI_SENSOR_TP_POSITIVE 1
#define VBE_SCMI_SENSOR_TP_NEGATIVE 2
#define VBE_SCMI_SENSOR_TP_BOTH 3
#define VBE_SCMI_SENSOR_TP_ID_SHIFT 4        /* trip point id, bits 11:4 */
#define VBE_SCMI_SENSOR_TP_ASCENDING 0x10000 /* trip_point_desc bit 16: crossed upwards */
#define VBE_SCMI_SENSOR_UNIT_DEGC 2          /* sensor type: degrees Celsius */
#define VBE_SCMI_SENSOR_UNIT_VOLTS 5
#define VBE_SCMI_SENSOR_UNIT_AMPS 6
#define VBE_SCMI_SENSOR_UNIT_WATTS 7
#define VBE_SCMI_SENSOR_UNIT_RPM 19

/* ---- reset domain (4.8) ---- */
#define VBE_SCMI_RESET_DOMAIN_ATTRIBUTES 0x3
#define VBE_SCMI_RESET 0x4
#define VBE_SCMI_RESET_NOTIFY 0x5
#define VBE_SCMI_RESET_DOMAIN_NAME_GET 0x6
#define VBE_SCMI_RESET_ISSUED 0x0   /* notification */
#define VBE_SCMI_RESET_AUTONOMOUS 0x1 /* RESET flags */
#define VBE_SCMI_RESET_EXPLICIT_ASSERT 0x2
#define VBE_SCMI_RESET_ASYNC 0x4
#define VBE_SCMI_RESET_ARCH_COLD 0  /* reset_state: architectural cold reset */

/* ---- voltage domain (4.9) ---- */
#define VBE_SCMI_VOLTAGE_DOMAIN_ATTRIBUTES 0x3
#define VBE_SCMI_VOLTAGE_DESCRIBE_LEVELS 0x4
#define VBE_SCMI_VOLTAGE_CONFIG_SET 0x5
#define VBE_SCMI_VOLTAGE_CONFIG_GET 0x6
#define VBE_SCMI_VOLTAGE_LEVEL_SET 0x7
#define VBE_SCMI_VOLTAGE_LEVEL_GET 0x8
#define VBE_SCMI_VOLTAGE_DOMAIN_NAME_GET 0x9
#define VBE_SCMI_VOLTAGE_ARCH_OFF 0x0 /* config bits 3:0 */
#define VBE_SCMI_VOLTAGE_ARCH_ON 0x7
#define VBE_SCMI_VOLTAGE_SET_ASYNC 0x1 /* VOLTAGE_LEVEL_SET flags */
#define VBE_SCMI_VOLTAGE_LEVELS_RANGE 0x1000 /* DESCRIBE_LEVELS: bit 12, triplet format */

/** Status codes (4.1.4). Only these reach the wire; internal code uses negative errno. */
enum vbe_scmi_status {
	VBE_SCMI_SUCCESS = 0,
	VBE_SCMI_NOT_SUPPORTED = -1,
	VBE_SCMI_INVALID_PARAMETERS = -2,
	VBE_SCMI_DENIED = -3,
	VBE_SCMI_NOT_FOUND = -4,
	VBE_SCMI_OUT_OF_RANGE = -5,
	VBE_SCMI_BUSY = -6,
	VBE_SCMI_COMMS_ERROR = -7,
	VBE_SCMI_GENERIC_ERROR = -8,
	VBE_SCMI_HARDWARE_ERROR = -9,
	VBE_SCMI_PROTOCOL_ERROR = -10,
	VBE_SCMI_IN_USE = -11,
	VBE_SCMI_STATUS_COUNT = 12, /* how many codes there are, not a code */
};

#endif /* VBE_SCMI_WIRE_H */
