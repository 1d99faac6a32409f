/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vbe-guest: a static tool inside vbe's Linux guest (pyhost/linux/initramfs.py puts it at
 * /usr/bin/vbe-guest) that drives vbe's devices the way guest software does, through the
 * kernel's own interfaces, and times them.
 *
 *   vbe-guest i2c-bench BUS ADDR N      N I2C_RDWR transactions on /dev/i2c-BUS, each a 1-byte
 *                                        write (register 0) then a 1-byte read (repeated start)
 *   vbe-guest scmi-bench N              N SCMI BASE PROTOCOL_VERSION round trips through the
 *                                        SCMI raw interface, every reply checked for SUCCESS
 *   vbe-guest scmi-raw PROTO MSG [W...] one SCMI command, payload = the 32-bit words W
 *   vbe-guest mmio-bench ADDR N         N 32-bit reads of the register at physical ADDR
 *                                        through /dev/mem (on Xen: one trapped access each,
 *                                        answered by the IOREQ server)
 *
 * Numbers: BUS and N decimal; ADDR, PROTO and MSG C style (0x14 or 20); W hexadecimal with or
 * without 0x. Every success prints exactly one line of key=value pairs on stdout and exits 0:
 *
 *   i2c_transactions=N seconds=S per_second=R us_per_transaction=U
 *   scmi_round_trips=N seconds=S per_second=R us_per_round_trip=U
 *   status=<int32, decimal> payload_len=<bytes> payload=<hex, two digits a byte, may be empty>
 *   mmio_reads=N seconds=S per_second=R us_per_read=U
 *
 * scmi-raw exits 0 whenever a reply came back, whatever its status. Errors go to stderr as
 * "vbe-guest: <command>: <what>" with exit status 1; usage errors exit 2.
 *
 * SCMI raw mode (drivers/firmware/arm_scmi/raw_mode.c, CONFIG_ARM_SCMI_RAW_MODE_SUPPORT):
 * - a write to <raw>/message is one whole command: the 32-bit little-endian header (message
 *   id bits 7:0, type 0 = command bits 9:8, protocol bits 17:10, token bits 27:18) followed
 *   by the payload; the kernel sends it as is, with OUR token as the sequence number. A token
 *   still held by an earlier transfer makes the kernel sleep and retry, so tokens advance by
 *   one per command;
 * - the reply is queued (one queue for every opener) and read back from the same file as
 *   header, status (int32) and the reply payload; a read past the end of one message returns
 *   0 (EOF) and the next read starts the next message;
 * - the file position is shared by write and read, and a write lands at the current
 *   position, which a read has moved past the previous reply: so commands are written on one
 *   descriptor and replies read on another;
 * - a read blocks with no timeout of its own, so the reader polls, for the transport's
 *   max_rx_timeout_ms (after that the kernel drops the transfer) or $VBE_GUEST_TIMEOUT_MS;
 * - replies whose header is not the command's (left over from an interrupted run) are
 *   skipped.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/i2c-dev.h>
#include <linux/i2c.h>

#define SCMI_DEBUGFS "/sys/kernel/debug/scmi/0"
#define SCMI_RAW_MESSAGE SCMI_DEBUGFS "/raw/message"
#define SCMI_MAX_RX_TIMEOUT SCMI_DEBUGFS "/transport/max_rx_timeout_ms"
#define SCMI_MAX_MSG_SIZE SCMI_DEBUGFS "/transport/max_msg_size"

#define SCMI_PROTO_BASE 0x10u
#define SCMI_MSG_PROTOCOL_VERSION 0x0u
#define SCMI_SUCCESS 0
#define SCMI_TOKEN_MASK 0x3ffu
#define SCMI_DEFAULT_TIMEOUT_MS 30000
/* header + status + payload; Linux's virtio transport allows 128 payload bytes */
#define SCMI_BUF_SIZE 4096
#define SCMI_STALE_MAX 64

static const char *cmd_name = "vbe-guest";

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vbe-guest: %s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(void) __attribute__((noreturn));

static void usage(void)
{
	fputs("usage: vbe-guest i2c-bench BUS ADDR N\n"
	      "       vbe-guest scmi-bench N\n"
	      "       vbe-guest scmi-raw PROTO MSG [HEX32 ...]\n"
	      "       vbe-guest mmio-bench ADDR N\n",
	      stderr);
	exit(2);
}

/* ---- argument parsing ---------------------------------------------------------------------- */

static unsigned long parse_ulong(const char *what, const char *s, int base, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (s[0] == '-' || s[0] == '+' || s[0] == '\0') {
		fprintf(stderr, "vbe-guest: %s: %s is not a number\n", cmd_name, what);
		usage();
	}
	v = strtoul(s, &end, base);
	if (errno != 0 || *end != '\0') {
		fprintf(stderr, "vbe-guest: %s: %s %s is not a number\n", cmd_name, what, s);
		usage();
	}
	if (v > max) {
		fprintf(stderr, "vbe-guest: %s: %s %s is out of range (at most %lu)\n", cmd_name,
			what, s, max);
		usage();
	}
	return v;
}

static unsigned long parse_count(const char *s)
{
	unsigned long n = parse_ulong("N", s, 10, 100000000ul);

	if (n == 0) {
		fprintf(stderr, "vbe-guest: %s: N must be at least 1\n", cmd_name);
		usage();
	}
	return n;
}

/* ---- timing ---------------------------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		die("clock_gettime: %s", strerror(errno));
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_rate(const char *count_key, const char *per_key, unsigned long n, double secs)
{
	/* a clock tick is far shorter than one transaction, but never divide by zero */
	double s = secs > 1e-9 ? secs : 1e-9;

	printf("%s=%lu seconds=%.6f per_second=%.1f %s=%.2f\n", count_key, n, secs, (double)n / s,
	       per_key, s * 1e6 / (double)n);
}

/* ---- I2C --------------------------------------------------------------------------------------- */

static int cmd_i2c_bench(int argc, char **argv)
{
	char path[32];
	unsigned long bus, addr, n;
	uint8_t reg = 0, val = 0;
	struct i2c_msg msgs[2];
	struct i2c_rdwr_ioctl_data xfer = { .msgs = msgs, .nmsgs = 2 };
	double t0, t1;
	int fd;

	if (argc != 3) {
		usage();
	}
	bus = parse_ulong("BUS", argv[0], 10, 1023);
	addr = parse_ulong("ADDR", argv[1], 0, 0x3ff);
	n = parse_count(argv[2]);

	snprintf(path, sizeof(path), "/dev/i2c-%lu", bus);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		die("open %s: %s", path, strerror(errno));
	}
	msgs[0] = (struct i2c_msg){
		.addr = (uint16_t)addr,
		.flags = addr > 0x7f ? I2C_M_TEN : 0,
		.len = 1,
		.buf = &reg,
	};
	msgs[1] = (struct i2c_msg){
		.addr = (uint16_t)addr,
		.flags = (uint16_t)((addr > 0x7f ? I2C_M_TEN : 0) | I2C_M_RD),
		.len = 1,
		.buf = &val,
	};

	t0 = now();
	for (unsigned long i = 0; i < n; i++) {
		int r = ioctl(fd, I2C_RDWR, &xfer);

		if (r < 0) {
			die("%s addr 0x%02lx: transaction %lu of %lu: I2C_RDWR: %s", path, addr,
			    i + 1, n, strerror(errno));
		}
		if (r != 2) {
			die("%s addr 0x%02lx: transaction %lu of %lu: I2C_RDWR: %d of 2 messages "
			    "transferred",
			    path, addr, i + 1, n, r);
		}
	}
	t1 = now();
	close(fd);
	print_rate("i2c_transactions", "us_per_transaction", n, t1 - t0);
	return 0;
}

/* ---- SCMI raw ---------------------------------------------------------------------------------- */

struct scmi_raw {
	int wfd; /* commands: a write always starts at position 0 */
	int rfd; /* replies */
	int timeout_ms;
	unsigned int token;
	size_t max_payload; /* the transport's max_msg_size: bytes after the header */
};

struct scmi_reply {
	int32_t status;
	size_t len;
	uint8_t payload[SCMI_BUF_SIZE];
};

static long read_number_file(const char *path, long fallback)
{
	char buf[32];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return fallback;
	}
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0) {
		return fallback;
	}
	buf[r] = '\0';
	return strtol(buf, NULL, 0);
}

static void scmi_open(struct scmi_raw *raw)
{
	const char *env = getenv("VBE_GUEST_TIMEOUT_MS");
	struct timespec ts;
	long v;

	raw->wfd = open(SCMI_RAW_MESSAGE, O_WRONLY | O_CLOEXEC);
	if (raw->wfd < 0) {
		die("open %s: %s (SCMI raw mode needs CONFIG_ARM_SCMI_RAW_MODE_SUPPORT, debugfs "
		    "mounted and an SCMI instance bound)",
		    SCMI_RAW_MESSAGE, strerror(errno));
	}
	raw->rfd = open(SCMI_RAW_MESSAGE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (raw->rfd < 0) {
		die("open %s: %s", SCMI_RAW_MESSAGE, strerror(errno));
	}
	v = env != NULL ? strtol(env, NULL, 10)
			: read_number_file(SCMI_MAX_RX_TIMEOUT, SCMI_DEFAULT_TIMEOUT_MS);
	raw->timeout_ms = v > 0 && v < INT_MAX ? (int)v : SCMI_DEFAULT_TIMEOUT_MS;
	v = read_number_file(SCMI_MAX_MSG_SIZE, 128);
	raw->max_payload = v > 0 && v < SCMI_BUF_SIZE - 8 ? (size_t)v : 128;
	/* a token unlike an interrupted earlier run's, so its late replies are told apart */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	raw->token = (unsigned int)(ts.tv_nsec ^ getpid()) & SCMI_TOKEN_MASK;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Read one queued message up to its EOF; 0 bytes means none was queued (EAGAIN). */
static size_t scmi_read_message(struct scmi_raw *raw, uint8_t *buf, size_t cap)
{
	size_t got = 0;

	for (;;) {
		ssize_t r = read(raw->rfd, buf + got, cap - got);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0 && errno == EAGAIN && got == 0) {
			return 0;
		}
		if (r < 0) {
			die("read %s: %s", SCMI_RAW_MESSAGE, strerror(errno));
		}
		if (r == 0) {
			return got;
		}
		got += (size_t)r;
		if (got == cap) {
			die("read %s: a reply longer than %zu bytes", SCMI_RAW_MESSAGE, cap);
		}
	}
}

/* One command and its reply; the reply's status is returned, not checked. */
static void scmi_call(struct scmi_raw *raw, unsigned int proto, unsigned int msg,
		      const uint32_t *words, size_t nwords, struct scmi_reply *reply)
{
	static uint8_t buf[SCMI_BUF_SIZE];
	unsigned int stale = 0;
	size_t len = 4 + 4 * nwords;
	uint32_t hdr;
	ssize_t w;

	raw->token = (raw->token + 1) & SCMI_TOKEN_MASK;
	hdr = (msg & 0xffu) | (proto & 0xffu) << 10 | raw->token << 18; /* type 0: command */
	put_le32(buf, hdr);
	for (size_t i = 0; i < nwords; i++) {
		put_le32(buf + 4 + 4 * i, words[i]);
	}
	do {
		w = write(raw->wfd, buf, len);
	} while (w < 0 && errno == EINTR);
	if (w != (ssize_t)len) {
		die("write %s (protocol 0x%x message 0x%x, %zu bytes): %s", SCMI_RAW_MESSAGE, proto,
		    msg, len, w < 0 ? strerror(errno) : "short write");
	}

	for (;;) {
		struct pollfd pfd = { .fd = raw->rfd, .events = POLLIN };
		size_t got;
		int r = poll(&pfd, 1, raw->timeout_ms);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			die("poll %s: %s", SCMI_RAW_MESSAGE, strerror(errno));
		}
		if (r == 0) {
			die("protocol 0x%x message 0x%x: no reply within %d ms (token %u)", proto, msg,
			    raw->timeout_ms, raw->token);
		}
		got = scmi_read_message(raw, buf, sizeof(buf));
		if (got == 0) {
			continue; /* another reader took it */
		}
		if (got < 8) {
			die("protocol 0x%x message 0x%x: a %zu-byte reply (header and status need 8)",
			    proto, msg, got);
		}
		if (get_le32(buf) != hdr) {
			if (++stale > SCMI_STALE_MAX) {
				die("protocol 0x%x message 0x%x: %u replies to other commands "
				    "(last header 0x%08" PRIx32 ", sent 0x%08" PRIx32 ")",
				    proto, msg, stale, get_le32(buf), hdr);
			}
			continue;
		}
		reply->status = (int32_t)get_le32(buf + 4);
		reply->len = got - 8;
		memcpy(reply->payload, buf + 8, reply->len);
		return;
	}
}

static int cmd_scmi_bench(int argc, char **argv)
{
	static struct scmi_reply reply;
	struct scmi_raw raw;
	unsigned long n;
	double t0, t1;

	if (argc != 1) {
		usage();
	}
	n = parse_count(argv[0]);
	scmi_open(&raw);

	t0 = now();
	for (unsigned long i = 0; i < n; i++) {
		scmi_call(&raw, SCMI_PROTO_BASE, SCMI_MSG_PROTOCOL_VERSION, NULL, 0, &reply);
		if (reply.status != SCMI_SUCCESS || reply.len != 4) {
			die("round trip %lu of %lu: BASE PROTOCOL_VERSION: status %" PRId32
			    ", %zu payload bytes (want SUCCESS 0 and 4)",
			    i + 1, n, reply.status, reply.len);
		}
	}
	t1 = now();
	print_rate("scmi_round_trips", "us_per_round_trip", n, t1 - t0);
	return 0;
}

static int cmd_scmi_raw(int argc, char **argv)
{
	static struct scmi_reply reply;
	static uint32_t words[SCMI_BUF_SIZE / 4];
	struct scmi_raw raw;
	unsigned long proto, msg;
	size_t nwords;

	if (argc < 2) {
		usage();
	}
	proto = parse_ulong("PROTO", argv[0], 0, 0xff);
	msg = parse_ulong("MSG", argv[1], 0, 0xff);
	nwords = (size_t)(argc - 2);
	if (nwords > sizeof(words) / sizeof(words[0])) {
		die("%zu payload words is too many", nwords);
	}
	for (size_t i = 0; i < nwords; i++) {
		words[i] = (uint32_t)parse_ulong("HEX32", argv[2 + i], 16, UINT32_MAX);
	}
	scmi_open(&raw);
	if (4 * nwords > raw.max_payload) {
		die("%zu payload bytes; the transport takes at most %zu", 4 * nwords,
		    raw.max_payload);
	}

	scmi_call(&raw, (unsigned int)proto, (unsigned int)msg, words, nwords, &reply);
	printf("status=%" PRId32 " payload_len=%zu payload=", reply.status, reply.len);
	for (size_t i = 0; i < reply.len; i++) {
		printf("%02x", reply.payload[i]);
	}
	putchar('\n');
	return 0;
}

/* ---- trapped register reads ------------------------------------------------------------------ */

static int cmd_mmio_bench(int argc, char **argv)
{
	unsigned long addr, n;
	long page = sysconf(_SC_PAGESIZE);
	volatile uint32_t *reg;
	uint32_t value = 0;
	double t0, t1;
	void *map;
	int fd;

	if (argc != 2) {
		usage();
	}
	addr = parse_ulong("ADDR", argv[0], 0, ULONG_MAX);
	n = parse_count(argv[1]);
	if (page <= 0 || addr % 4U != 0U) {
		fprintf(stderr, "vbe-guest: %s: ADDR must be 4-byte aligned\n", cmd_name);
		usage();
	}
	fd = open("/dev/mem", O_RDONLY | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		die("/dev/mem: %s", strerror(errno));
	}
	map = mmap(NULL, (size_t)page, PROT_READ, MAP_SHARED, fd,
		   (off_t)(addr & ~(unsigned long)(page - 1)));
	if (map == MAP_FAILED) {
		die("mapping %#lx from /dev/mem: %s", addr, strerror(errno));
	}
	reg = (volatile uint32_t *)((uint8_t *)map + (addr & (unsigned long)(page - 1)));
	t0 = now();
	for (unsigned long i = 0; i < n; i++) {
		value = *reg;
	}
	t1 = now();
	munmap(map, (size_t)page);
	close(fd);
	print_rate("mmio_reads", "us_per_read", n, t1 - t0);
	(void)value;
	return 0;
}

/* ---- main ------------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} cmds[] = {
		{ .name = "i2c-bench", .run = cmd_i2c_bench },
		{ .name = "scmi-bench", .run = cmd_scmi_bench },
		{ .name = "scmi-raw", .run = cmd_scmi_raw },
		{ .name = "mmio-bench", .run = cmd_mmio_bench },
	};

	if (argc < 2) {
		usage();
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0) {
			int rc;

			cmd_name = cmds[i].name;
			rc = cmds[i].run(argc - 2, argv + 2);
			if (fflush(stdout) != 0 || ferror(stdout)) {
				die("writing the result: %s", strerror(errno));
			}
			return rc;
		}
	}
	fprintf(stderr, "vbe-guest: unknown command %s\n", argv[1]);
	usage();
}
