#include "BpfHelpers.h"

#include <bpf/bpf.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "kernel/KernelError.h"

namespace nftest {

std::string clearHashMap(int map_fd, size_t key_size) {
    std::vector<unsigned char> key(key_size);
    // Always the first key: the one just deleted cannot be a cursor.
    while (bpf_map_get_next_key(map_fd, nullptr, key.data()) == 0) {
        int err = bpf_map_delete_elem(map_fd, key.data());
        if (err && err != -ENOENT)
            return netflow::errnoMessage("clearing a map", err);
    }
    return "";
}

long countEntries(int map_fd, size_t key_size) {
    std::vector<unsigned char> key(key_size), next(key_size);
    long n = 0;
    const void *cursor = nullptr;
    int err;
    while ((err = bpf_map_get_next_key(map_fd, cursor, next.data())) == 0) {
        n++;
        key = next;
        cursor = key.data();
    }
    return err == -ENOENT ? n : -1;
}

int testRunRepeat(int prog_fd, const void *frame, size_t len, uint32_t repeat) {
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame;
    opts.data_size_in = static_cast<uint32_t>(len);
    opts.repeat = repeat;
    return bpf_prog_test_run_opts(prog_fd, &opts);
}

int lookupValue(int map_fd, const void *key, void *value) {
    return bpf_map_lookup_elem(map_fd, key, value);
}

int updateValue(int map_fd, const void *key, const void *value) {
    return bpf_map_update_elem(map_fd, key, value, BPF_EXIST);
}

ProgramCost programCost(int prog_fd) {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    ProgramCost cost;
    if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) == 0) {
        cost.verified_insns = info.verified_insns;
        cost.xlated_insns = info.xlated_prog_len / sizeof(bpf_insn);
    }
    return cost;
}

XdpSocket::XdpSocket() : fd_(socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0)) {}

XdpSocket::~XdpSocket() {
    if (fd_ >= 0)
        close(fd_);
}

}  // namespace nftest
