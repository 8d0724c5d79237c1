#include "kernel/InterfaceLock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "kernel/AttachError.h"

namespace netflow {
namespace {

// "" in PID 1's network namespace (the usual case: the plain IF.lock),
// ".netns-INODE" in any other. An unreadable /proc/1 (no permission) counts
// as another namespace, which is only a longer, still unique, name.
std::string netnsSuffix() {
    struct stat self {};
    struct stat init {};
    if (stat("/proc/self/ns/net", &self) != 0)
        return "";
    if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self.st_ino &&
        init.st_dev == self.st_dev)
        return "";
    return ".netns-" + std::to_string(self.st_ino);
}

// The holder's PID as it wrote it, or 0. The holder writes it right after it
// takes the lock, so a reader that lost the race by microseconds may find
// the file empty: it looks again a few times, for at most ~50 ms.
long readHolderPid(int fd) {
    for (int attempt = 0; attempt < 5; ++attempt) {
        char buf[32] = {};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n > 0) {
            char *end = nullptr;
            long pid = std::strtol(buf, &end, 10);
            if (pid > 0 && end != buf)
                return pid;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
}

}  // namespace

Result<InterfaceLock> InterfaceLock::acquire(const NetInterface &itf, const std::string &dir) {
    using R = Result<InterfaceLock>;
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
        return R::failure(
            attachErrorMessage("creating the lock directory " + dir, itf.name, errno));

    std::string path = dir + "/" + itf.name + netnsSuffix() + ".lock";
    // O_CLOEXEC: a program we exec must not inherit the lock (flock belongs
    // to the open file, which a child would share).
    UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd)
        return R::failure(attachErrorMessage("opening the lock file " + path, itf.name, errno));

    if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        if (err != EWOULDBLOCK)
            return R::failure(attachErrorMessage("locking " + path, itf.name, err));
        long pid = readHolderPid(fd.get());
        std::string holder = pid > 0 ? "(PID " + std::to_string(pid) + ")" : "(lock " + path + ")";
        return R::failure("interface " + itf.name + " is already captured by another netflow " +
                          holder + "; one sensor per interface");
    }

    // Ours now: record who holds it. A failure here only loses the PID in
    // another sensor's message, so it is not an error.
    std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd.get(), 0) == 0) {
        ssize_t written = pwrite(fd.get(), pid.data(), pid.size(), 0);
        (void)written;
    }
    return InterfaceLock(std::move(fd), std::move(path));
}

}  // namespace netflow
