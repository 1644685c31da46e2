/*
 * linkemu — a userspace link emulator for Beacon's network tests.
 *
 * Why: the test machines' kernel has no `netem` (tc knows tbf, htb, pfifo),
 * yet a township's mountain link has delay and loss as well as a low rate.
 * linkemu bridges two interfaces at layer 2 with AF_PACKET raw sockets, so
 * ARP, IPv4 and IPv6 pass as they would over a cable, and applies, per
 * direction:
 *
 *   received ─▶ cut? ─▶ UDP blocked? ─▶ random loss ─▶ token bucket ─▶ delay line ─▶ sent
 *                                                    (bounded queue,   (fixed delay ±
 *                                                     drop-tail)        jitter, FIFO)
 *
 * "down" is what arrives on the first interface (host side) and leaves on the
 * second (browser side); "up" is the other way. The rate stage models a slow
 * serial link: a frame waits for tokens (bytes, refilled at the rate, bucket
 * of `burst` bytes), and a frame that would overfill the queue (`queue` ms at
 * the rate) is dropped, as a real slow link's router does. Jitter never
 * reorders frames (a serial link does not).
 *
 * Usage:
 *   linkemu HOST_IF BROWSER_IF [--seed N]   bridge; commands on stdin, replies on stdout
 *   linkemu --no-offload IF...              turn off checksum/segmentation offloads
 *
 * Offloads: a veth hands over TCP segments of up to 64 KB (TSO/GSO) with
 * checksums left for the hardware to fill in. The bridge wants wire-sized
 * frames (loss and rate act per frame), so the helper turns offloads off on
 * all four veth ends; PACKET_VNET_HDR carries any checksum/GSO metadata
 * through anyway, so a frame that slips through is still delivered intact.
 *
 * Commands (one per line; each answered by one line "ok ..." or "err ..."):
 *   set up|down|both KEY=VALUE...   rate=kbit/s (0 = unlimited) delay=ms jitter=ms
 *                                   loss=percent queue=ms burst=bytes
 *   cut on|off                      drop everything both ways (and what is in flight)
 *   block-udp ADDR|any|off          drop UDP to ADDR (up) and from ADDR (down)
 *   stats                           one JSON line of counters
 *   quit
 * The emulator exits when stdin closes, so it never outlives its driver.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <linux/virtio_net.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define VNET_HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr))
#define MAX_FRAME (65536u + VNET_HDR_LEN)
/* What a delay line may hold before it drops (an unshaped fast link with a long delay). */
#define MAX_IN_FLIGHT_BYTES (64u << 20)
#define DEFAULT_QUEUE_MS 300.0
#define DEFAULT_BURST_BYTES 1600u

struct frame {
  struct frame *next;
  uint64_t due_ns;
  uint32_t len;      /* bytes in data, virtio header included */
  uint32_t wire_len; /* Ethernet frame length, what the link carries */
  unsigned char data[];
};

struct fifo {
  struct frame *head, *tail;
  uint64_t bytes, count;
};

struct params {
  double rate_kbit, delay_ms, jitter_ms, loss_pct, queue_ms;
  uint32_t burst_bytes;
};

struct counters {
  uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
  uint64_t drop_loss, drop_queue, drop_cut, drop_blocked, drop_send, drop_in_flight;
};

struct direction {
  const char *name;
  int in_fd, out_fd;
  int udp_match_dst; /* blocked UDP is matched on the destination (up) or the source (down) */
  struct params p;
  struct fifo rate_queue, delay_line;
  double tokens;
  uint64_t tokens_at_ns, last_due_ns;
  struct counters c;
};

static struct {
  int cut;
  int block_udp; /* 0 off, 1 any, 2 IPv4 address, 3 IPv6 address */
  unsigned char block_addr[16];
  uint64_t rng;
} g;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: fast and good enough for loss and jitter draws. */
static double random_unit(void) {
  uint64_t z = (g.rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return (double)(z >> 11) / (double)(1ull << 53);
}

static void fifo_push(struct fifo *q, struct frame *f) {
  f->next = NULL;
  if (q->tail)
    q->tail->next = f;
  else
    q->head = f;
  q->tail = f;
  q->bytes += f->wire_len;
  q->count++;
}

static struct frame *fifo_pop(struct fifo *q) {
  struct frame *f = q->head;
  if (!f) return NULL;
  q->head = f->next;
  if (!q->head) q->tail = NULL;
  q->bytes -= f->wire_len;
  q->count--;
  return f;
}

static uint64_t fifo_clear(struct fifo *q) {
  uint64_t n = 0;
  struct frame *f;
  while ((f = fifo_pop(q))) {
    free(f);
    n++;
  }
  return n;
}

static uint64_t queue_limit_bytes(const struct params *p) {
  uint64_t bytes = (uint64_t)(p->rate_kbit * 1000.0 / 8.0 * p->queue_ms / 1000.0);
  return bytes < 2u * 1514u ? 2u * 1514u : bytes;
}

/* Is this frame UDP to (up) or from (down) the blocked address? */
static int udp_blocked(const struct direction *d, const struct frame *f) {
  if (!g.block_udp) return 0;
  const unsigned char *eth = f->data + VNET_HDR_LEN;
  uint32_t len = f->wire_len;
  if (len < 14) return 0;
  uint16_t type = (uint16_t)(eth[12] << 8 | eth[13]);
  const unsigned char *ip = eth + 14;
  if (type == ETHERTYPE_IP && len >= 14 + 20) {
    if (ip[9] != IPPROTO_UDP) return 0;
    if (g.block_udp == 1) return 1;
    return g.block_udp == 2 && memcmp(ip + (d->udp_match_dst ? 16 : 12), g.block_addr, 4) == 0;
  }
  if (type == ETHERTYPE_IPV6 && len >= 14 + 40) {
    if (ip[6] != IPPROTO_UDP) return 0;
    if (g.block_udp == 1) return 1;
    return g.block_udp == 3 && memcmp(ip + (d->udp_match_dst ? 24 : 8), g.block_addr, 16) == 0;
  }
  return 0;
}

static void transmit(struct direction *d, struct frame *f) {
  if (send(d->out_fd, f->data, f->len, MSG_DONTWAIT) < 0) {
    d->c.drop_send++;
  } else {
    d->c.tx_frames++;
    d->c.tx_bytes += f->wire_len;
  }
  free(f);
}

/* Into the delay line: due after the delay (± jitter), never before the frame ahead of it. */
static void enter_delay_line(struct direction *d, struct frame *f, uint64_t now) {
  if (d->p.delay_ms <= 0 && d->p.jitter_ms <= 0 && !d->delay_line.head) {
    transmit(d, f);
    return;
  }
  if (d->delay_line.bytes + f->wire_len > MAX_IN_FLIGHT_BYTES) {
    d->c.drop_in_flight++;
    free(f);
    return;
  }
  double ms = d->p.delay_ms + (d->p.jitter_ms > 0 ? (random_unit() * 2 - 1) * d->p.jitter_ms : 0);
  uint64_t due = now + (uint64_t)(ms > 0 ? ms * 1e6 : 0);
  if (due < d->last_due_ns) due = d->last_due_ns;
  d->last_due_ns = due;
  f->due_ns = due;
  fifo_push(&d->delay_line, f);
}

static void refill(struct direction *d, uint64_t now) {
  double burst = d->p.burst_bytes;
  d->tokens += (double)(now - d->tokens_at_ns) * d->p.rate_kbit * 1000.0 / 8.0 / 1e9;
  if (d->tokens > burst) d->tokens = burst;
  d->tokens_at_ns = now;
}

/* Tokens a frame needs before it may leave: a frame larger than the bucket waits for a full bucket. */
static double tokens_needed(const struct direction *d, const struct frame *f) {
  return f->wire_len < d->p.burst_bytes ? f->wire_len : d->p.burst_bytes;
}

static void on_received(struct direction *d, struct frame *f, uint64_t now) {
  d->c.rx_frames++;
  d->c.rx_bytes += f->wire_len;
  if (g.cut) {
    d->c.drop_cut++;
  } else if (udp_blocked(d, f)) {
    d->c.drop_blocked++;
  } else if (d->p.loss_pct > 0 && random_unit() * 100.0 < d->p.loss_pct) {
    d->c.drop_loss++;
  } else if (d->p.rate_kbit <= 0) {
    enter_delay_line(d, f, now);
    return;
  } else if (d->rate_queue.count > 0 && d->rate_queue.bytes + f->wire_len > queue_limit_bytes(&d->p)) {
    d->c.drop_queue++;
  } else {
    fifo_push(&d->rate_queue, f);
    return;
  }
  free(f);
}

/* Moves frames through the rate stage and out of the delay line; returns the next deadline (0 = none). */
static uint64_t pump(struct direction *d, uint64_t now) {
  uint64_t next = 0;
  while (d->rate_queue.head) {
    if (d->p.rate_kbit <= 0) {
      enter_delay_line(d, fifo_pop(&d->rate_queue), now);
      continue;
    }
    refill(d, now);
    double need = tokens_needed(d, d->rate_queue.head);
    if (d->tokens + 1e-9 < need) {
      double wait_ns = (need - d->tokens) * 8.0 / (d->p.rate_kbit * 1000.0) * 1e9;
      next = now + (uint64_t)wait_ns + 1;
      break;
    }
    struct frame *f = fifo_pop(&d->rate_queue);
    d->tokens -= f->wire_len;
    enter_delay_line(d, f, now);
  }
  while (d->delay_line.head && d->delay_line.head->due_ns <= now) transmit(d, fifo_pop(&d->delay_line));
  if (d->delay_line.head && (!next || d->delay_line.head->due_ns < next)) next = d->delay_line.head->due_ns;
  return next;
}

/* Reads every frame waiting on the direction's input socket. */
static void drain_socket(struct direction *d, uint64_t now, unsigned char *buf) {
  for (;;) {
    struct sockaddr_ll from;
    socklen_t from_len = sizeof from;
    ssize_t n = recvfrom(d->in_fd, buf, MAX_FRAME, MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
    if (n < 0) return;
    /* PACKET_IGNORE_OUTGOING already hides our own sends; this covers kernels without it. */
    if (from.sll_pkttype == PACKET_OUTGOING || (uint32_t)n <= VNET_HDR_LEN) continue;
    struct frame *f = malloc(sizeof *f + (size_t)n);
    if (!f) continue;
    memcpy(f->data, buf, (size_t)n);
    f->len = (uint32_t)n;
    f->wire_len = (uint32_t)n - VNET_HDR_LEN;
    on_received(d, f, now);
  }
}

static int open_port(const char *ifname) {
  unsigned index = if_nametoindex(ifname);
  if (!index) {
    fprintf(stderr, "linkemu: no interface %s\n", ifname);
    exit(2);
  }
  int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd < 0) {
    perror("linkemu: socket(AF_PACKET)");
    exit(2);
  }
  int one = 1, size = 8 << 20;
  if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) < 0) perror("linkemu: PACKET_VNET_HDR");
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0)
    fprintf(stderr, "linkemu: no PACKET_IGNORE_OUTGOING (%s), filtering by packet type\n", strerror(errno));
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size);
  struct sockaddr_ll addr = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)index};
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
    perror("linkemu: bind");
    exit(2);
  }
  /* A veth does not filter by MAC, but a bridge port must see every frame. */
  struct packet_mreq mreq = {.mr_ifindex = (int)index, .mr_type = PACKET_MR_PROMISC};
  setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq);
  /* Frames queued before the bind belong to no one: drop them. */
  unsigned char scratch[64];
  while (recv(fd, scratch, sizeof scratch, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
  }
  return fd;
}

static int no_offload(int count, char **names) {
  static const uint32_t off[] = {ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO, ETHTOOL_STXCSUM, ETHTOOL_SSG};
  int fd = socket(AF_INET, SOCK_DGRAM, 0), status = 0;
  for (int i = 0; i < count; i++) {
    for (size_t k = 0; k < sizeof off / sizeof off[0]; k++) {
      struct ethtool_value value = {.cmd = off[k], .data = 0};
      struct ifreq ifr = {0};
      snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", names[i]);
      ifr.ifr_data = (char *)&value;
      if (ioctl(fd, SIOCETHTOOL, &ifr) < 0 && errno != EOPNOTSUPP) {
        fprintf(stderr, "linkemu: %s: ethtool 0x%x: %s\n", names[i], off[k], strerror(errno));
        status = 1;
      }
    }
  }
  close(fd);
  return status;
}

static int set_param(struct params *p, const char *key, double value) {
  if (value < 0) return -1;
  if (!strcmp(key, "rate")) p->rate_kbit = value;
  else if (!strcmp(key, "delay")) p->delay_ms = value;
  else if (!strcmp(key, "jitter")) p->jitter_ms = value;
  else if (!strcmp(key, "loss") && value <= 100) p->loss_pct = value;
  else if (!strcmp(key, "queue")) p->queue_ms = value;
  else if (!strcmp(key, "burst") && value >= 64) p->burst_bytes = (uint32_t)value;
  else return -1;
  return 0;
}

static void print_direction(const struct direction *d) {
  const struct counters *c = &d->c;
  printf("\"%s\":{\"rxFrames\":%llu,\"rxBytes\":%llu,\"txFrames\":%llu,\"txBytes\":%llu,\"dropLoss\":%llu,"
         "\"dropQueue\":%llu,\"dropCut\":%llu,\"dropBlocked\":%llu,\"dropSend\":%llu,\"dropInFlight\":%llu,"
         "\"queuedBytes\":%llu,\"inFlightFrames\":%llu}",
         d->name, (unsigned long long)c->rx_frames, (unsigned long long)c->rx_bytes, (unsigned long long)c->tx_frames,
         (unsigned long long)c->tx_bytes, (unsigned long long)c->drop_loss, (unsigned long long)c->drop_queue,
         (unsigned long long)c->drop_cut, (unsigned long long)c->drop_blocked, (unsigned long long)c->drop_send,
         (unsigned long long)c->drop_in_flight, (unsigned long long)d->rate_queue.bytes,
         (unsigned long long)d->delay_line.count);
}

static unsigned long long socket_drops(int fd) {
  struct tpacket_stats st;
  socklen_t len = sizeof st;
  return getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0 ? st.tp_drops : 0;
}

/* Runs one command line; returns 0 to keep going, 1 to quit. */
static int command(char *line, struct direction *down, struct direction *up, uint64_t now) {
  char *save = NULL, *verb = strtok_r(line, " \t\r\n", &save);
  if (!verb) return 0;
  if (!strcmp(verb, "quit")) {
    printf("ok bye\n");
    return 1;
  }
  if (!strcmp(verb, "set")) {
    char *which = strtok_r(NULL, " \t\r\n", &save);
    int both = which && !strcmp(which, "both");
    struct direction *only = which && !strcmp(which, "up") ? up : which && !strcmp(which, "down") ? down : NULL;
    if (!both && !only) {
      printf("err set: direction must be up, down or both\n");
      return 0;
    }
    struct params pd = down->p, pu = up->p;
    for (char *kv; (kv = strtok_r(NULL, " \t\r\n", &save));) {
      char *eq = strchr(kv, '='), *end = NULL;
      double value = eq ? strtod(eq + 1, &end) : -1;
      if (eq) *eq = '\0';
      int bad = !eq || end == eq + 1 || *end != '\0';
      if (!bad && (both || only == down)) bad = set_param(&pd, kv, value);
      if (!bad && (both || only == up)) bad = set_param(&pu, kv, value);
      if (bad) {
        printf("err set: bad parameter %s\n", kv);
        return 0;
      }
    }
    /* A new rate starts from a full bucket measured now. */
    down->p = pd;
    up->p = pu;
    down->tokens_at_ns = up->tokens_at_ns = now;
    printf("ok set down rate=%g delay=%g jitter=%g loss=%g queue=%g burst=%u; up rate=%g delay=%g jitter=%g loss=%g "
           "queue=%g burst=%u\n",
           pd.rate_kbit, pd.delay_ms, pd.jitter_ms, pd.loss_pct, pd.queue_ms, pd.burst_bytes, pu.rate_kbit, pu.delay_ms,
           pu.jitter_ms, pu.loss_pct, pu.queue_ms, pu.burst_bytes);
    return 0;
  }
  if (!strcmp(verb, "cut")) {
    char *arg = strtok_r(NULL, " \t\r\n", &save);
    if (!arg || (strcmp(arg, "on") && strcmp(arg, "off"))) {
      printf("err cut: on or off\n");
      return 0;
    }
    g.cut = !strcmp(arg, "on");
    if (g.cut) {
      /* What was on the wire when it was cut never arrives. */
      down->c.drop_cut += fifo_clear(&down->rate_queue) + fifo_clear(&down->delay_line);
      up->c.drop_cut += fifo_clear(&up->rate_queue) + fifo_clear(&up->delay_line);
    }
    printf("ok cut %s\n", arg);
    return 0;
  }
  if (!strcmp(verb, "block-udp")) {
    char *arg = strtok_r(NULL, " \t\r\n", &save);
    if (arg && !strcmp(arg, "off")) g.block_udp = 0;
    else if (arg && !strcmp(arg, "any")) g.block_udp = 1;
    else if (arg && inet_pton(AF_INET, arg, g.block_addr) == 1) g.block_udp = 2;
    else if (arg && inet_pton(AF_INET6, arg, g.block_addr) == 1) g.block_udp = 3;
    else {
      printf("err block-udp: an IPv4/IPv6 address, any or off\n");
      return 0;
    }
    printf("ok block-udp %s\n", arg);
    return 0;
  }
  if (!strcmp(verb, "stats")) {
    printf("ok {");
    print_direction(down);
    printf(",");
    print_direction(up);
    printf(",\"cut\":%s,\"socketDrops\":%llu}\n", g.cut ? "true" : "false",
           socket_drops(down->in_fd) + socket_drops(up->in_fd));
    return 0;
  }
  printf("err unknown command %s\n", verb);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "--no-offload")) return no_offload(argc - 2, argv + 2);
  if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "--seed"))) {
    fprintf(stderr, "usage: linkemu HOST_IF BROWSER_IF [--seed N] | linkemu --no-offload IF...\n");
    return 2;
  }
  /* Never outlive the driver: its death closes stdin, and this covers a stuck pipe too. */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 5) g.rng = strtoull(argv[4], NULL, 10);
  else if (getrandom(&g.rng, sizeof g.rng, 0) != sizeof g.rng) g.rng = (uint64_t)now_ns();

  char *ifs[] = {argv[1], argv[2]};
  if (no_offload(2, ifs) != 0) return 2;
  int host = open_port(argv[1]), browser = open_port(argv[2]);
  struct params defaults = {.queue_ms = DEFAULT_QUEUE_MS, .burst_bytes = DEFAULT_BURST_BYTES};
  uint64_t start = now_ns();
  struct direction down = {.name = "down", .in_fd = host, .out_fd = browser, .udp_match_dst = 0, .p = defaults};
  struct direction up = {.name = "up", .in_fd = browser, .out_fd = host, .udp_match_dst = 1, .p = defaults};
  down.tokens_at_ns = up.tokens_at_ns = start;
  down.tokens = up.tokens = DEFAULT_BURST_BYTES;

  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  unsigned char *buf = malloc(MAX_FRAME);
  char line[512];
  size_t line_len = 0;
  if (timer < 0 || !buf) return 2;
  printf("ready\n");

  for (;;) {
    struct pollfd fds[] = {
        {.fd = host, .events = POLLIN}, {.fd = browser, .events = POLLIN},
        {.fd = STDIN_FILENO, .events = POLLIN}, {.fd = timer, .events = POLLIN}};
    if (poll(fds, 4, -1) < 0) {
      if (errno == EINTR) continue;
      perror("linkemu: poll");
      return 1;
    }
    uint64_t now = now_ns();
    if (fds[0].revents & POLLIN) drain_socket(&down, now, buf);
    if (fds[1].revents & POLLIN) drain_socket(&up, now, buf);
    if (fds[3].revents & POLLIN) {
      uint64_t expirations;
      while (read(timer, &expirations, sizeof expirations) > 0) {
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(STDIN_FILENO, line + line_len, sizeof line - 1 - line_len);
      if (n <= 0) break; /* the driver is gone */
      line_len += (size_t)n;
      line[line_len] = '\0';
      char *nl;
      while ((nl = strchr(line, '\n'))) {
        *nl = '\0';
        if (command(line, &down, &up, now)) goto done;
        line_len -= (size_t)(nl + 1 - line);
        memmove(line, nl + 1, line_len + 1);
      }
      if (line_len == sizeof line - 1) line_len = 0; /* an overlong line: discard it */
    }
    /* Frames due now go out; the timer wakes us for the earliest future deadline. */
    now = now_ns();
    uint64_t a = pump(&down, now), b = pump(&up, now);
    uint64_t next = a && b ? (a < b ? a : b) : (a ? a : b);
    struct itimerspec spec = {0};
    if (next) {
      spec.it_value.tv_sec = (time_t)(next / 1000000000u);
      spec.it_value.tv_nsec = (long)(next % 1000000000u);
    }
    timerfd_settime(timer, TFD_TIMER_ABSTIME, &spec, NULL);
  }
done:
  fifo_clear(&down.rate_queue);
  fifo_clear(&down.delay_line);
  fifo_clear(&up.rate_queue);
  fifo_clear(&up.delay_line);
  free(buf);
  return 0;
}
