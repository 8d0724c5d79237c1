// One sensor per interface: an exclusive flock(2) on a lock file named after
// the interface, held for as long as the sensor runs. The kernel drops the
// lock when the process dies, kill -9 included, so a crash never leaves a
// stale lock to clean up; the file itself stays (it is a few bytes on
// /run's tmpfs, and unlinking a lock file races with the next taker).
//
// The file holds the holder's PID so that a refused second sensor can say
// who holds the interface.
#pragma once

#include <string>

#include "kernel/KernelError.h"
#include "kernel/NetInterface.h"
#include "common/UniqueFd.h"

namespace netflow {

inline constexpr const char *kDefaultLockDir = "/run/netflow";

class InterfaceLock {
  public:
    // Takes DIR/IF.lock, or DIR/IF.netns-INODE.lock when this process is not
    // in PID 1's network namespace: interface names are per namespace, and
    // two namespaces' "eth0" are two interfaces. Fails with e.g.
    // "interface eth0 is already captured by another netflow (PID 1234)".
    static Result<InterfaceLock> acquire(const NetInterface &itf,
                                         const std::string &dir = kDefaultLockDir);

    InterfaceLock(InterfaceLock &&) noexcept = default;
    InterfaceLock &operator=(InterfaceLock &&) noexcept = default;
    InterfaceLock(const InterfaceLock &) = delete;
    InterfaceLock &operator=(const InterfaceLock &) = delete;
    ~InterfaceLock() = default;  // closing the fd releases the lock

    const std::string &path() const { return path_; }

  private:
    InterfaceLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

    UniqueFd fd_;
    std::string path_;
};

}  // namespace netflow
