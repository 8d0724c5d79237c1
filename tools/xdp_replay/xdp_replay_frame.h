/* One template frame of xdp_replay, shared by the BPF program and the tool. */
#ifndef XDP_REPLAY_FRAME_H
#define XDP_REPLAY_FRAME_H

#include <linux/types.h>

/* The longest frame replayed: a 1500-byte MTU, Ethernet and two VLAN tags. */
#define REPLAY_MAX_FRAME 1536

struct replay_frame {
    __u32 len;
    __u32 ip_off;      /* the IPv4 header */
    __u32 l4_csum_off; /* the TCP/UDP checksum; 0: none to update */
    __u32 is_udp;
    __u32 saddr; /* network order, as in the frame */
    __u32 daddr;
    __u8 bytes[REPLAY_MAX_FRAME];
};

#endif
